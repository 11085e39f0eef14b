// The comparison that decides the chaos test: exact, within a power cut's allowance, or not.
#include "sim/usage_compare.h"

#include <gtest/gtest.h>

using namespace gm::sim;

namespace {
UsageRow row(uint64_t c, uint64_t f, uint64_t i, uint64_t o) {
  UsageRow r;
  r.charged_s = c;
  r.free_s = f;
  r.octets_in = i;
  r.octets_out = o;
  r.ended = true;
  return r;
}
}  // namespace

TEST(UsageCompare, ExactWithinBoundAndViolations) {
  UsageTable truth, store;
  truth[{"gw", 1}] = row(60, 0, 1000, 100);  // exact
  store[{"gw", 1}] = row(60, 0, 1000, 100);
  UsageRow cut = row(100, 10, 5000, 500);    // cut: may lack 15 s, 800 in, 80 out
  cut.power_cut = true;
  cut.may_lack_s = 15;
  cut.may_lack_in = 800;
  cut.may_lack_out = 80;
  truth[{"gw", 2}] = cut;
  store[{"gw", 2}] = row(90, 10, 4300, 450);  // short by 10 s, 700, 50: within
  truth[{"gw", 3}] = cut;
  store[{"gw", 3}] = row(80, 10, 5000, 500);  // short by 20 s: too much
  truth[{"gw", 4}] = row(10, 0, 10, 10);      // clean end, short: violation
  store[{"gw", 4}] = row(9, 0, 10, 10);
  truth[{"gw", 5}] = row(10, 0, 10, 10);      // more than the truth: violation
  store[{"gw", 5}] = row(10, 0, 11, 10);
  store[{"gw", 6}] = row(1, 0, 0, 0);         // unknown to the truth: violation
  const CompareResult r = compare_usage(truth, store);
  EXPECT_EQ(r.sessions, 5u);
  EXPECT_EQ(r.exact, 1u);
  EXPECT_EQ(r.within_bound, 1u);
  EXPECT_EQ(r.violations, 4u);
}

TEST(UsageCompare, AMissingSessionIsWithinBoundOnlyIfAllOfItFitsTheAllowance) {
  UsageTable truth, store;
  UsageRow small = row(3, 0, 10, 1);
  small.power_cut = true;
  small.may_lack_s = 5;
  small.may_lack_in = 10;
  small.may_lack_out = 1;
  truth[{"gw", 1}] = small;
  EXPECT_EQ(compare_usage(truth, store).within_bound, 1u);
  truth[{"gw", 1}].power_cut = false;
  EXPECT_EQ(compare_usage(truth, store).violations, 1u);
}
