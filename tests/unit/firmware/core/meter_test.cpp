#include "firmware/core/meter.h"

#include <gtest/gtest.h>

using namespace gm::core;

namespace {
Session active_at(uint64_t ms) {
  Session s;
  s.id = 1;
  s.state = SessionState::active;
  s.billing = gatemeter_BillingOption_BILLING_PREPAID;
  s.metered_to_ms = ms;
  return s;
}
}  // namespace

TEST(Meter, ChargesWholeSecondsAndCarriesTheFraction) {
  Session s = active_at(10'000);
  meter_time(s, 12'700);
  EXPECT_EQ(s.charged_s, 2u);
  EXPECT_EQ(s.metered_to_ms, 12'000u);
  meter_time(s, 13'000);
  EXPECT_EQ(s.charged_s, 3u);
  EXPECT_EQ(s.free_s, 0u);
}

TEST(Meter, ManySmallStepsEqualOneBigStep) {
  Session a = active_at(5'000), b = active_at(5'000);
  for (uint64_t t = 5'000; t <= 65'000; t += 137) meter_time(a, t);
  meter_time(a, 65'000);
  meter_time(b, 65'000);
  EXPECT_EQ(a.charged_s, 60u);
  EXPECT_EQ(a.charged_s, b.charged_s);
}

TEST(Meter, FreePeriodIsNotCharged) {
  Session s = active_at(100'000);  // t = 100 s
  set_free_period(s, 110, 20);     // [110 s, 130 s) free
  meter_time(s, 160'000);
  EXPECT_EQ(s.free_s, 20u);
  EXPECT_EQ(s.charged_s, 40u);
}

TEST(Meter, FreePeriodSplitAcrossManyTicks) {
  Session s = active_at(100'000);
  set_free_period(s, 110, 20);
  for (uint64_t t = 100'000; t <= 160'000; t += 1'000) meter_time(s, t);
  EXPECT_EQ(s.free_s, 20u);
  EXPECT_EQ(s.charged_s, 40u);
}

TEST(Meter, FreePeriodStartingMidSecondFreesTheSecondsStartingInsideIt) {
  Session s = active_at(100'500);  // seconds start at 100.5, 101.5, ...
  set_free_period(s, 102, 3);      // [102 s, 105 s): seconds starting at 102.5, 103.5, 104.5
  meter_time(s, 110'500);
  EXPECT_EQ(s.free_s, 3u);
  EXPECT_EQ(s.charged_s, 7u);
}

TEST(Meter, FreeBillingIsNeverCharged) {
  Session s = active_at(0);
  s.billing = gatemeter_BillingOption_BILLING_FREE;
  meter_time(s, 90'000);
  EXPECT_EQ(s.free_s, 90u);
  EXPECT_EQ(s.charged_s, 0u);
}

TEST(Meter, AuthorisingTimeIsFreeWalledGarden) {
  Session s = active_at(0);
  s.state = SessionState::authorising;
  meter_time(s, 30'000);
  EXPECT_EQ(s.free_s, 30u);
  EXPECT_EQ(s.charged_s, 0u);
}

TEST(Meter, StoppingSessionsStopCounting) {
  Session s = active_at(0);
  s.state = SessionState::stopping;
  meter_time(s, 30'000);
  EXPECT_EQ(s.charged_s + s.free_s, 0u);
}

TEST(Meter, TrafficAddsAndMarksActivity) {
  Session s = active_at(0);
  meter_traffic(s, 1500, 40, 77);
  meter_traffic(s, 500, 60, 78);
  EXPECT_EQ(s.octets_in, 2000u);
  EXPECT_EQ(s.octets_out, 100u);
  EXPECT_EQ(s.last_activity_s, 78u);
  meter_traffic(s, 0, 0, 99);
  EXPECT_EQ(s.last_activity_s, 78u);
}

TEST(Meter, OctetCountersSaturateInsteadOfWrapping) {
  Session s = active_at(0);
  s.octets_in = ~uint64_t{0} - 5;
  meter_traffic(s, 100, 0, 1);
  EXPECT_EQ(s.octets_in, ~uint64_t{0});
}

// 128 before billing; the grant (limits on time and octets, validity, request number and when
// to ask for more: 19 bytes) raised it to 144 (firmware/core/session.h says why it lives here).
TEST(Meter, SessionCostsAtMost144BytesOfRam) {
  static_assert(gm::subscriber_capacity == 49, "48-character identity + NUL");
  EXPECT_LE(sizeof(Session), 144u);
}
