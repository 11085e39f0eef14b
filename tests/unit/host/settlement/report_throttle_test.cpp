// The settlement-reports login throttle (host/settlement/report_throttle.h): 5 failures of a
// key within 60 s lock it for 60 s; memory stays bounded.
#include "host/settlement/report_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace gm::settlement {
namespace {

TEST(ReportThrottle, FiveFailuresWithinAMinuteLockTheKeyForAMinute) {
  ReportThrottle t;
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(t.failed("A", 1000 + i));
    EXPECT_EQ(t.wait_s("A", 1000 + i), 0);
  }
  EXPECT_TRUE(t.failed("A", 1010));
  EXPECT_EQ(t.wait_s("A", 1010), 60);
  EXPECT_EQ(t.wait_s("A", 1069), 1);
  EXPECT_EQ(t.wait_s("A", 1070), 0);
  EXPECT_EQ(t.wait_s("B", 1010), 0);  // keys are apart
  // After the lockout the count starts again: four more do not lock.
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(t.failed("A", 1070 + i));
  EXPECT_EQ(t.wait_s("A", 1074), 0);
  EXPECT_TRUE(t.failed("A", 1075));
}

TEST(ReportThrottle, TheMinuteSlides) {
  ReportThrottle t;
  // One failure every 15 s: never five within 60 s (the oldest of the last five is 60 s old).
  for (int64_t at = 0; at <= 600; at += 15) EXPECT_FALSE(t.failed("A", at)) << at;
  // Four at the end of one minute and one at the start of the next: five within 60 s.
  ReportThrottle u;
  for (int64_t at : {50, 55, 56, 57}) EXPECT_FALSE(u.failed("A", at));
  EXPECT_TRUE(u.failed("A", 109));
  // Five, the first exactly 60 s before the fifth: not within the minute.
  ReportThrottle v;
  for (int64_t at : {0, 1, 2, 3}) EXPECT_FALSE(v.failed("A", at));
  EXPECT_FALSE(v.failed("A", 60));
}

TEST(ReportThrottle, MemoryIsBoundedAndALockedKeyOutlivesQuietOnes) {
  ReportThrottle t;
  for (int i = 0; i < 5; ++i) t.failed("locked", 100);
  ASSERT_EQ(t.wait_s("locked", 100), 60);
  for (size_t i = 0; i < ReportThrottle::max_keys * 2; ++i) {
    t.failed("address-" + std::to_string(i), 100);
    ASSERT_LE(t.keys(), ReportThrottle::max_keys);
  }
  EXPECT_EQ(t.wait_s("locked", 130), 30);
  // Once their window has passed, keys that failed once make room for new ones at once.
  t.failed("late", 1000);
  EXPECT_LE(t.keys(), 2u + 1u);
}

}  // namespace
}  // namespace gm::settlement
