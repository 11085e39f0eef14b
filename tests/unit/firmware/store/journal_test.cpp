// The flash journal over simulated NOR flash: what it keeps, what it forgets, how it collects
// garbage and spreads wear, and what it recovers after a power cut at chosen points. (The
// exhaustive cut-at-every-operation test is tests/fault/journal_torture_test.)
#include "firmware/store/journal.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

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
         a.billing_outage == b.billing_outage && a.start_unix == b.start_unix && std::strcmp(a.subscriber, b.subscriber) == 0 &&
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

TEST_F(Fixture, BillingOutageSurvivesARemountBesideTheBillingOption) {
  UsageRecord outage = make(8, 2);
  outage.billing = gatemeter_BillingOption_BILLING_ROAMING;
  outage.billing_outage = true;
  ASSERT_EQ(j->put_record(outage), JournalStatus::ok);
  ASSERT_EQ(j->put_record(make(9, 1)), JournalStatus::ok);
  remount();
  UsageRecord r;
  ASSERT_TRUE(j->find(8, r));
  EXPECT_EQ(r.billing, gatemeter_BillingOption_BILLING_ROAMING);
  EXPECT_TRUE(r.billing_outage);
  ASSERT_TRUE(j->find(9, r));
  EXPECT_EQ(r.billing, gatemeter_BillingOption_BILLING_PREPAID);
  EXPECT_FALSE(r.billing_outage);
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

// Remembers the operation that programmed the last retire entry: a collection ends with it.
struct LastRetire final : FlashObserver {
  uint64_t index = ~uint64_t{0};
  void before_operation(uint64_t i, Op op, uint32_t, const void* data, size_t) override {
    if (op == Op::program && *static_cast<const uint8_t*>(data) == uint8_t(entry::Type::retire))
      index = i;
  }
};

// A collection cut short, booted, cut again in the collection that resumes it, and so on: the
// same collection is cut up to five times in a row, hundreds of times over. After every reboot
// the journal holds what it promised (or the interrupted call's result) and still has both
// spare sectors: a cut costs at most the torn entry's space, never a sector, so no chain of
// interrupted collections leaves it full with the power on.
TEST(JournalPowerCuts, NoChainOfCutCollectionsUsesUpTheSpareSectors) {
  const hal::FlashGeometry g{512, 8, 4};  // 6 records a sector: collections all the time
  std::vector<uint8_t> bytes(size_t{g.sector_size} * g.sector_count);
  { SimFlash blank(g, bytes.data(), true); }
  std::map<uint64_t, uint32_t> stored;  // session -> seq the journal acknowledged
  std::mt19937_64 rng(11);
  uint32_t cuts_in_collections = 0, chains_of_five = 0;

  // Mounts, checks the spare sectors and that every session holds its acknowledged seq (the
  // session being written may also hold the new one).
  auto mount_and_check = [&](SimFlash& f, Journal& j, uint64_t id, uint32_t seq) {
    ASSERT_EQ(j.mount(), JournalStatus::ok);
    ASSERT_LE(j.live_sectors(), g.sector_count - 2) << "a cut cost a spare sector";
    ASSERT_EQ(f.nor_violations(), 0u);
    size_t expected = stored.size();
    for (const auto& [s, q] : stored) {
      UsageRecord r;
      ASSERT_TRUE(j.find(s, r)) << s;
      if (s == id) {
        EXPECT_TRUE(r.seq == q || r.seq == seq) << s;
      } else {
        EXPECT_EQ(r.seq, q) << s;
      }
    }
    if (stored.count(id) == 0) {
      UsageRecord r;
      if (j.find(id, r)) {
        EXPECT_EQ(r.seq, seq);
        ++expected;
      }
    }
    EXPECT_EQ(j.record_count(), expected);
  };

  for (int step = 0; step < 3000; ++step) {
    const uint64_t id = 1 + rng() % 10;
    if (stored.count(id) != 0 && rng() % 4 == 0) {  // an acknowledgement now and then
      SimFlash f(g, bytes.data(), false);
      Journal j(f);
      ASSERT_EQ(j.mount(), JournalStatus::ok);
      ASSERT_EQ(j.forget(id, stored[id]), JournalStatus::ok);
      stored.erase(id);
      continue;
    }
    const uint32_t seq = (stored.count(id) != 0 ? stored[id] : 0) + 1;
    for (int cut = 0; cut < 5; ++cut) {
      // A clean run on a copy says whether the put collects, and which operations do.
      std::vector<uint8_t> trial = bytes;
      LastRetire last;
      {
        SimFlash f(g, trial.data(), false);
        f.observe(&last);
        Journal j(f);
        ASSERT_EQ(j.mount(), JournalStatus::ok);
        ASSERT_EQ(j.put_record(make(id, seq)), JournalStatus::ok) << "step " << step;
        if (j.stats().gc_runs == 0) break;
      }
      SimFlash f(g, bytes.data(), false, rng());
      Journal j(f);
      f.cut_power_at(rng() % (last.index + 1));  // up to and including the retire entry
      ASSERT_EQ(j.mount(), JournalStatus::ok);
      ASSERT_NE(j.put_record(make(id, seq)), JournalStatus::ok);
      ASSERT_FALSE(f.powered());
      ++cuts_in_collections;
      if (cut == 4) ++chains_of_five;
      f.power_on();
      Journal after(f);
      mount_and_check(f, after, id, seq);
      if (HasFatalFailure()) return;
    }
    SimFlash f(g, bytes.data(), false);
    Journal j(f);
    mount_and_check(f, j, id, seq);
    if (HasFatalFailure()) return;
    ASSERT_EQ(j.put_record(make(id, seq)), JournalStatus::ok) << "step " << step;
    stored[id] = seq;
  }
  EXPECT_GT(cuts_in_collections, 1000u);
  EXPECT_GT(chains_of_five, 100u);
}

// What a clean run of one call writes: each program's address and bytes (an erase: no bytes).
struct Writes final : FlashObserver {
  struct Write {
    Op op;
    uint32_t address;
    std::vector<uint8_t> bytes;
  };
  std::vector<Write> writes;
  void before_operation(uint64_t, Op op, uint32_t address, const void* data,
                        size_t length) override {
    const auto* b = static_cast<const uint8_t*>(data);
    writes.push_back(
        {op, address,
         op == Op::program ? std::vector<uint8_t>(b, b + length) : std::vector<uint8_t>{}});
  }
};

// A collection opens a sector, copies a record into it and is cut before its retire entry:
// recovery leaves that sector out, though its copy is still on the flash. The record is then
// forgotten in the old head. However the journal is mounted after that, the record must stay
// forgotten: the left-out sector's copies must never count again once the state has moved on.
TEST(JournalPowerCuts, CopiesLeftOutByRecoveryNeverComeBackAfterAForget) {
  const hal::FlashGeometry g{512, 8, 4};
  std::vector<uint8_t> bytes(size_t{g.sector_size} * g.sector_count);
  { SimFlash blank(g, bytes.data(), true); }
  std::mt19937_64 rng(5);
  uint32_t seqs[11] = {};
  uint32_t checked = 0;
  for (int step = 0; step < 20000 && checked < 20; ++step) {
    const uint64_t id = 1 + rng() % 10;
    // A clean run on a copy: does the put's collection open a sector and copy a record into it?
    std::vector<uint8_t> trial = bytes;
    Writes w;
    {
      SimFlash f(g, trial.data(), false);
      f.observe(&w);
      Journal j(f);
      ASSERT_EQ(j.mount(), JournalStatus::ok);
      ASSERT_EQ(j.put_record(make(id, seqs[id] + 1)), JournalStatus::ok);
    }
    size_t opened = w.writes.size(), copy = 0, retire = 0;
    for (size_t i = 0; i < w.writes.size(); ++i) {
      const Writes::Write& x = w.writes[i];
      if (x.op == FlashObserver::Op::erase) {
        opened = i;
      } else if (i > opened + 1 && copy == 0 && x.bytes[0] == uint8_t(entry::Type::record) &&
                 x.address / g.sector_size == w.writes[opened].address / g.sector_size) {
        copy = i;
      } else if (copy != 0 && retire == 0 && x.bytes[0] == uint8_t(entry::Type::retire)) {
        retire = i;
      }
    }
    SimFlash f(g, bytes.data(), false, rng());
    if (retire != 0) {
      // Cut at the retire entry: the new sector holds the copies and a torn retire.
      f.cut_power_at(retire);
      Journal j(f);
      ASSERT_EQ(j.mount(), JournalStatus::ok);
      ASSERT_NE(j.put_record(make(id, seqs[id] + 1)), JournalStatus::ok);
      f.power_on();
      const uint8_t* copied = w.writes[copy].bytes.data() + entry::header_size;
      const uint64_t session = entry::get_u64(copied);
      const uint32_t seq = entry::get_u32(copied + 8);
      Journal after(f);
      ASSERT_EQ(after.mount(), JournalStatus::ok);
      ASSERT_EQ(seqs[session], seq);
      const uint32_t sectors_opened = after.stats().sectors_opened;
      ASSERT_EQ(after.forget(session, seq), JournalStatus::ok);
      seqs[session] = 0;
      if (after.stats().sectors_opened != sectors_opened) continue;  // the sector was erased
      Journal again(f);
      ASSERT_EQ(again.mount(), JournalStatus::ok);
      UsageRecord r;
      EXPECT_FALSE(again.find(session, r)) << "a forgotten record came back, step " << step;
      ++checked;
      continue;
    }
    Journal j(f);
    ASSERT_EQ(j.mount(), JournalStatus::ok);
    ASSERT_EQ(j.put_record(make(id, ++seqs[id])), JournalStatus::ok);
    if (rng() % 3 == 0) {  // keep the live set small
      const uint64_t acked = 1 + rng() % 10;
      if (seqs[acked] != 0) {
        ASSERT_EQ(j.forget(acked, seqs[acked]), JournalStatus::ok);
        seqs[acked] = 0;
      }
    }
  }
  EXPECT_GE(checked, 20u);
}

}  // namespace
