// What one rate charges for a line: increments, rounding, minimums, huge lines, and how much
// usage an amount of money buys. Expected amounts are worked out by hand in the comments.
#include "host/billing/rate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "host/billing/billing_error.h"
#include "tests/unit/host/billing/expect_billing_error.h"
#include "tests/unit/host/billing/priced_rate.h"

namespace gm::billing {
namespace {

constexpr uint64_t max_u64 = std::numeric_limits<uint64_t>::max();

TEST(BillingServiceType, NamesParseBackAndAnUnknownOneListsTheValidNames) {
  for (ServiceType t : all_service_types) EXPECT_EQ(parse_service_type(name(t)), t);
  EXPECT_EQ(name(ServiceType::download), "download");
  expect_billing_error([] { parse_service_type("Voice"); },
                       "\"Voice\" (one of voice, video, im, web, download, data)");
  EXPECT_THROW(parse_service_type(""), BillingError);
}

TEST(BillingRate, UnitsNameTheirSizeAndWhatTheyCount) {
  EXPECT_EQ(unit_size(RateUnit::second), 1u);
  EXPECT_EQ(unit_size(RateUnit::minute), 60u);
  EXPECT_EQ(unit_size(RateUnit::megabyte), 1'000'000u);
  EXPECT_TRUE(time_based(RateUnit::second));
  EXPECT_TRUE(time_based(RateUnit::minute));
  EXPECT_FALSE(time_based(RateUnit::megabyte));
  EXPECT_EQ(parse_rate_unit("minute"), RateUnit::minute);
  EXPECT_EQ(name(RateUnit::megabyte), "megabyte");
  EXPECT_THROW(parse_rate_unit("hour"), BillingError);
}

TEST(BillingRate, ValidationNamesTheRateAndTheFieldAtFault) {
  Rate r = priced(1, RateUnit::second, 1000);
  r.id = 42;
  EXPECT_NO_THROW(validate(r));
  expect_billing_error(
      [&] {
        Rate b = r;
        b.price = -1;
        validate(b);
      },
      "rate 42: price -0.000001 is negative");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.minimum = -500'000;
        validate(b);
      },
      "rate 42: minimum -0.50");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.increment = 0;
        validate(b);
      },
      "rate 42: increment is 0");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.zone = "";
        validate(b);
      },
      "rate 42: zone is empty");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.provider = "";
        validate(b);
      },
      "rate 42: provider is empty");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.unit = static_cast<RateUnit>(9);
        validate(b);
      },
      "rate 42: unit 9");
  // line_amount refuses what could divide by zero or charge a negative amount.
  expect_billing_error(
      [&] {
        Rate b = r;
        b.increment = 0;
        line_amount(b, 5);
      },
      "increment is 0");
  expect_billing_error(
      [&] {
        Rate b = r;
        b.price = -1;
        line_amount(b, 5);
      },
      "negative");
}

TEST(BillingRate, ZeroUnitsCostNothingEvenWithAMinimum) {
  EXPECT_EQ(line_amount(priced(1, RateUnit::second, 1000, 60, 500'000), 0), 0);
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 2'000'000, 1000, 100), 0), 0);
}

