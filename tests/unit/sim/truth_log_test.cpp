// The truth log sums what the simulator fed, and allows a session cut by power to lag by
// exactly what it used in the lag window before the cut — no more.
#include "sim/truth_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

using gm::sim::TruthLog;

TEST(TruthLog, SumsTrafficAndKeepsTheMetersTime) {
  TruthLog t(10'000);
  t.add_traffic("gw", 7, 1'000, 100, 10);
  t.add_traffic("gw", 7, 2'000, 50, 5);
  t.end("gw", 7, "a@r.example", 60, 5, 1, false, 3'000);
  const auto& e = t.entries().at({"gw", 7});
  EXPECT_EQ(e.totals.octets_in, 150u);
  EXPECT_EQ(e.totals.octets_out, 15u);
  EXPECT_EQ(e.totals.charged_s, 60u);
  EXPECT_FALSE(e.power_cut);
  EXPECT_EQ(e.may_lack_in, 0u) << "a clean end allows no lag";
  t.end("gw", 7, "a@r.example", 99, 0, 2, true, 4'000);
  EXPECT_EQ(t.entries().at({"gw", 7}).totals.charged_s, 60u) << "an ended session stays ended";
}

TEST(TruthLog, APowerCutAllowsOnlyTheLagWindow) {
  TruthLog t(10'000);
  t.add_traffic("gw", 1, 1'000, 1000, 100);   // outside the window before the cut at 30 s
  t.add_traffic("gw", 1, 25'000, 40, 4);      // inside
  t.add_traffic("gw", 1, 29'000, 2, 1);       // inside
  t.end("gw", 1, "a@r.example", 29, 0, 7, true, 30'000);
  const auto& e = t.entries().at({"gw", 1});
  EXPECT_TRUE(e.power_cut);
  EXPECT_EQ(e.may_lack_s, 10u);
  EXPECT_EQ(e.may_lack_in, 42u);
  EXPECT_EQ(e.may_lack_out, 5u);
}

TEST(TruthLog, ACutBeforeTheStopWasDurableAllowsTheWindowBeforeTheStop) {
  TruthLog t(5'000);
  t.add_traffic("gw", 2, 8'000, 30, 3);
  t.end("gw", 2, "b@r.example", 9, 0, 1, false, 9'000);
  t.cut_after_end("gw", 2);
  const auto& e = t.entries().at({"gw", 2});
  EXPECT_TRUE(e.power_cut);
  EXPECT_EQ(e.may_lack_in, 30u);
}

TEST(TruthLog, WritesACsvWithAHeader) {
  TruthLog t(1'000);
  t.add_traffic("gw", 3, 0, 1, 2);
  t.end("gw", 3, "c@r.example", 4, 5, 1, false, 10);
  const std::string path = ::testing::TempDir() + "truth_test.csv";
  ASSERT_TRUE(t.write_csv(path));
  std::ifstream f(path);
  std::string header, row;
  std::getline(f, header);
  std::getline(f, row);
  EXPECT_EQ(header.rfind("agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out", 0), 0u);
  EXPECT_EQ(row, "gw,3,c@r.example,4,5,1,2,1,0,1,0,0,0");
}
