// The comparison that decides the chaos test: exact, at a power cut's durable point, or not.
#include "sim/usage_compare.h"

#include <gtest/gtest.h>

using namespace gm::sim;

namespace {
constexpr int32_t user = gatemeter_StopCause_STOP_USER_REQUEST;
constexpr int32_t restart = gatemeter_StopCause_STOP_AGENT_RESTART;

UsageRow row(uint32_t c, uint32_t f, uint64_t i, uint64_t o, int32_t cause = user,
             const char* state = "stopped") {
  UsageRow r;
  r.totals = {c, f, i, o};
  r.ended = true;
  r.stop_cause = cause;
  r.state = state;
  return r;
}

UsageRow cut(UsageRow truth, bool durable, gm::UsageTotals at = {}) {
  truth.power_cut = true;
  truth.stop_cause = restart;
  truth.durable = durable;
  truth.durable_totals = at;
  return truth;
}
}  // namespace

TEST(UsageCompare, UntouchedSessionsMustBeExactStoppedAndWithTheirCause) {
  UsageTable truth, store;
  truth[{"gw", 1}] = row(60, 0, 1000, 100);
  store[{"gw", 1}] = row(60, 0, 1000, 100);
  truth[{"gw", 2}] = row(10, 0, 10, 10);
  store[{"gw", 2}] = row(9, 0, 10, 10);  // short by a second
  truth[{"gw", 3}] = row(10, 0, 10, 10);
  store[{"gw", 3}] = row(10, 0, 10, 10, user, "open");
  truth[{"gw", 4}] = row(10, 0, 10, 10);
  store[{"gw", 4}] = row(10, 0, 10, 10, gatemeter_StopCause_STOP_IDLE_TIMEOUT);
  truth[{"gw", 5}] = row(10, 0, 10, 10);  // missing
  const CompareResult r = compare_usage(truth, store);
  EXPECT_EQ(r.sessions, 5u);
  EXPECT_EQ(r.exact, 1u);
  EXPECT_EQ(r.violations, 4u);
}

TEST(UsageCompare, ACutSessionMustHoldItsDurablePointAndNoMoreThanTheTruth) {
  UsageTable truth, store;
  const UsageRow t = cut(row(100, 10, 5000, 500), true, {50, 10, 2000, 200});
  truth[{"gw", 1}] = t;
  store[{"gw", 1}] = row(60, 10, 2500, 250, restart, "closed_by_restart");  // between: fine
  truth[{"gw", 2}] = t;
  store[{"gw", 2}] = row(40, 10, 2500, 250, restart);  // below the durable point
  truth[{"gw", 3}] = t;
  store[{"gw", 3}] = row(100, 10, 5001, 500, restart);  // above the truth
  truth[{"gw", 4}] = t;  // missing although something was durable
  truth[{"gw", 5}] = cut(row(3, 0, 10, 1), false);  // missing, nothing durable: fine
  truth[{"gw", 6}] = t;
  store[{"gw", 6}] = row(60, 10, 2500, 250, user);  // a cause no STOP carried
  const CompareResult r = compare_usage(truth, store);
  EXPECT_EQ(r.at_durable_point, 2u);
  EXPECT_EQ(r.violations, 4u);
  EXPECT_EQ(r.exact + r.at_durable_point + r.violations, r.sessions);
  EXPECT_EQ(r.cut_seconds, (110u - 70u) + 3u);
}

TEST(UsageCompare, ACutSessionMayKeepTheCauseOfAStopThatLeftTheAgent) {
  UsageTable truth, store;
  UsageRow t = cut(row(20, 0, 100, 10, user), true, {20, 0, 100, 10});
  t.stop_cause = user;
  t.durable_stop_cause = user;
  truth[{"gw", 1}] = t;
  store[{"gw", 1}] = row(20, 0, 100, 10, user);
  const CompareResult r = compare_usage(truth, store);
  EXPECT_EQ(r.exact, 1u);
  EXPECT_EQ(r.violations, 0u);
}

TEST(UsageCompare, SessionsTheSimulatorNeverStartedAreViolations) {
  UsageTable truth, store;
  store[{"gw", 6}] = row(1, 0, 0, 0);
  EXPECT_EQ(compare_usage(truth, store).violations, 1u);
}