TEST(BillingRate, PerSecondChargesEachSecond) {
  // 0.001 per second: 61 s = 0.061.
  EXPECT_EQ(line_amount(priced(1, RateUnit::second, 1000), 61), 61'000);
  EXPECT_EQ(line_amount(priced(1, RateUnit::second, 1000), 1), 1'000);
}

TEST(BillingRate, PerMinuteWithSixtySecondIncrementsBills61SecondsAs120) {
  const Rate r = priced(1, RateUnit::minute, 120'000, 60);  // 0.12 a minute, whole minutes
  EXPECT_EQ(line_amount(r, 1), 120'000);                    // 60 s billed
  EXPECT_EQ(line_amount(r, 60), 120'000);                   // 60 s
  EXPECT_EQ(line_amount(r, 61), 240'000);                   // 120 s billed = 2 minutes
  EXPECT_EQ(line_amount(r, 120), 240'000);
  EXPECT_EQ(line_amount(r, 121), 360'000);  // 180 s
}

TEST(BillingRate, PerMinuteWithOneSecondIncrementsChargesTheFraction) {
  // 0.12 a minute = 0.002 a second: 61 s = 0.122.
  EXPECT_EQ(line_amount(priced(1, RateUnit::minute, 120'000), 61), 122'000);
  // 0.10 a minute: 1 s = 1666.67 micros -> 1667; 2 s = 3333.33 -> 3333.
  EXPECT_EQ(line_amount(priced(1, RateUnit::minute, 100'000), 1), 1667);
  EXPECT_EQ(line_amount(priced(1, RateUnit::minute, 100'000), 2), 3333);
}

TEST(BillingRate, AnExactHalfMicroRoundsUp) {
  // 30 micros a minute: 1 s = 0.5 micro -> 1; 3 s = 1.5 -> 2; 2 s = 1.0 -> 1; 5 s = 2.5 -> 3.
  const Rate r = priced(1, RateUnit::minute, 30);
  EXPECT_EQ(line_amount(r, 1), 1);
  EXPECT_EQ(line_amount(r, 2), 1);
  EXPECT_EQ(line_amount(r, 3), 2);
  EXPECT_EQ(line_amount(r, 5), 3);
  // 1 micro a megabyte: 499,999 octets = 0.499999 -> 0; 500,000 = 0.5 -> 1.
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 1), 499'999), 0);
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 1), 500'000), 1);
}

TEST(BillingRate, PerMegabyteWithThousandOctetIncrements) {
  const Rate r = priced(1, RateUnit::megabyte, 2'000'000, 1000);  // 2.00 a megabyte, whole kB
  EXPECT_EQ(line_amount(r, 1), 2'000);                            // 1000 octets billed = 0.002
  EXPECT_EQ(line_amount(r, 1000), 2'000);
  EXPECT_EQ(line_amount(r, 1001), 4'000);  // 2000 octets
  EXPECT_EQ(line_amount(r, 1'500'000), 3'000'000);
  EXPECT_EQ(line_amount(r, 1'500'001), 3'002'000);  // 1,501,000 octets
}

TEST(BillingRate, AMinimumChargeCoversShortLinesOnly) {
  const Rate r = priced(1, RateUnit::second, 1000, 1, 50'000);  // 0.001 a second, at least 0.05
  EXPECT_EQ(line_amount(r, 1), 50'000);
  EXPECT_EQ(line_amount(r, 10), 50'000);  // 0.01 < 0.05
  EXPECT_EQ(line_amount(r, 50), 50'000);
  EXPECT_EQ(line_amount(r, 51), 51'000);
  EXPECT_EQ(line_amount(r, 60), 60'000);
}

TEST(BillingRate, HugeLinesAreExactAndAnAmountBeyondSixtyFourBitsThrows) {
  // 1 micro a megabyte over 2^64 - 1 octets: 18,446,744,073,709.551615 -> ...710.
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 1), max_u64), 18'446'744'073'710);
  // Increment 2 bills 2^64 octets, one more than a uint64_t holds: 18,446,744,073,709.551616.
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 1, 2), max_u64), 18'446'744'073'710);
  // Increment 10^6 over 2^64 - 1 octets bills 18,446,744,073,710 whole megabytes.
  EXPECT_EQ(line_amount(priced(1, RateUnit::megabyte, 1, 1'000'000), max_u64), 18'446'744'073'710);
  // 1 micro a second: 2^63 - 1 seconds is the largest amount there is.
  EXPECT_EQ(line_amount(priced(1, RateUnit::second, 1), (uint64_t{1} << 63) - 1),
            std::numeric_limits<Micros>::max());
  EXPECT_THROW(line_amount(priced(1, RateUnit::second, 1), uint64_t{1} << 63), BillingError);
  EXPECT_THROW(line_amount(priced(1, RateUnit::second, 1, 2), max_u64), BillingError);
  EXPECT_THROW(line_amount(priced(1, RateUnit::minute, std::numeric_limits<Micros>::max()), 120),
               BillingError);
  // A free rate charges nothing for any line, however long.
  EXPECT_EQ(line_amount(priced(1, RateUnit::second, 0, 7), max_u64), 0);
}

Rate random_rate(std::mt19937_64& rng) {
  static constexpr RateUnit units[] = {RateUnit::second, RateUnit::minute, RateUnit::megabyte};
  static constexpr uint64_t increments[] = {1, 1, 2, 30, 60, 1000, 999, 1'000'000, 1'048'576};
  static constexpr Micros scales[] = {0, 1, 7, 1000, 123'457, 2'000'000, 1'000'000'000};
  Rate r;
  r.id = 1;
  r.unit = units[rng() % 3];
  r.increment = increments[rng() % std::size(increments)];
  r.price = scales[rng() % std::size(scales)] * static_cast<Micros>(1 + rng() % 3) +
            static_cast<Micros>(rng() % 3);
  r.minimum = rng() % 3 == 0 ? static_cast<Micros>(rng() % 5'000'000) : 0;
  return r;
}

// The formula of BILLING.md, computed another way: one 128-bit product, rounded by
// floor((2n + d) / 2d). Valid while billed * price stays below 2^126.
Micros reference_amount(const Rate& r, uint64_t units) {
  if (units == 0) return 0;
  using u128 = unsigned __int128;
  const u128 steps = units / r.increment + (units % r.increment != 0 ? 1 : 0);
  const u128 billed = steps * r.increment;
  const u128 d = unit_size(r.unit);
  const auto amount = static_cast<Micros>((2 * billed * static_cast<u128>(r.price) + d) / (2 * d));
  return std::max(amount, r.minimum);
}

TEST(BillingRate, LineAmountsMatchTheFormulaAndNeverDecreaseAsUnitsGrow) {
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 3000; ++i) {
    const Rate r = random_rate(rng);
    std::vector<uint64_t> units;
    // 0 .. 2^30: at the dearest random price (3e9 + 2 a second) still inside a Micros.
    for (int j = 0; j < 40; ++j) units.push_back(rng() >> (34 + rng() % 30));
    // Around increment and unit edges, where rounding steps happen.
    for (uint64_t base : {r.increment, unit_size(r.unit), uint64_t{500'000}, uint64_t{30}})
      for (uint64_t k : {1, 2, 3, 1000})
        for (uint64_t edge : {base * k - 1, base * k, base * k + 1}) units.push_back(edge);
    std::sort(units.begin(), units.end());
    Micros previous = 0;
    for (uint64_t u : units) {
      const Micros a = line_amount(r, u);
      EXPECT_EQ(a, reference_amount(r, u))
          << "price " << r.price << " increment " << r.increment << " units " << u;
      EXPECT_GE(a, previous) << "price " << r.price << " increment " << r.increment << " units "
                             << u;
      EXPECT_GE(line_amount(r, u + 1), a);
      previous = a;
    }
  }
}

TEST(BillingRate, MoneyBuysTheUnitsItCovers) {
  const Rate per_second = priced(1, RateUnit::second, 1000);
  EXPECT_EQ(affordable_units(per_second, 0, 61'500), 61u);    // 61 s = 0.061; 62 s = 0.062
  EXPECT_EQ(affordable_units(per_second, 100, 61'000), 61u);  // the same from anywhere
  EXPECT_EQ(affordable_units(per_second, 0, 999), 0u);
  EXPECT_EQ(affordable_units(per_second, 0, -1), 0u);

  // At least 0.05: nothing until 0.05 is there, then 50 s of it at once.
  const Rate with_minimum = priced(1, RateUnit::second, 1000, 1, 50'000);
  EXPECT_EQ(affordable_units(with_minimum, 0, 49'999), 0u);
  EXPECT_EQ(affordable_units(with_minimum, 0, 50'000), 50u);
  EXPECT_EQ(affordable_units(with_minimum, 10, 0), 40u);  // 11..50 s are paid for already

  // Whole minutes at 0.12: 0.24 buys 120 s; a line at 61 s has paid up to 120 s.
  const Rate per_minute = priced(1, RateUnit::minute, 120'000, 60);
  EXPECT_EQ(affordable_units(per_minute, 0, 240'000), 120u);
  EXPECT_EQ(affordable_units(per_minute, 61, 0), 59u);
  EXPECT_EQ(affordable_units(per_minute, 61, 119'999), 59u);
  EXPECT_EQ(affordable_units(per_minute, 61, 120'000), 119u);
}

TEST(BillingRate, AFreeRateBuysUpToTheDocumentedCap) {
  EXPECT_EQ(affordable_units(priced(1, RateUnit::second, 0), 0, 0),
            uint64_t{std::numeric_limits<uint32_t>::max()});
  EXPECT_EQ(affordable_units(priced(1, RateUnit::minute, 0, 60), 0, 0),
            uint64_t{std::numeric_limits<uint32_t>::max()});
  EXPECT_EQ(affordable_units(priced(1, RateUnit::megabyte, 0), 0, 0), uint64_t{1} << 50);
  // ... and never past what a line's units can count.
  EXPECT_EQ(affordable_units(priced(1, RateUnit::megabyte, 0), max_u64 - 5, 0), 5u);
  // A line whose next second would cost more than a Micros holds buys nothing, and no
  // overflow on the way: 2 s at (2^63 - 1) / 2 + 1 a second is 2^63.
  const Rate dear = priced(1, RateUnit::second, std::numeric_limits<Micros>::max() / 2 + 1);
  EXPECT_EQ(affordable_units(dear, 1, std::numeric_limits<Micros>::max()), 0u);
}

TEST(BillingRate, AffordableUnitsAreTheLargestThatFitTheMoney) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 3000; ++i) {
    const Rate r = random_rate(rng);
    const uint64_t so_far = rng() % 3 == 0 ? 0 : rng() >> (34 + rng() % 30);
    const Micros money = static_cast<Micros>(rng() >> (24 + rng() % 40));
    const uint64_t u = affordable_units(r, so_far, money);
    const Micros base = line_amount(r, so_far);
    EXPECT_LE(reference_amount(r, so_far + u) - base, money);
    if (u < max_affordable_units(r.unit)) {
      EXPECT_GT(reference_amount(r, so_far + u + 1) - base, money)
          << "price " << r.price << " increment " << r.increment << " so far " << so_far
          << " money " << money;
    }
  }
}

}  // namespace
}  // namespace gm::billing
