// The low-balance rule (low_balance.h): the account's threshold or the default, at or below it
// a warning for a session not yet warned, above it the mark cleared, and 0 meaning none.
#include "host/billing/low_balance.h"

#include <gtest/gtest.h>

namespace gm::billing {
namespace {

host::LowBalanceCandidate candidate(int64_t balance, int64_t own_threshold, int64_t warned) {
  return {7, 0x8000000000000001ull, 3, balance, own_threshold, warned};
}

TEST(LowBalance, TheAccountsOwnThresholdWinsOverTheDefault) {
  EXPECT_EQ(low_balance_threshold(250'000, 1'000'000), 250'000);
  EXPECT_EQ(low_balance_threshold(0, 1'000'000), 1'000'000);
  EXPECT_EQ(low_balance_threshold(0, 0), 0);
}

TEST(LowBalance, AtOrBelowTheThresholdASessionNotYetWarnedIsWarned) {
  const auto w = plan_low_balance(
      {candidate(1'000'000, 0, 0), candidate(999'999, 0, 0), candidate(1'000'001, 0, 0)},
      1'000'000);
  ASSERT_EQ(w.warn.size(), 2u) << "at the threshold counts";
  EXPECT_EQ(w.warn[0].agent, 7);
  EXPECT_EQ(w.warn[0].session_id, 0x8000000000000001ull);
  EXPECT_EQ(w.warn[0].account, 3);
  EXPECT_EQ(w.warn[0].threshold_micros, 1'000'000);
  EXPECT_TRUE(w.rearm.empty());
}

TEST(LowBalance, AWarnedSessionIsNotWarnedAgainUntilATopUpReArmsIt) {
  EXPECT_TRUE(plan_low_balance({candidate(10, 0, 1'700'000'000)}, 1'000'000).warn.empty());
  const auto topped_up = plan_low_balance({candidate(1'000'001, 0, 1'700'000'000)}, 1'000'000);
  EXPECT_TRUE(topped_up.warn.empty());
  ASSERT_EQ(topped_up.rearm.size(), 1u);
  EXPECT_EQ(topped_up.rearm[0].threshold_micros, 1'000'000);
}

TEST(LowBalance, ABalanceBelowZeroIsStillLow) {
  EXPECT_EQ(plan_low_balance({candidate(-20'000, 0, 0)}, 1'000'000).warn.size(), 1u);
}

TEST(LowBalance, ZeroEverywhereWarnsNobody) {
  const auto w = plan_low_balance({candidate(-5, 0, 0), candidate(0, 0, 0)}, 0);
  EXPECT_TRUE(w.warn.empty());
  EXPECT_TRUE(w.rearm.empty());
  // An account's own threshold still counts with the default off.
  EXPECT_EQ(plan_low_balance({candidate(400, 500, 0)}, 0).warn.size(), 1u);
}

}  // namespace
}  // namespace gm::billing
