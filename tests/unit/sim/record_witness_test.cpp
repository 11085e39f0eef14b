// The witness reads the wire itself: a record is durable once an ack names it or the journal
// kept it before the cut, and the newest durable record is what a store must hold at least.
#include "sim/record_witness.h"

#include <gtest/gtest.h>

#include "tests/support/frames.h"

using namespace gm;
using gm::sim::RecordWitness;

namespace {
std::vector<uint8_t> seal_ack(uint64_t login, uint32_t seq, uint64_t session, uint32_t record_seq,
                              const frame::TagKey& key) {
  gatemeter_Ack a = gatemeter_Ack_init_zero;
  a.datagram_seq = seq;
  a.records_count = 1;
  a.records[0] = {session, record_seq};
  std::vector<uint8_t> out(frame::max_frame_size);
  out.resize(frame::seal({frame::FrameKind::ack, login, seq}, &a, key, out.data(), out.size()));
  return out;
}
}  // namespace

TEST(RecordWitness, AnAckedRecordIsDurableWithTheTotalsItWasSentWith) {
  RecordWitness w;
  const frame::TagKey key = test::test_key(3);
  w.login("gw", 77, key);
  for (uint32_t seq = 1; seq <= 3; ++seq) {
    const auto d = test::seal_batch(test::make_batch(1, 500, seq), 77, seq, key);
    w.sent(d.data(), d.size());
  }
  EXPECT_FALSE(w.durable("gw", 500, 1'000).any) << "sent is not durable";
  const auto ack = seal_ack(77, 2, 500, 2, key);
  w.from_census_async(ack.data(), ack.size());
  w.drain();
  const sim::DurablePoint p = w.durable("gw", 500, 1'000);
  ASSERT_TRUE(p.any);
  EXPECT_EQ(p.newest.seq, 2u);
  EXPECT_EQ(p.newest.totals.charged_s, 120u);
  EXPECT_EQ(w.stats().records_acked, 1u);
}

TEST(RecordWitness, FlashCountsOnlyBeforeTheCutAndTheNewestWins) {
  RecordWitness w;
  UsageRecord r;
  r.session_id = 9;
  r.seq = 4;
  r.kind = gatemeter_RecordKind_RECORD_STOP;
  r.cause = gatemeter_StopCause_STOP_USER_REQUEST;
  r.totals.charged_s = 40;
  w.written_to_flash("gw", r, 5'000, true);
  r.seq = 5;
  r.totals.charged_s = 50;
  w.written_to_flash("gw", r, 9'000, true);
  const sim::DurablePoint p = w.durable("gw", 9, 6'000);
  ASSERT_TRUE(p.any);
  EXPECT_EQ(p.newest.seq, 4u);
  EXPECT_EQ(p.stop_cause, gatemeter_StopCause_STOP_USER_REQUEST);
}

TEST(RecordWitness, FramesItCannotOpenAreCountedNotBelieved) {
  RecordWitness w;
  const frame::TagKey key = test::test_key(3);
  w.login("gw", 77, key);
  auto d = test::seal_batch(test::make_batch(1, 500, 1), 77, 1, key);
  w.sent(d.data(), d.size());
  auto forged = seal_ack(77, 1, 500, 1, test::test_key(4));  // wrong key
  w.from_census(forged.data(), forged.size());
  auto invented = seal_ack(77, 2, 500, 9, key);  // names a record never sent
  w.from_census(invented.data(), invented.size());
  EXPECT_EQ(w.stats().unreadable, 1u);
  EXPECT_EQ(w.stats().acked_unsent, 1u);
  EXPECT_FALSE(w.durable("gw", 500, 1'000).any);
}

// After a reboot the agent's STOP from its journal takes the seq after the stored record, which
// a record lost in RAM may already have used: the census holds one of the two.
TEST(RecordWitness, TwoRecordsWithOneSeqCountTheLeastAndKeepBothCauses) {
  RecordWitness w;
  const frame::TagKey key = test::test_key(3);
  w.login("gw", 77, key);
  gatemeter_MeteringBatch lost = test::make_batch(1, 500, 4);
  lost.records[0].kind = gatemeter_RecordKind_RECORD_STOP;
  lost.records[0].stop_cause = gatemeter_StopCause_STOP_USER_REQUEST;
  const auto d1 = test::seal_batch(lost, 77, 1, key);
  w.sent(d1.data(), d1.size());
  w.login("gw", 78, key);
  gatemeter_MeteringBatch rebooted = test::make_batch(1, 500, 3);  // totals of seq 3
  rebooted.records[0].seq = 4;
  rebooted.records[0].kind = gatemeter_RecordKind_RECORD_STOP;
  rebooted.records[0].stop_cause = gatemeter_StopCause_STOP_AGENT_RESTART;
  const auto d2 = test::seal_batch(rebooted, 78, 1, key);
  w.sent(d2.data(), d2.size());
  const auto ack = seal_ack(78, 1, 500, 4, key);
  w.from_census(ack.data(), ack.size());
  const sim::DurablePoint p = w.durable("gw", 500, 1'000);
  ASSERT_TRUE(p.any);
  EXPECT_EQ(p.newest.totals.charged_s, 180u) << "the lesser version";
  EXPECT_EQ(p.stop_cause, gatemeter_StopCause_STOP_USER_REQUEST);
}
