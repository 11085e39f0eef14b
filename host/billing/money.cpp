#include "host/billing/money.h"

#include <limits>

#include "host/billing/billing_error.h"

namespace gm::billing {

namespace {

std::string to_string(__int128 v) {
  // std::to_string has no 128-bit overload; the magnitude as unsigned also covers the minimum.
  const bool negative = v < 0;
  unsigned __int128 mag = negative ? -static_cast<unsigned __int128>(v) : v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  return negative ? "-" + digits : digits;
}

}  // namespace

Micros round_half_up_div(__int128 num, __int128 den) {
  if (den <= 0)
    throw BillingError("round_half_up_div: divisor " + to_string(den) + " is not positive");
  const bool negative = num < 0;
  const auto mag =
      negative ? -static_cast<unsigned __int128>(num) : static_cast<unsigned __int128>(num);
  const auto d = static_cast<unsigned __int128>(den);
  unsigned __int128 q = mag / d;
  // 2r >= d is "the remainder is at least half the divisor", without forming d/2 (which would
  // round down for an odd divisor); 2r < 2d <= 2^128 cannot wrap.
  if (2 * (mag % d) >= d) ++q;
  const auto limit =
      static_cast<unsigned __int128>(std::numeric_limits<Micros>::max()) + (negative ? 1 : 0);
  if (q > limit)
    throw BillingError("money overflow: " + to_string(num) + " / " + to_string(den) +
                       " does not fit in 64-bit micro-units");
  return negative ? static_cast<Micros>(-static_cast<__int128>(q)) : static_cast<Micros>(q);
}

std::string format_money(Micros m, int min_decimals) {
  if (min_decimals < 0 || min_decimals > money_decimals)
    throw BillingError("format_money: " + std::to_string(min_decimals) +
                       " decimals asked, expected 0 to 6");
  const bool negative = m < 0;
  const uint64_t mag = negative ? -static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  std::string frac = std::to_string(mag % micros_per_unit);
  frac.insert(0, money_decimals - frac.size(), '0');
  while (frac.size() > static_cast<size_t>(min_decimals) && frac.back() == '0') frac.pop_back();
  std::string out = negative ? "-" : "";
  out += std::to_string(mag / micros_per_unit);
  if (!frac.empty()) out += "." + frac;
  return out;
}

Micros parse_money(std::string_view text) {
  const auto bad = [&](const char* why) -> BillingError {
    return BillingError("money: \"" + std::string(text) + "\" " + why);
  };
  std::string_view s = text;
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  const size_t point = s.find('.');
  const std::string_view whole = s.substr(0, point);
  const std::string_view frac =
      point == std::string_view::npos ? std::string_view() : s.substr(point + 1);
  const auto all_digits = [](std::string_view d) {
    for (char c : d)
      if (c < '0' || c > '9') return false;
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) ||
      (point != std::string_view::npos && frac.empty()))
    throw bad(
        "is not an amount (expected digits, an optional point and up to 6 decimals, e.g. 12.34)");
  if (frac.size() > static_cast<size_t>(money_decimals)) throw bad("has more than 6 decimals");

  // Accumulate the magnitude in micro-units; 2^63 itself is allowed for the negative minimum.
  const unsigned __int128 limit =
      static_cast<unsigned __int128>(std::numeric_limits<Micros>::max()) + (negative ? 1 : 0);
  unsigned __int128 mag = 0;
  for (char c : whole) {
    mag = mag * 10 + static_cast<unsigned>(c - '0');
    if (mag > limit) throw bad("is too large for 64-bit micro-units");
  }
  unsigned __int128 micros = 0;
  for (size_t i = 0; i < static_cast<size_t>(money_decimals); ++i)
    micros = micros * 10 + (i < frac.size() ? static_cast<unsigned>(frac[i] - '0') : 0);
  mag = mag * micros_per_unit + micros;
  if (mag > limit) throw bad("is too large for 64-bit micro-units");
  return negative ? static_cast<Micros>(-static_cast<__int128>(mag)) : static_cast<Micros>(mag);
}

Micros checked_add(Micros a, Micros b) {
  Micros r;
  if (__builtin_add_overflow(a, b, &r))
    throw BillingError("money overflow: " + std::to_string(a) + " + " + std::to_string(b) +
                       " micro-units");
  return r;
}

Micros checked_sub(Micros a, Micros b) {
  Micros r;
  if (__builtin_sub_overflow(a, b, &r))
    throw BillingError("money overflow: " + std::to_string(a) + " - " + std::to_string(b) +
                       " micro-units");
  return r;
}

}  // namespace gm::billing
