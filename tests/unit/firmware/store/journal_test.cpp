// The flash journal over simulated NOR flash: what it keeps, what it forgets, how it collects
// garbage and spreads wear, and what it recovers after a power cut at chosen points. (The
// exhaustive cut-at-every-operation test is tests/fault/journal_torture_test.)
#include "firmware/store/journal.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

#include "firmware/store/journal_entry.h"
#include "tests/support/agent_flash.h"

using namespace gm;
using namespace gm::store;

namespace {

UsageRecord make(uint64_t session, uint32_t seq, const char* who = "alice@example.net") {
  UsageRecord r;
  r.session_id = session;
  r.seq = seq;
  r.kind = gatemeter_RecordKind_RECORD_INTERIM;
  r.totals = {seq * 60, seq, uint64_t{seq} * 1000, uint64_t{seq} * 2000};
  r.start_unix = 1'790'000'000 + session;
  r.billing = gatemeter_BillingOption_BILLING_PREPAID;
  copy_text(r.subscriber, sizeof r.subscriber, who);
  copy_text(r.service, sizeof r.service, "wifi");
  return r;
}

bool same(const UsageRecord& a, const UsageRecord& b) {
  return a.session_id == b.session_id && a.seq == b.seq && a.totals == b.totals &&
         a.kind == b.kind && a.cause == b.cause && a.billing == b.billing &&
         a.start_unix == b.start_unix && std::strcmp(a.subscriber, b.subscriber) == 0 &&
         std::strcmp(a.service, b.service) == 0;
}

struct Fixture : ::testing::Test {
  test::AgentFlash flash;
  std::unique_ptr<Journal> j;
  void SetUp() override { remount(); }
  void remount() {
    flash.device().power_on();
    j = std::make_unique<Journal>(flash.device());
    ASSERT_EQ(j->mount(), JournalStatus::ok);
  }
};

TEST_F(Fixture, BlankFlashMountsEmpty) {
  EXPECT_EQ(j->record_count(), 0u);
  EXPECT_EQ(j->counters().boot_count, 0u);
  EXPECT_EQ(j->counters().next_session, 1u);
  char cfg[8];
  EXPECT_EQ(j->config(cfg, sizeof cfg), 0u);
}

TEST_F(Fixture, NothingWorksBeforeMount) {
  Journal fresh(flash.device());
  EXPECT_EQ(fresh.put_record(make(1, 1)), JournalStatus::not_mounted);
  EXPECT_EQ(fresh.forget(1, 1), JournalStatus::not_mounted);
  EXPECT_EQ(fresh.put_counters({}), JournalStatus::not_mounted);
  EXPECT_EQ(fresh.put_config("x", 1), JournalStatus::not_mounted);
}

TEST_F(Fixture, RecordsSurviveARemountExactly) {
  ASSERT_EQ(j->put_record(make(5, 1)), JournalStatus::ok);
  ASSERT_EQ(j->put_record(make(6, 3, "bob@realm.example")), JournalStatus::ok);
  remount();
  ASSERT_EQ(j->record_count(), 2u);
  UsageRecord r;
  ASSERT_TRUE(j->find(6, r));
  EXPECT_TRUE(same(r, make(6, 3, "bob@realm.example")));
  ASSERT_TRUE(j->find(5, r));
  EXPECT_TRUE(same(r, make(5, 1)));
}

TEST_F(Fixture, OnlyTheNewestRecordOfASessionIsKept) {
  ASSERT_EQ(j->put_record(make(5, 2)), JournalStatus::ok);
  ASSERT_EQ(j->put_record(make(5, 4)), JournalStatus::ok);
  ASSERT_EQ(j->put_record(make(5, 3)), JournalStatus::ok);  // older: ignored
  const uint64_t written = j->stats().bytes_programmed;
  ASSERT_EQ(j->put_record(make(5, 4)), JournalStatus::ok);  // same: ignored, nothing written
  EXPECT_EQ(j->stats().bytes_programmed, written);
  remount();
  ASSERT_EQ(j->record_count(), 1u);
  UsageRecord r;
  ASSERT_TRUE(j->find(5, r));
  EXPECT_EQ(r.seq, 4u);
}

TEST_F(Fixture, ForgetRemovesUpToTheAcknowledgedSeqOnly) {
  ASSERT_EQ(j->put_record(make(5, 4)), JournalStatus::ok);
  EXPECT_EQ(j->forget(5, 3), JournalStatus::ok);  // the stored one is newer: it stays
  EXPECT_EQ(j->record_count(), 1u);
  EXPECT_EQ(j->forget(5, 4), JournalStatus::ok);
  EXPECT_EQ(j->record_count(), 0u);
  EXPECT_EQ(j->forget(5, 4), JournalStatus::not_found);
  remount();
  EXPECT_EQ(j->record_count(), 0u);
  // A later record of the same session is kept again.
  ASSERT_EQ(j->put_record(make(5, 5)), JournalStatus::ok);
  remount();
  EXPECT_EQ(j->record_count(), 1u);
}

TEST_F(Fixture, CountersAndConfigSurviveAndTheNewestWins) {
  ASSERT_EQ(j->put_counters({1, 33}), JournalStatus::ok);
  ASSERT_EQ(j->put_counters({2, 65}), JournalStatus::ok);
  const std::string cfg = "interval=30";
  ASSERT_EQ(j->put_config(cfg.data(), cfg.size()), JournalStatus::ok);
  remount();
  EXPECT_EQ(j->counters(), (Counters{2, 65}));
  char out[64] = {};
  ASSERT_EQ(j->config(out, sizeof out), cfg.size());
  EXPECT_EQ(std::string(out, cfg.size()), cfg);
  EXPECT_EQ(j->config(out, 4), 0u) << "a config that does not fit is not truncated";
  std::string big(max_config_size + 1, 'x');
  EXPECT_EQ(j->put_config(big.data(), big.size()), JournalStatus::too_large);
}

TEST_F(Fixture, TheIndexHasAFixedCapacityAndSaysWhenFull) {
  for (uint64_t s = 1; s <= config::journal_max_records; ++s)
    ASSERT_EQ(j->put_record(make(s, 1)), JournalStatus::ok) << s;
  EXPECT_EQ(j->put_record(make(100000, 1)), JournalStatus::index_full);
  EXPECT_EQ(j->put_record(make(7, 2)), JournalStatus::ok) << "a known session may still update";
  remount();
  EXPECT_EQ(j->record_count(), config::journal_max_records);
  for (size_t i = 0; i < j->record_count(); ++i) {
    UsageRecord r;
    ASSERT_TRUE(j->record_at(i, r));
    EXPECT_EQ(r.seq, r.session_id == 7 ? 2u : 1u);
  }
}

TEST_F(Fixture, GarbageCollectionKeepsEverythingLiveAndSpreadsWear) {
  // 40 sessions updated over and over: far more bytes than the flash holds.
  for (uint32_t round = 1; round <= 300; ++round)
    for (uint64_t s = 1; s <= 40; ++s) ASSERT_EQ(j->put_record(make(s, round)), JournalStatus::ok);
  ASSERT_EQ(j->put_counters({9, 1000}), JournalStatus::ok);
  for (uint32_t round = 301; round <= 400; ++round)
    for (uint64_t s = 1; s <= 40; ++s) ASSERT_EQ(j->put_record(make(s, round)), JournalStatus::ok);
  EXPECT_GT(j->stats().gc_runs, 10u);
  remount();
  ASSERT_EQ(j->record_count(), 40u);
  for (uint64_t s = 1; s <= 40; ++s) {
    UsageRecord r;
    ASSERT_TRUE(j->find(s, r));
    EXPECT_TRUE(same(r, make(s, 400)));
  }
  EXPECT_EQ(j->counters(), (Counters{9, 1000})) << "counters moved by GC, not lost";
  uint32_t lo = ~0u, hi = 0;
  for (uint32_t s = 0; s < test::agent_flash_geometry.sector_count; ++s) {
    lo = std::min(lo, flash.device().erase_count(s));
    hi = std::max(hi, flash.device().erase_count(s));
  }
  EXPECT_GT(lo, 0u);
  EXPECT_LE(hi - lo, 1u) << "sectors are erased in strict rotation";
  EXPECT_EQ(flash.device().nor_violations(), 0u);
}

TEST_F(Fixture, SaysFullWhenTheLiveSetCannotFit) {
  // Tiny flash: 4 sectors of 512 bytes hold only a few records once two are kept spare.
  std::vector<uint8_t> bytes(4 * 512);
  SimFlash small({512, 4, 4}, bytes.data(), true);
  Journal js(small);
  ASSERT_EQ(js.mount(), JournalStatus::ok);
  JournalStatus st = JournalStatus::ok;
  uint64_t s = 1;
  for (; s < 100 && st == JournalStatus::ok; ++s) st = js.put_record(make(s, 1));
  EXPECT_EQ(st, JournalStatus::full);
  EXPECT_GT(s, 3u);
  // What was accepted is still there.
  Journal again(small);
  ASSERT_EQ(again.mount(), JournalStatus::ok);
  EXPECT_EQ(again.record_count(), s - 2);
}

TEST_F(Fixture, RefusesAGeometryItCannotUse) {
  std::vector<uint8_t> bytes(4 * 4096);
  SimFlash three({4096, 3, 4}, bytes.data(), true);  // two spare leave one: too few
  Journal js(three);
  EXPECT_EQ(js.mount(), JournalStatus::bad_geometry);
  SimFlash odd({4096, 4, 3}, bytes.data(), true);
  Journal jo(odd);
  EXPECT_EQ(jo.mount(), JournalStatus::bad_geometry);
}

TEST_F(Fixture, ForeignBytesAreTreatedAsBlank) {
  for (size_t i = 0; i < flash.bytes().size(); ++i) flash.bytes()[i] = static_cast<uint8_t>(i * 7);
  remount();
  EXPECT_EQ(j->record_count(), 0u);
  ASSERT_EQ(j->put_record(make(1, 1)), JournalStatus::ok);
  remount();
  EXPECT_EQ(j->record_count(), 1u);
}

TEST_F(Fixture, ACutMidWriteKeepsTheOlderRecordAndTheTornEntryIsZeroedBeforeTheNext) {
  ASSERT_EQ(j->put_record(make(5, 1)), JournalStatus::ok);
  flash.device().cut_power_at(flash.device().operations());
  EXPECT_EQ(j->put_record(make(5, 2)), JournalStatus::flash_error);
  remount();
  UsageRecord r;
  ASSERT_TRUE(j->find(5, r));
  EXPECT_TRUE(r.seq == 1 || r.seq == 2);
  // Writing goes on in the same sector, after the torn bytes are zeroed into a filler.
  const uint32_t opened = j->stats().sectors_opened;
  ASSERT_EQ(j->put_record(make(5, 3)), JournalStatus::ok);
  EXPECT_EQ(j->stats().sectors_opened, opened);
  ASSERT_EQ(j->put_record(make(6, 1)), JournalStatus::ok);
  remount();
  ASSERT_TRUE(j->find(5, r));
  EXPECT_EQ(r.seq, 3u);
  EXPECT_EQ(j->record_count(), 2u);
}

TEST_F(Fixture, ACorruptedEntryIsNeverReturned) {
  ASSERT_EQ(j->put_record(make(5, 1)), JournalStatus::ok);
  // Flip a bit inside the stored record (a bit that decays to 0, as NOR does).
  const size_t at = entry::first_entry_max + entry::header_size + 30;
  flash.bytes()[at] &= 0x7F;
  flash.bytes()[at] ^= 0x01;
  UsageRecord r;
  EXPECT_FALSE(j->find(5, r));
  remount();
  EXPECT_EQ(j->record_count(), 0u);
}

}  // namespace
