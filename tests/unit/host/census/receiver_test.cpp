// A receive thread over a real loopback socket, with the test as its committer: what it
// verifies reaches the commit queue, and a full queue holds it back without losing anything.
#include "host/census/receiver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/support/frames.h"

namespace gm::host {
namespace {

using namespace std::chrono_literals;

class CensusReceiver : public ::testing::Test {
 protected:
  static constexpr uint64_t login_id = 42;

  void SetUp() override {
    login_->id = login_id;
    login_->agent = 3;
    login_->key = test::test_key(9);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    receiver_ = std::make_unique<Receiver>(at, 1 << 20, find_, queue_, stats_);
    receiver_->start();
    to_ = at;
    to_.sin_port = htons(receiver_->port());
    sender_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(sender_, 0);
  }
  void TearDown() override {
    receiver_->stop();
    queue_.close();
    ::close(sender_);
  }

  void send(uint32_t seq, uint64_t session) {
    const auto d = test::seal_batch(test::make_batch(1, session), login_id, seq, login_->key);
    ASSERT_EQ(::sendto(sender_, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to_),
                       sizeof to_),
              static_cast<ssize_t>(d.size()));
  }
  // Waits (bounded, nothing timed is asserted) until cond holds; true if it did.
  template <typename Cond>
  static bool eventually(Cond cond) {
    for (int i = 0; i < 1000 && !cond(); ++i) std::this_thread::sleep_for(5ms);
    return cond();
  }

  CensusStats stats_;
  CommitQueue queue_{1, stats_.queued_records};
  std::shared_ptr<LoginEntry> login_ = std::make_shared<LoginEntry>();
  LoginLookup find_ = [this](uint64_t id) { return id == login_id ? login_ : nullptr; };
  std::unique_ptr<Receiver> receiver_;
  sockaddr_in to_{};
  int sender_ = -1;
};

TEST_F(CensusReceiver, VerifiedDatagramsReachTheQueueAndRefusedOnesAreCountedByReason) {
  send(1, 500);
  const std::vector<uint8_t> garbage(40, 0x55);
  ASSERT_GT(::sendto(sender_, garbage.data(), garbage.size(), 0,
                     reinterpret_cast<const sockaddr*>(&to_), sizeof to_),
            0);
  ASSERT_TRUE(eventually([&] { return stats_.datagrams == 2; }));
  EXPECT_EQ(stats_.refused[static_cast<size_t>(frame::Refusal::bad_magic)], 1u);
  VerifiedBatch out;
  queue_.take(out, 0ms);
  ASSERT_EQ(out.acks.size(), 1u);
  EXPECT_EQ(out.acks[0].seq, 1u);
  ASSERT_EQ(out.commit.records.size(), 1u);
  EXPECT_EQ(out.commit.records[0].record.session_id, 500u);
  EXPECT_EQ(stats_.datagrams_accepted, 1u);
}

TEST_F(CensusReceiver, AFullQueueHoldsTheReceiverBackUntilTheCommitterTakesIt) {
  send(1, 500);
  ASSERT_TRUE(eventually([&] { return stats_.queued_records == 1; }));
  // The queue holds its bound (one record): the next datagram is verified and kept.
  send(2, 501);
  ASSERT_TRUE(eventually([&] { return stats_.datagrams_accepted == 2; }));
  EXPECT_EQ(stats_.queued_records, 1u);

  VerifiedBatch out;
  queue_.take(out, 0ms);  // as the committer does, which wakes the receiver
  ASSERT_EQ(out.acks.size(), 1u);
  EXPECT_EQ(out.acks[0].seq, 1u);
  ASSERT_TRUE(eventually([&] { return stats_.queued_records == 1; }));
  out.clear();
  queue_.take(out, 0ms);
  ASSERT_EQ(out.acks.size(), 1u);
  EXPECT_EQ(out.acks[0].seq, 2u);
  EXPECT_EQ(out.commit.records[0].record.session_id, 501u);

  // And it reads on.
  send(3, 502);
  ASSERT_TRUE(eventually([&] { return stats_.queued_records == 1; }));
}

}  // namespace
}  // namespace gm::host
