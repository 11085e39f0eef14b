// A session's running charge: debits that sum exactly to its lines' amounts however its usage
// arrives, lines that close when the rate changes, minimums debited with the first unit.
#include "host/billing/session_charge.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <vector>

#include "host/billing/billing_error.h"
#include "tests/unit/host/billing/priced_rate.h"

namespace gm::billing {
namespace {

TEST(BillingSessionCharge, TheMinimumIsDebitedWithTheFirstUnitAndThenNothingUntilItIsPassed) {
  const Rate r = priced(1, RateUnit::second, 1000, 1, 50'000);  // 0.001 a second, at least 0.05
  SessionCharge s;
  EXPECT_EQ(charge(s, r, 0).debit, 0);  // no units yet: nothing, not even the minimum
  EXPECT_EQ(charge(s, r, 1).debit, 50'000);
  EXPECT_EQ(charge(s, r, 10).debit, 0);      // 11 s = 0.011, still under the minimum
  EXPECT_EQ(charge(s, r, 40).debit, 1'000);  // 51 s = 0.051
  EXPECT_EQ(s.current.units, 51u);
  EXPECT_EQ(s.current.amount, 51'000);
  EXPECT_EQ(s.total(), 51'000);
}

TEST(BillingSessionCharge, WholeMinuteIncrementsAreDebitedWhenAMinuteIsStarted) {
  const Rate r = priced(1, RateUnit::minute, 120'000, 60);
  SessionCharge s;
  EXPECT_EQ(charge(s, r, 30).debit, 120'000);  // the first minute, begun
  EXPECT_EQ(charge(s, r, 30).debit, 0);        // 60 s: still the first minute
  EXPECT_EQ(charge(s, r, 1).debit, 120'000);   // 61 s bills 120 s
  EXPECT_EQ(s.total(), 240'000);
}

TEST(BillingSessionCharge, ANewRateClosesTheLineAndStartsAnother) {
  const Rate peak = priced(7, RateUnit::second, 2000);
  const Rate offpeak = priced(8, RateUnit::second, 500, 1, 10'000);
  SessionCharge s;
  charge(s, peak, 61);
  const ChargeStep step = charge(s, offpeak, 4);
  ASSERT_TRUE(step.closed.has_value());
  EXPECT_EQ(step.closed->rate_id, 7);
  EXPECT_EQ(step.closed->units, 61u);
  EXPECT_EQ(step.closed->amount, 122'000);  // 61 s at 0.002
  EXPECT_EQ(step.debit, 10'000);            // 4 s at 0.0005 = 0.002, the new line's minimum 0.01
  EXPECT_EQ(s.current.rate_id, 8);
  EXPECT_EQ(s.current.units, 4u);
  EXPECT_EQ(s.closed_amount, 122'000);
  EXPECT_EQ(s.total(), 132'000);
  EXPECT_FALSE(charge(s, offpeak, 1).closed.has_value());  // the same rate extends the line
}

TEST(BillingSessionCharge, AnEmptyLineTakesTheNewRateWithoutClosing) {
  const Rate a = priced(1, RateUnit::second, 1000);
  const Rate b = priced(2, RateUnit::second, 3000);
  SessionCharge s;
  EXPECT_FALSE(charge(s, a, 0).closed.has_value());
  const ChargeStep step = charge(s, b, 2);
  EXPECT_FALSE(step.closed.has_value());
  EXPECT_EQ(step.debit, 6'000);
  EXPECT_EQ(s.current.rate_id, 2);
  EXPECT_EQ(s.closed_amount, 0);
  // A rate change with no new units still closes a line that has some: the band changed.
  const ChargeStep change = charge(s, a, 0);
  ASSERT_TRUE(change.closed.has_value());
  EXPECT_EQ(change.closed->amount, 6'000);
  EXPECT_EQ(change.debit, 0);
  EXPECT_EQ(s.current.units, 0u);
}

TEST(BillingSessionCharge, AChargeThatCannotBeCountedLeavesTheSessionAsItWas) {
  const Rate r = priced(1, RateUnit::second, 1);
  SessionCharge s;
  charge(s, r, 1000);
  const SessionCharge before = s;
  EXPECT_THROW(charge(s, r, std::numeric_limits<uint64_t>::max()), BillingError);  // units overflow
  EXPECT_THROW(charge(s, priced(2, RateUnit::second, std::numeric_limits<Micros>::max()), 2),
               BillingError);  // amount overflow, after the line would have closed
  EXPECT_EQ(s.current.rate_id, before.current.rate_id);
  EXPECT_EQ(s.current.units, before.current.units);
  EXPECT_EQ(s.current.amount, before.current.amount);
  EXPECT_EQ(s.closed_amount, before.closed_amount);
}

TEST(BillingSessionCharge, TimeRatesCountChargedSecondsAndMegabyteRatesBothDirections) {
  UsageTotals delta;
  delta.charged_s = 90;
  delta.free_s = 3600;  // never charged
  delta.octets_in = 1'000'000;
  delta.octets_out = 250'000;
  EXPECT_EQ(usage_units(priced(1, RateUnit::second, 1), delta), 90u);
  EXPECT_EQ(usage_units(priced(1, RateUnit::minute, 1), delta), 90u);
  EXPECT_EQ(usage_units(priced(1, RateUnit::megabyte, 1), delta), 1'250'000u);
  delta.octets_in = std::numeric_limits<uint64_t>::max();
  EXPECT_THROW(usage_units(priced(1, RateUnit::megabyte, 1), delta), BillingError);
}

Rate random_rate(std::mt19937_64& rng, int64_t id) {
  static constexpr RateUnit units[] = {RateUnit::second, RateUnit::minute, RateUnit::megabyte};
  static constexpr uint64_t increments[] = {1, 6, 30, 60, 1000, 1'000'000};
  Rate r = priced(id, units[rng() % 3], static_cast<Micros>(rng() % 3'000'000),
                  increments[rng() % 6], rng() % 2 ? 0 : static_cast<Micros>(rng() % 200'000));
  if (rng() % 5 == 0) r.price = static_cast<Micros>(rng() % 7);  // prices below a micro a second
  return r;
}

// A total cut into random deltas (zeros included).
std::vector<uint64_t> split(std::mt19937_64& rng, uint64_t total) {
  std::vector<uint64_t> parts;
  while (total > 0) {
    const uint64_t p =
        rng() % 4 == 0 ? 0 : 1 + rng() % std::min<uint64_t>(total, rng() % 2 ? 7 : 100'000);
    parts.push_back(std::min(p, total));
    total -= parts.back();
  }
  return parts;
}

TEST(BillingSessionCharge, DebitsAtOneRateSumToTheLineAmountOfTheTotal) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 2000; ++i) {
    const Rate r = random_rate(rng, 1);
    const uint64_t total = rng() % (i % 3 == 0 ? 200 : 5'000'000);
    SessionCharge s;
    Micros debits = 0;
    for (uint64_t delta : split(rng, total)) {
      const ChargeStep step = charge(s, r, delta);
      ASSERT_GE(step.debit, 0);
      ASSERT_FALSE(step.closed.has_value());
      debits += step.debit;
    }
    ASSERT_EQ(debits, line_amount(r, total))
        << "price " << r.price << " increment " << r.increment << " total " << total;
    ASSERT_EQ(s.total(), debits);
  }
}

TEST(BillingSessionCharge, DebitsAcrossRateChangesSumToTheAmountsOfAllLines) {
  std::mt19937_64 rng(8);
  for (int i = 0; i < 1000; ++i) {
    std::map<int64_t, Rate> rates;
    for (int64_t id = 1; id <= 3; ++id) rates.emplace(id, random_rate(rng, id));
    SessionCharge s;
    Micros debits = 0;
    std::vector<ChargeLine> closed;
    int64_t id = 1 + static_cast<int64_t>(rng() % 3);
    uint64_t units_seen = 0;
    for (uint64_t delta : split(rng, rng() % 3'000'000)) {
      if (rng() % 4 == 0) id = 1 + static_cast<int64_t>(rng() % 3);  // a band or tariff change
      const ChargeStep step = charge(s, rates.at(id), delta);
      ASSERT_GE(step.debit, 0);
      debits += step.debit;
      if (step.closed) closed.push_back(*step.closed);
      units_seen += delta;
    }
    // Every line, recomputed from its rate and units alone.
    Micros lines = line_amount(rates.at(s.current.rate_id), s.current.units);
    uint64_t units = s.current.units;
    for (const ChargeLine& l : closed) {
      ASSERT_GT(l.units, 0u);
      ASSERT_EQ(l.amount, line_amount(rates.at(l.rate_id), l.units));
      lines += l.amount;
      units += l.units;
    }
    ASSERT_EQ(debits, lines);
    ASSERT_EQ(s.total(), lines);
    ASSERT_EQ(units, units_seen);  // no unit lost or counted twice between lines
  }
}

}  // namespace
}  // namespace gm::billing
