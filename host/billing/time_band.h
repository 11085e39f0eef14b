// The time-band schedule (the `time_bands` setting): which local hours are peak, which days
// are weekend, everything else offpeak; and where a band starts and ends in a given zone.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "host/billing/time_zone.h"

namespace gm::billing {

enum class Band { peak, offpeak, weekend };

inline constexpr std::array<Band, 3> all_bands = {Band::peak, Band::offpeak, Band::weekend};

std::string_view name(Band b);
Band parse_band(std::string_view text);  // throws BillingError listing the valid names

struct TimeBands {
  // Indexed by weekday, 0 = Sunday. A weekend day is weekend all day, whatever its hours.
  std::array<bool, 7> peak_days = {false, true, true, true, true, true, false};
  std::array<bool, 7> weekend_days = {true, false, false, false, false, false, true};
  int32_t peak_from_s = 8 * 3600;  // local seconds after midnight; peak is [from, to)
  int32_t peak_to_s = 20 * 3600;
};

// "peak=mon-fri 08:00-20:00; weekend=sat-sun". Clauses are separated by ';' and may come in
// any order; a clause left out keeps its default (the one above). Days are mon..sun, lists
// and ranges ("mon,wed,fri", "fri-mon" wraps); "none" for no days. Hours are HH:MM-HH:MM,
// 00:00 to 24:00, from before to. A day that is both peak and weekend is an error, as is
// anything else unknown, repeated or malformed; messages name the clause.
TimeBands parse_time_bands(std::string_view text);

Band band_at(const TimeBands& bands, const TimeZone& zone, int64_t unix);

// The first instant after `unix` at which band_at differs from band_at(unix), in local time
// of `zone` across its DST switches; `never` if the schedule has only one band. (In a zone
// whose switches never let the band change within 60 days, unix + 60 days: an early bound is
// safe for a grant's validity, a late one is not.)
int64_t band_changes_after(const TimeBands& bands, const TimeZone& zone, int64_t unix);

}  // namespace gm::billing
