// The hand-over between the receive threads and the committer: its bound, the datagram
// indexes of merged batches, and the wake-up of a receiver that found it full.
#include "host/census/commit_queue.h"

#include <gtest/gtest.h>

namespace gm::host {
namespace {

using namespace std::chrono_literals;

// A batch of `datagrams` datagrams of `records` records each, with one confirmation each.
VerifiedBatch batch(uint32_t datagrams, uint32_t records, uint64_t first_session = 1) {
  VerifiedBatch b;
  for (uint32_t d = 0; d < datagrams; ++d) {
    b.commit.datagrams.push_back({1, 77, d + 1});
    b.acks.emplace_back().seq = d + 1;
    for (uint32_t r = 0; r < records; ++r) {
      VerifiedRecord v;
      v.record.session_id = first_session++;
      v.datagram = d;
      b.commit.records.push_back(v);
    }
    b.commit.confirmations.push_back({d, 100 + d});
  }
  return b;
}

TEST(CensusCommitQueue, MergedBatchesKeepEachRecordWithItsDatagram) {
  std::atomic<uint64_t> depth{0};
  CommitQueue q(100, depth);
  auto a = batch(2, 3);
  auto b = batch(1, 2, 50);
  ASSERT_TRUE(q.push(a, [] {}));
  ASSERT_TRUE(q.push(b, [] {}));
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(depth.load(), 8u);

  VerifiedBatch out;
  EXPECT_FALSE(q.take(out, 0ms));
  EXPECT_EQ(depth.load(), 0u);
  ASSERT_EQ(out.acks.size(), 3u);
  ASSERT_EQ(out.commit.datagrams.size(), 3u);
  ASSERT_EQ(out.commit.records.size(), 8u);
  EXPECT_EQ(out.commit.records[6].record.session_id, 50u);
  EXPECT_EQ(out.commit.records[6].datagram, 2u);
  EXPECT_EQ(out.commit.records[5].datagram, 1u);
  ASSERT_EQ(out.commit.confirmations.size(), 3u);
  EXPECT_EQ(out.commit.confirmations[2].datagram, 2u);
  EXPECT_EQ(out.commit.confirmations[2].command, 100);
}

TEST(CensusCommitQueue, AFullQueueKeepsTheBatchAndWakesItsSenderOnceTaken) {
  std::atomic<uint64_t> depth{0};
  CommitQueue q(10, depth);
  auto first = batch(1, 8);
  ASSERT_TRUE(q.push(first, [] {}));
  auto second = batch(1, 3);
  int woken = 0;
  EXPECT_FALSE(q.push(second, [&] { ++woken; }));
  EXPECT_EQ(second.commit.records.size(), 3u);  // kept by its sender
  EXPECT_EQ(woken, 0);

  VerifiedBatch out;
  q.take(out, 0ms);
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(out.commit.records.size(), 8u);
  EXPECT_TRUE(q.push(second, [] {}));
  out.clear();
  q.take(out, 0ms);
  EXPECT_EQ(woken, 1);
}

TEST(CensusCommitQueue, ABatchLargerThanTheBoundGoesWhenTheQueueHoldsNoRecords) {
  std::atomic<uint64_t> depth{0};
  CommitQueue q(10, depth);
  auto big = batch(2, 20);
  EXPECT_TRUE(q.push(big, [] {}));
  EXPECT_EQ(depth.load(), 40u);
}

TEST(CensusCommitQueue, CloseEndsTheWaitAndHandsOverTheRest) {
  std::atomic<uint64_t> depth{0};
  CommitQueue q(100, depth);
  auto a = batch(1, 1);
  ASSERT_TRUE(q.push(a, [] {}));
  q.close();
  VerifiedBatch out;
  EXPECT_TRUE(q.take(out, 1h));
  EXPECT_EQ(out.acks.size(), 1u);
  out.clear();
  EXPECT_TRUE(q.take(out, 1h));
  EXPECT_TRUE(out.empty());
}

TEST(CensusCommitQueue, SendersWaitingWhenClosedAreForgottenNotCalled) {
  std::atomic<uint64_t> depth{0};
  CommitQueue q(1, depth);
  auto a = batch(1, 1);
  auto b = batch(1, 1);
  ASSERT_TRUE(q.push(a, [] {}));
  bool woken = false;
  ASSERT_FALSE(q.push(b, [&] { woken = true; }));
  q.close();
  VerifiedBatch out;
  q.take(out, 0ms);
  EXPECT_FALSE(woken);
}

}  // namespace
}  // namespace gm::host
