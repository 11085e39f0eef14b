// Money as integers: micro-units of the one configured currency (1 EUR = 1,000,000). Nothing
// that computes, stores, parses or prints money goes through floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gm::billing {

using Micros = int64_t;

inline constexpr Micros micros_per_unit = 1'000'000;
inline constexpr int money_decimals = 6;  // what a Micros can hold after the point

// num / den rounded to the nearest integer, halves away from zero: 5/2 = 3, -5/2 = -3,
// 4/3 = 1, -4/3 = -1. (For the non-negative numerators rating produces this is "round half
// up"; mirroring it for negatives keeps refunds and corrections symmetric with charges.)
// Throws BillingError if den <= 0 or the result does not fit in Micros.
Micros round_half_up_div(__int128 num, __int128 den);

// Exact decimal text: every significant micro-digit, trailing zeros dropped but at least
// min_decimals (0..6) kept: 12345678 -> "12.345678", -500000 -> "-0.50", 7000000 -> "7.00",
// 1 -> "0.000001". parse_money(format_money(m)) == m for every m.
std::string format_money(Micros m, int min_decimals = 2);

// "12.34", "-0.5", "7", "0.000001". One optional leading '-', at least one digit before the
// point, one to six after it. Throws BillingError naming the text for anything else: more
// than six decimals, a value outside Micros, spaces, '+', a lone point, other characters.
Micros parse_money(std::string_view text);

// a + b, a - b; throw BillingError naming both operands instead of wrapping.
Micros checked_add(Micros a, Micros b);
Micros checked_sub(Micros a, Micros b);

}  // namespace gm::billing
