// The truth log derives connect time from the simulator's own moments (start, decision, free
// period, end) and octets from what it fed; nothing comes from the agent's meter.
#include "sim/truth_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

using gm::UsageTotals;
using gm::sim::TruthEntry;
using gm::sim::TruthLog;
using gm::sim::truth_totals;

namespace {
TruthEntry session(uint64_t start_ms, uint64_t decided_ms, uint64_t end_ms) {
  TruthEntry e;
  e.started_ms = start_ms;
  e.decided = decided_ms != 0;
  e.decided_ms = decided_ms;
  e.ended_ms = end_ms;
  e.ended = true;
  return e;
}
}  // namespace

TEST(TruthTotals, SecondsBeforeTheDecisionAreFreeTheRestCharged) {
  // 10.7 s in all: 10 whole seconds; decided at 2.5 s: the 2 seconds that ended before are free.
  const UsageTotals t = truth_totals(session(1'000'300, 1'002'800, 1'011'000));
  EXPECT_EQ(t.free_s, 2u);
  EXPECT_EQ(t.charged_s, 8u);
}

TEST(TruthTotals, ARejectedOrUndecidedSessionIsAllFree) {
  EXPECT_EQ(truth_totals(session(5'000, 9'500, 9'500)).charged_s, 0u);
  EXPECT_EQ(truth_totals(session(5'000, 9'500, 9'500)).free_s, 4u);
  EXPECT_EQ(truth_totals(session(5'000, 0, 9'500)).free_s, 4u);
}

TEST(TruthTotals, AFreePeriodStartsAtTheWholeSecondItWasGrantedIn) {
  TruthEntry e = session(10'400, 10'400, 30'400);  // 20 seconds, decided at once
  e.free_at_ms = 15'900;  // free from 15.0 s for 5 s: the seconds starting at 15.4 .. 19.4
  e.free_for_s = 5;
  const UsageTotals t = truth_totals(e);
  EXPECT_EQ(t.free_s, 5u);
  EXPECT_EQ(t.charged_s, 15u);
}

TEST(TruthTotals, FreeBillingMakesEverySecondFree) {
  TruthEntry e = session(0, 1'000, 60'000);
  e.free_billing = true;
  EXPECT_EQ(truth_totals(e).free_s, 60u);
  EXPECT_EQ(truth_totals(e).charged_s, 0u);
}

TEST(TruthLog, CountsWhatWasFedWhileConnectedAndWhatTheAgentRefused) {
  TruthLog t;
  t.started("gw", 7, "a@r.example", false, 1'000);
  t.decided("gw", 7, 2'000);
  t.fed("gw", 7, 100, 10, false);
  t.fed("gw", 7, 50, 5, true);
  t.ended("gw", 7, 1, 5'000);
  t.fed("gw", 7, 999, 999, false);  // after the end: the subscriber is gone
  t.ended("gw", 7, 2, 9'000);       // ended once
  const TruthEntry& e = t.entries().at({"gw", 7});
  EXPECT_EQ(e.octets_in, 150u);
  EXPECT_EQ(e.refused_in, 50u);
  EXPECT_EQ(e.stop_cause, 1);
  EXPECT_EQ(truth_totals(e).charged_s, 3u);
  EXPECT_FALSE(e.power_cut);
  EXPECT_FALSE(t.connected("gw", 7));
}

TEST(TruthLog, APowerCutEndsAConnectedSessionAsAnAgentRestart) {
  TruthLog t;
  t.started("gw", 1, "a@r.example", false, 0);
  t.cut("gw", 1, 12'500);
  const TruthEntry& e = t.entries().at({"gw", 1});
  EXPECT_TRUE(e.power_cut);
  EXPECT_EQ(e.stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(truth_totals(e).free_s, 12u);  // never decided: all walled garden
}

TEST(TruthLog, ACutAfterTheEndKeepsTheRealCauseAndMarksTheSession) {
  TruthLog t;
  t.started("gw", 2, "b@r.example", false, 0);
  t.ended("gw", 2, gatemeter_StopCause_STOP_USER_REQUEST, 4'000);
  t.cut_after_end("gw", 2, 5'000);
  const TruthEntry& e = t.entries().at({"gw", 2});
  EXPECT_TRUE(e.power_cut);
  EXPECT_EQ(e.stop_cause, gatemeter_StopCause_STOP_USER_REQUEST);
  EXPECT_EQ(truth_totals(e).free_s, 4u);
}

TEST(TruthLog, WritesACsvWithAHeader) {
  TruthLog t;
  t.started("gw", 3, "c@r.example", false, 0);
  t.decided("gw", 3, 0);
  t.fed("gw", 3, 1, 2, false);
  t.ended("gw", 3, 1, 4'200);
  const std::string path = ::testing::TempDir() + "truth_test.csv";
  ASSERT_TRUE(t.write_csv(path));
  std::ifstream f(path);
  std::string header, row;
  std::getline(f, header);
  std::getline(f, row);
  EXPECT_EQ(header.rfind("agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out", 0), 0u);
  EXPECT_EQ(row, "gw,3,c@r.example,4,0,1,2,0,0,1,1,0,0,0,0,0,0,0,-1,,0,4200,0,0,0");
}

TEST(TruthLog, KeepsWhatBillingToldTheGatewayUntilTheSessionEnds) {
  TruthLog t;
  t.started("gw", 3, "c@r.example", false, 100);
  t.billed("gw", 3, "acct-1");
  t.temporarily_approved("gw", 3, 900);
  t.temporarily_approved("gw", 3, 1'500);  // the first one counts
  t.told_final("gw", 3, 40, 2'000);
  t.told_final("gw", 3, 40, 2'500);  // the same grant again: still told at 2,000
  t.told_final("gw", 3, 42, 3'000);  // a newer final grant
  t.told_final("gw", 4, 42, 3'000);  // a session the log does not hold: nothing
  TruthEntry e3 = t.entries().at({"gw", 3});
  EXPECT_EQ(e3.final_grant_s, 42u);
  t.told_final("gw", 3, 0, 3'200);   // a remote approval's grant, not final, replaced it
  EXPECT_EQ(t.entries().at({"gw", 3}).final_grant_s, 0u);
  EXPECT_EQ(t.entries().at({"gw", 3}).final_ms, 0u);
  t.told_final("gw", 3, 42, 3'000);  // final again
  t.ended("gw", 3, gatemeter_StopCause_STOP_ZERO_BALANCE, 4'000);
  t.told_final("gw", 3, 50, 5'000);  // after the end: nothing
  const TruthEntry& e = t.entries().at({"gw", 3});
  EXPECT_EQ(e.account, "acct-1");
  EXPECT_EQ(e.temporary_ms, 900u);
  EXPECT_EQ(e.final_grant_s, 42u);
  EXPECT_EQ(e.final_ms, 3'000u);
}
