// Money arithmetic: rounding, exact printing and parsing, overflow that throws, never wraps.
#include "host/billing/money.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "host/billing/billing_error.h"

namespace gm::billing {
namespace {

constexpr Micros max_micros = std::numeric_limits<Micros>::max();
constexpr Micros min_micros = std::numeric_limits<Micros>::min();

TEST(BillingMoney, HalvesRoundUpAtExactlyPointFive) {
  EXPECT_EQ(round_half_up_div(5, 2), 3);      // 2.5
  EXPECT_EQ(round_half_up_div(3, 2), 2);      // 1.5
  EXPECT_EQ(round_half_up_div(1, 2), 1);      // 0.5
  EXPECT_EQ(round_half_up_div(50, 100), 1);   // 0.50
  EXPECT_EQ(round_half_up_div(49, 100), 0);   // 0.49
  EXPECT_EQ(round_half_up_div(149, 100), 1);  // 1.49
  EXPECT_EQ(round_half_up_div(150, 100), 2);  // 1.50
  EXPECT_EQ(round_half_up_div(4, 3), 1);      // 1.33: an odd divisor has no exact half
  EXPECT_EQ(round_half_up_div(5, 3), 2);      // 1.67
  EXPECT_EQ(round_half_up_div(0, 7), 0);
  EXPECT_EQ(round_half_up_div(6, 3), 2);  // exact quotients are left alone
}

TEST(BillingMoney, NegativeNumeratorsRoundHalvesAwayFromZero) {
  EXPECT_EQ(round_half_up_div(-5, 2), -3);    // -2.5
  EXPECT_EQ(round_half_up_div(-1, 2), -1);    // -0.5
  EXPECT_EQ(round_half_up_div(-49, 100), 0);  // -0.49
  EXPECT_EQ(round_half_up_div(-4, 3), -1);    // -1.33
  EXPECT_EQ(round_half_up_div(-5, 3), -2);    // -1.67
}

TEST(BillingMoney, RoundingAgreesWithTheDoubledFloorFormula) {
  // round(n/d), halves away from zero, is floor((2|n| + d) / 2d) with the sign put back: a
  // different way to the same number, checked over many random operands.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const __int128 den = 1 + static_cast<__int128>(rng() % (i % 2 ? 1'000'000 : 97));
    const __int128 mag =
        static_cast<__int128>(rng() >> (rng() % 64)) * static_cast<__int128>(rng() % 1000);
    const __int128 num = (rng() & 1) ? -mag : mag;
    const __int128 expected_mag = (2 * mag + den) / (2 * den);
    if (expected_mag > max_micros) continue;
    EXPECT_EQ(round_half_up_div(num, den),
              static_cast<Micros>(num < 0 ? -expected_mag : expected_mag));
  }
}

TEST(BillingMoney, RoundingRefusesANonPositiveDivisorAndAResultBeyondSixtyFourBits) {
  EXPECT_THROW(round_half_up_div(1, 0), BillingError);
  EXPECT_THROW(round_half_up_div(1, -3), BillingError);
  EXPECT_EQ(round_half_up_div(max_micros, 1), max_micros);
  EXPECT_EQ(round_half_up_div(min_micros, 1), min_micros);
  EXPECT_THROW(round_half_up_div(static_cast<__int128>(max_micros) + 1, 1), BillingError);
  EXPECT_THROW(round_half_up_div(static_cast<__int128>(min_micros) - 1, 1), BillingError);
  // The largest 128-bit numerator and its negation do not wrap inside the rounding.
  const __int128 huge = ~(static_cast<unsigned __int128>(1) << 127);
  EXPECT_THROW(round_half_up_div(huge, 3), BillingError);
  EXPECT_THROW(round_half_up_div(-huge - 1, 3), BillingError);
  EXPECT_EQ(round_half_up_div(huge, huge), 1);
}

TEST(BillingMoney, PrintingIsExactWithAtLeastTheAskedDecimals) {
  EXPECT_EQ(format_money(12'345'678), "12.345678");
  EXPECT_EQ(format_money(-500'000), "-0.50");
  EXPECT_EQ(format_money(7'000'000), "7.00");
  EXPECT_EQ(format_money(1), "0.000001");
  EXPECT_EQ(format_money(-1), "-0.000001");
  EXPECT_EQ(format_money(0), "0.00");
  EXPECT_EQ(format_money(0, 0), "0");
  EXPECT_EQ(format_money(1'500'000, 0), "1.5");
  EXPECT_EQ(format_money(1'500'000, 6), "1.500000");
  EXPECT_EQ(format_money(max_micros), "9223372036854.775807");
  EXPECT_EQ(format_money(min_micros), "-9223372036854.775808");
  EXPECT_THROW(format_money(1, 7), BillingError);
  EXPECT_THROW(format_money(1, -1), BillingError);
}

TEST(BillingMoney, ParsingReadsWholeAndDecimalAmounts) {
  EXPECT_EQ(parse_money("12.34"), 12'340'000);
  EXPECT_EQ(parse_money("-0.5"), -500'000);
  EXPECT_EQ(parse_money("7"), 7'000'000);
  EXPECT_EQ(parse_money("0.000001"), 1);
  EXPECT_EQ(parse_money("-0"), 0);
  EXPECT_EQ(parse_money("007.10"), 7'100'000);
  EXPECT_EQ(parse_money("9223372036854.775807"), max_micros);
  EXPECT_EQ(parse_money("-9223372036854.775808"), min_micros);
}

TEST(BillingMoney, ParsingRefusesJunkTooManyDecimalsAndOverflowNamingTheText) {
  for (const char* junk : {"", "-", ".5", "5.", "1,5", " 1", "1 ", "+1", "1e3", "--1", "1.2.3",
                           "abc", "1.-5", "-.5", "0x10"}) {
    EXPECT_THROW(parse_money(junk), BillingError) << junk;
  }
  try {
    parse_money("1.2345678");
    FAIL() << "7 decimals parsed";
  } catch (const BillingError& e) {
    EXPECT_NE(std::string(e.what()).find("\"1.2345678\" has more than 6 decimals"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_money("9223372036854.775808"), BillingError);
  EXPECT_THROW(parse_money("-9223372036854.775809"), BillingError);
  EXPECT_THROW(parse_money("9223372036855"), BillingError);
  EXPECT_THROW(parse_money("99999999999999999999999999999999999999999"), BillingError);
}

TEST(BillingMoney, WhatIsPrintedParsesBackToTheSameMicros) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const auto m = static_cast<Micros>(rng() >> (1 + rng() % 63));  // non-negative
    for (int decimals = 0; decimals <= 6; decimals += 3) {
      EXPECT_EQ(parse_money(format_money(m, decimals)), m);
      EXPECT_EQ(parse_money(format_money(-m, decimals)), -m);
    }
  }
  EXPECT_EQ(parse_money(format_money(min_micros)), min_micros);
}

TEST(BillingMoney, CheckedSumsThrowInsteadOfWrapping) {
  EXPECT_EQ(checked_add(2, 3), 5);
  EXPECT_EQ(checked_sub(2, 3), -1);
  EXPECT_EQ(checked_add(max_micros - 1, 1), max_micros);
  EXPECT_THROW(checked_add(max_micros, 1), BillingError);
  EXPECT_THROW(checked_add(min_micros, -1), BillingError);
  EXPECT_THROW(checked_sub(min_micros, 1), BillingError);
  EXPECT_THROW(checked_sub(0, min_micros), BillingError);
}

}  // namespace
}  // namespace gm::billing
