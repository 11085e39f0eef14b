// One tariff (a row of `rates`) and what it charges for a line's cumulative units. A rate is
// immutable once used: a new price is a new rate with a later effective_from, so a rate id
// always names the same arithmetic.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host/billing/money.h"
#include "host/billing/service_type.h"
#include "host/billing/time_band.h"

namespace gm::billing {

enum class RateUnit { second, minute, megabyte };

inline constexpr std::array<RateUnit, 3> all_rate_units = {RateUnit::second, RateUnit::minute,
                                                           RateUnit::megabyte};

std::string_view name(RateUnit u);
RateUnit parse_rate_unit(std::string_view text);  // throws BillingError listing the valid names
// The base units one priced unit holds: 1 s, 60 s, 1,000,000 octets.
uint64_t unit_size(RateUnit u);
// Second and minute rates charge charged seconds; megabyte rates octets in plus out.
bool time_based(RateUnit u);

inline constexpr std::string_view any = "*";  // zone or provider: matches every one

struct Rate {
  int64_t id = 0;
  std::string plan;                         // "" is the default plan
  std::optional<ServiceType> service_type;  // nullopt: any ("*")
  std::optional<Band> band;                 // nullopt: any
  std::string zone{any};
  std::string provider{any};
  RateUnit unit = RateUnit::second;
  Micros price = 0;        // per unit
  uint64_t increment = 1;  // billing step in base units (seconds or octets), >= 1
  Micros minimum = 0;      // the least a line with any units costs
  int64_t effective_from_unix = 0;
};

// Throws BillingError naming the rate id and the field: a negative price or minimum, an
// increment of 0, an empty zone or provider, a unit outside the enum.
void validate(const Rate& r);

// What a line of `units` base units costs:
//   billed = ceil(units / increment) * increment
//   amount = round_half_up(billed * price / unit_size)      (exact, 128-bit)
//   amount = max(amount, minimum) if units > 0;  0 if units == 0
// Non-decreasing in units. Throws BillingError for an invalid rate or an amount beyond Micros.
Micros line_amount(const Rate& r, uint64_t units);

// The most base units one can add to a line holding units_so_far for at most `money` more:
// the largest u with line_amount(units_so_far + u) - line_amount(units_so_far) <= money.
// Capped at max_affordable_units(unit) (a free rate would otherwise grant without limit) and
// at what keeps the line's units in a uint64_t. 0 if money is negative.
uint64_t affordable_units(const Rate& r, uint64_t units_so_far, Micros money);
// UINT32_MAX seconds (what a record's charged_s can count), 2^50 octets (1 PB).
uint64_t max_affordable_units(RateUnit u);

}  // namespace gm::billing
