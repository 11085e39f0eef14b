// The sweep's rules (stale_sweep.h) over a plain read: stale sessions of present gateways,
// lost carrier for silent ones, and the cases it must leave alone (a gateway just back, one
// never heard, a census that hears nobody, a service that just started, agents not metering).
#include "host/billing/stale_sweep.h"

#include <gtest/gtest.h>

#include "gatemeter.pb.h"

namespace gm::billing {
namespace {

constexpr int64_t now = 1'800'000'000;

SweepRules rules() {
  SweepRules r;
  r.stale_intervals = 3;
  r.interval_s = 10;  // window 30 s
  r.presence_slack_s = 5;
  return r;
}

// A memory in which every gateway has been present for long.
SweepMemory long_present(std::initializer_list<int64_t> agents) {
  SweepMemory m;
  for (int64_t a : agents) m.present_since_unix[a] = now - 1000;
  return m;
}

TEST(StaleSweep, TheWindowIsStaleIntervalsTimesTheInterval) {
  EXPECT_EQ(stale_window_s(rules()), 30);
  EXPECT_EQ(quiet_before(rules(), now), now - 30);
}

TEST(StaleSweep, AQuietSessionOfAPresentGatewayIsClosedAsSessionTimeoutAtItsSeq) {
  host::SweepRead read;
  read.presence = {{1, now - 2, 0}};
  read.quiet = {{1, 0xfedcba9876543210ull, 17, now - 40}};
  SweepMemory memory = long_present({1});
  const host::SweepWrite w = plan_sweep(rules(), read, now, true, memory);
  EXPECT_EQ(w.heard_after_unix, now - 35);
  ASSERT_EQ(w.close.size(), 1u);
  EXPECT_EQ(w.close[0].agent, 1);
  EXPECT_EQ(w.close[0].session_id, 0xfedcba9876543210ull);
  EXPECT_EQ(w.close[0].seq, 17u);
  EXPECT_EQ(w.close[0].cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_TRUE(w.lost.empty());
}

TEST(StaleSweep, ASessionReportedWithinTheWindowStaysOpen) {
  host::SweepRead read;
  read.presence = {{1, now, 0}};
  read.quiet = {{1, 5, 3, now - 30}};  // exactly the window: not yet
  SweepMemory memory = long_present({1});
  EXPECT_TRUE(plan_sweep(rules(), read, now, true, memory).close.empty());
}

TEST(StaleSweep, AGatewayJustBackHasAWindowToReportBeforeItsSessionsAreStale) {
  host::SweepRead read;
  read.presence = {{1, now, 0}};
  read.quiet = {{1, 5, 3, now - 600}};  // its newest record is as old as its outage
  SweepMemory memory;                   // this sweep sees it present for the first time
  EXPECT_TRUE(plan_sweep(rules(), read, now, true, memory).close.empty());
  EXPECT_EQ(memory.present_since_unix.at(1), now);
  // Still present, but not yet for the window: still open.
  EXPECT_TRUE(plan_sweep(rules(), read, now + 29, true, memory).close.empty());
  // Present for the window and still no record: stale.
  const auto w = plan_sweep(rules(), read, now + 30, true, memory);
  ASSERT_EQ(w.close.size(), 1u);
  EXPECT_EQ(w.close[0].cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  // A sweep that finds it silent forgets since when it was present.
  host::SweepRead silent = read;
  silent.presence = {{1, now, 0}, {2, now + 100, 0}};
  plan_sweep(rules(), silent, now + 100, true, memory);
  EXPECT_EQ(memory.present_since_unix.count(1), 0u);
}

TEST(StaleSweep, AGatewayGoingSilentIsNotTakenForItsSessionsGoingStale) {
  host::SweepRead read;
  read.presence = {{1, now - 31, 0}, {2, now, 0}};  // heard last with the session's record
  read.quiet = {{1, 10, 4, now - 31}};
  SweepMemory memory = long_present({1, 2});
  const auto w = plan_sweep(rules(), read, now, true, memory);
  EXPECT_TRUE(w.close.empty()) << "present, but it has not reported anything since";
  EXPECT_TRUE(w.lost.empty()) << "and not silent for window + slack yet";
}

TEST(StaleSweep, ASilentGatewayIsLostAndItsQuietSessionsClosedAsLostCarrier) {
  host::SweepRead read;
  read.presence = {{1, now - 36, 0}, {2, now - 1, 0}, {3, now - 100, 0}};
  read.quiet = {{1, 10, 4, now - 40}, {1, 11, 9, now - 50}};
  SweepMemory memory = long_present({1, 2});
  const host::SweepWrite w = plan_sweep(rules(), read, now, true, memory);
  ASSERT_EQ(w.close.size(), 2u);
  for (const auto& c : w.close) EXPECT_EQ(c.cause, gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(w.lost, (std::vector<int64_t>{1, 3})) << "a silent gateway with no session too";
}

TEST(StaleSweep, SilenceWithinTheSlackOfThePresenceWritesIsNotLoss) {
  host::SweepRead read;
  read.presence = {{1, now - 35, 0}, {2, now, 0}};  // exactly window + slack: still heard
  read.quiet = {{1, 10, 4, now - 70}};
  SweepMemory memory = long_present({1, 2});
  const auto w = plan_sweep(rules(), read, now, true, memory);
  EXPECT_TRUE(w.lost.empty());
  ASSERT_EQ(w.close.size(), 1u);
  EXPECT_EQ(w.close[0].cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
}

TEST(StaleSweep, AGatewayMarkedLostAlreadyIsNotMarkedAgainButItsLaterSessionsClose) {
  host::SweepRead read;
  read.presence = {{1, now - 100, now - 60}, {2, now, 0}};
  read.quiet = {{1, 12, 1, now - 31}};
  SweepMemory memory = long_present({2});
  const auto w = plan_sweep(rules(), read, now, true, memory);
  EXPECT_TRUE(w.lost.empty());
  ASSERT_EQ(w.close.size(), 1u);
  EXPECT_EQ(w.close[0].cause, gatemeter_StopCause_STOP_LOST_CARRIER);
}

TEST(StaleSweep, NoGatewayHeardIsADeafCensusAndNothingIsLost) {
  host::SweepRead read;
  read.presence = {{1, now - 100, 0}, {2, now - 90, 0}};
  read.quiet = {{1, 10, 4, now - 100}, {2, 20, 4, now - 90}};
  SweepMemory memory;
  const auto w = plan_sweep(rules(), read, now, true, memory);
  EXPECT_TRUE(w.close.empty());
  EXPECT_TRUE(w.lost.empty());
}

TEST(StaleSweep, SilenceIsNotJudgedBeforeTheServiceRanAWindow) {
  host::SweepRead read;
  read.presence = {{1, now - 100, 0}, {2, now, 0}};
  read.quiet = {{1, 10, 4, now - 100}};
  SweepMemory memory = long_present({2});
  const auto w = plan_sweep(rules(), read, now, false, memory);
  EXPECT_TRUE(w.close.empty());
  EXPECT_TRUE(w.lost.empty());
}

TEST(StaleSweep, ASessionOfAGatewayNeverHeardIsLeftAlone) {
  host::SweepRead read;
  read.presence = {{2, now, 0}};
  read.quiet = {{1, 10, 0, now - 1000}};  // linked by billing, never reported
  SweepMemory memory = long_present({2});
  EXPECT_TRUE(plan_sweep(rules(), read, now, true, memory).close.empty());
}

TEST(StaleSweep, AgentsThatDoNotMeterHaveNoStaleSessionsButCanBeLost) {
  SweepRules r = rules();
  r.track_usage = false;
  host::SweepRead read;
  read.presence = {{1, now, 0}, {2, now - 100, 0}};
  read.quiet = {{1, 10, 0, now - 1000}, {2, 20, 0, now - 1000}};
  SweepMemory memory = long_present({1});
  const auto w = plan_sweep(r, read, now, true, memory);
  ASSERT_EQ(w.close.size(), 1u);
  EXPECT_EQ(w.close[0].agent, 2);
  EXPECT_EQ(w.close[0].cause, gatemeter_StopCause_STOP_LOST_CARRIER);
}

TEST(StaleSweep, ZeroStaleIntervalsSweepsNothing) {
  SweepRules r = rules();
  r.stale_intervals = 0;
  host::SweepRead read;
  read.presence = {{1, now - 1000, 0}, {2, now, 0}};
  read.quiet = {{1, 10, 4, now - 1000}, {2, 20, 4, now - 1000}};
  SweepMemory memory = long_present({1, 2});
  const auto w = plan_sweep(r, read, now, true, memory);
  EXPECT_TRUE(w.close.empty());
  EXPECT_TRUE(w.lost.empty());
}

}  // namespace
}  // namespace gm::billing
