// The resend rule on its own: which pending commands ride in which ack, with time passed in.
#include "host/census/command_schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace gm::host {
namespace {

using namespace std::chrono_literals;
using Clock = CommandSchedule::Clock;

PendingCommand command(int64_t id, int64_t agent) {
  PendingCommand c;
  c.id = id;
  c.agent = agent;
  c.command.id = static_cast<uint64_t>(id);
  return c;
}

std::vector<int64_t> ids(std::span<const PendingCommand> due) {
  std::vector<int64_t> out;
  for (const PendingCommand& c : due) out.push_back(c.id);
  return out;
}

const Clock::time_point t0 = Clock::time_point() + 1h;

TEST(CensusCommandSchedule, AnAgentWithoutPendingCommandsGetsNone) {
  CommandSchedule s(2s);
  EXPECT_TRUE(s.due(1, t0).empty());
  s.reload({command(10, 2)});
  EXPECT_TRUE(s.due(1, t0).empty());
}

TEST(CensusCommandSchedule, ACommandGoesOutOncePerResendIntervalNotInEveryAck) {
  CommandSchedule s(2s);
  s.reload({command(10, 1)});
  EXPECT_EQ(ids(s.due(1, t0)), std::vector<int64_t>{10});
  EXPECT_TRUE(s.due(1, t0).empty());
  EXPECT_TRUE(s.due(1, t0 + 1999ms).empty());
  EXPECT_EQ(ids(s.due(1, t0 + 2s)), std::vector<int64_t>{10});
  EXPECT_TRUE(s.due(1, t0 + 3s).empty());
}

TEST(CensusCommandSchedule, OldestGoFirstAndANewOneBringsTheOlderUnconfirmedOnesAgain) {
  CommandSchedule s(2s);
  s.reload({command(10, 1), command(11, 1)});
  EXPECT_EQ(ids(s.due(1, t0)), (std::vector<int64_t>{10, 11}));
  // A command queued after those went out: due at once, and the older ones ride with it,
  // in queued order, so the agent never applies a newer one before an older one.
  s.reload({command(10, 1), command(11, 1), command(12, 1)});
  EXPECT_EQ(ids(s.due(1, t0 + 1s)), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_TRUE(s.due(1, t0 + 2s).empty());
}

TEST(CensusCommandSchedule, AnAckCarriesAtMostMaxPerAckTheOldestOnes) {
  CommandSchedule s(2s, 3);
  std::vector<PendingCommand> pending;
  for (int64_t id = 1; id <= 5; ++id) pending.push_back(command(id, 1));
  s.reload(pending);
  EXPECT_EQ(ids(s.due(1, t0)), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(s.due(1, t0 + 1s).empty());
  s.confirmed(1, 1);
  // 4 moves into the first three and has never gone out: due, with 2 and 3.
  EXPECT_EQ(ids(s.due(1, t0 + 1s)), (std::vector<int64_t>{2, 3, 4}));
}

TEST(CensusCommandSchedule, ConfirmedCommandsLeaveAndAreNeverSentAgain) {
  CommandSchedule s(2s);
  s.reload({command(10, 1), command(11, 1)});
  ASSERT_EQ(ids(s.due(1, t0)), (std::vector<int64_t>{10, 11}));
  s.confirmed(1, 10);
  EXPECT_EQ(ids(s.due(1, t0 + 2s)), std::vector<int64_t>{11});
  s.confirmed(1, 11);
  EXPECT_TRUE(s.due(1, t0 + 10s).empty());
}

TEST(CensusCommandSchedule, AConfirmationByAnotherAgentChangesNothing) {
  CommandSchedule s(2s);
  s.reload({command(10, 1)});
  s.confirmed(2, 10);
  EXPECT_EQ(ids(s.due(1, t0)), std::vector<int64_t>{10});
}

TEST(CensusCommandSchedule, AReloadKeepsWhenAStillPendingCommandWasSent) {
  CommandSchedule s(2s);
  s.reload({command(10, 1), command(20, 2)});
  ASSERT_FALSE(s.due(1, t0).empty());
  ASSERT_FALSE(s.due(2, t0).empty());
  s.reload({command(10, 1), command(20, 2)});
  EXPECT_TRUE(s.due(1, t0 + 1s).empty());
  EXPECT_TRUE(s.due(2, t0 + 1s).empty());
  // Delivered through another node: gone from the store, so gone from here.
  s.reload({command(10, 1)});
  EXPECT_TRUE(s.due(2, t0 + 5s).empty());
  EXPECT_EQ(ids(s.due(1, t0 + 5s)), std::vector<int64_t>{10});
}

TEST(CensusCommandSchedule, NothingGoesOutWhileTheStoreCannotSayWhatIsPending) {
  CommandSchedule s(2s);
  s.reload({command(10, 1)});
  ASSERT_FALSE(s.due(1, t0).empty());
  s.forget_pending();
  EXPECT_TRUE(s.due(1, t0 + 5s).empty());
  // When it answers again, the command's last sending still counts.
  s.reload({command(10, 1)});
  EXPECT_EQ(ids(s.due(1, t0 + 5s)), std::vector<int64_t>{10});
}

}  // namespace
}  // namespace gm::host
