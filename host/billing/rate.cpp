#include "host/billing/rate.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "host/billing/billing_error.h"
#include "host/billing/enum_names.h"

namespace gm::billing {

namespace {

// line_amount without the throw on overflow, so that affordable_units can treat a line too
// dear to count as simply unaffordable.
std::optional<Micros> try_line_amount(const Rate& r, uint64_t units) {
  if (r.increment == 0 || r.price < 0 || r.minimum < 0) validate(r);  // throws, naming the field
  if (units == 0) return 0;
  using u128 = unsigned __int128;
  const u128 billed = (u128{units} + r.increment - 1) / r.increment * r.increment;
  // billed * price / size = whole * price + part * price / size: only the last term has a
  // fraction, so rounding it alone is rounding the whole, and no product passes 2^83.
  const uint64_t size = unit_size(r.unit);
  const u128 whole = billed / size;
  const u128 part = billed % size;
  Micros base = 0;
  if (r.price != 0) {
    if (whole > static_cast<u128>(std::numeric_limits<Micros>::max())) return std::nullopt;
    if (__builtin_mul_overflow(static_cast<Micros>(whole), r.price, &base)) return std::nullopt;
  }
  const Micros fraction = round_half_up_div(static_cast<__int128>(part) * r.price, size);
  Micros amount = 0;
  if (__builtin_add_overflow(base, fraction, &amount)) return std::nullopt;
  return std::max(amount, r.minimum);
}

}  // namespace

std::string_view name(RateUnit u) {
  switch (u) {
    case RateUnit::second: return "second";
    case RateUnit::minute: return "minute";
    case RateUnit::megabyte: return "megabyte";
  }
  return "?";
}

RateUnit parse_rate_unit(std::string_view text) {
  return parse_named(text, all_rate_units, "rate unit");
}

uint64_t unit_size(RateUnit u) {
  switch (u) {
    case RateUnit::second: return 1;
    case RateUnit::minute: return 60;
    case RateUnit::megabyte: return 1'000'000;
  }
  throw BillingError("rate unit " + std::to_string(static_cast<int>(u)) + " is not a unit");
}

bool time_based(RateUnit u) {
  return u != RateUnit::megabyte;
}

uint64_t max_affordable_units(RateUnit u) {
  return time_based(u) ? std::numeric_limits<uint32_t>::max() : uint64_t{1} << 50;
}

void validate(const Rate& r) {
  const auto bad = [&](const std::string& why) {
    throw BillingError("rate " + std::to_string(r.id) + ": " + why);
  };
  if (std::find(all_rate_units.begin(), all_rate_units.end(), r.unit) == all_rate_units.end())
    bad("unit " + std::to_string(static_cast<int>(r.unit)) + " is not second, minute or megabyte");
  if (r.price < 0) bad("price " + format_money(r.price) + " is negative");
  if (r.minimum < 0) bad("minimum " + format_money(r.minimum) + " is negative");
  if (r.increment == 0)
    bad("increment is 0 (bill in steps of at least 1 " +
        std::string(time_based(r.unit) ? "second" : "octet") + ")");
  if (r.zone.empty()) bad("zone is empty (\"*\" for any zone)");
  if (r.provider.empty()) bad("provider is empty (\"*\" for any provider)");
}

Micros line_amount(const Rate& r, uint64_t units) {
  const std::optional<Micros> amount = try_line_amount(r, units);
  if (!amount)
    throw BillingError("rate " + std::to_string(r.id) + ": " + std::to_string(units) +
                       " units cost more than 64-bit micro-units can hold");
  return *amount;
}

uint64_t affordable_units(const Rate& r, uint64_t units_so_far, Micros money) {
  if (money < 0) return 0;
  const Micros already = line_amount(r, units_so_far);
  const auto fits = [&](uint64_t extra) {
    const std::optional<Micros> a = try_line_amount(r, units_so_far + extra);
    return a && *a - already <= money;
  };
  // line_amount never decreases, so the units that fit are a prefix [0, answer]; 0 always fits.
  uint64_t lo = 0;
  uint64_t hi =
      std::min(max_affordable_units(r.unit), std::numeric_limits<uint64_t>::max() - units_so_far);
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2 + 1;
    if (fits(mid))
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

}  // namespace gm::billing
