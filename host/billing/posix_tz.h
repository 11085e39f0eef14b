// The POSIX TZ string a TZif file ends with ("CET-1CEST,M3.5.0,M10.5.0/3"): the rule for times
// after the file's last listed transition, so a fat or slim tzdata file is right for any year.
// RFC 8536 section 3.3, with its extensions (rule times from -167 to 167 hours).
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace gm::billing {

inline constexpr int64_t never = std::numeric_limits<int64_t>::max();  // "no such instant"

struct PosixTz {
  // When in a year a switch happens: Jn (day 1..365, February 29 never counted), n (day
  // 0..365 counting it), or Mm.w.d (month m, week 1..5 where 5 = last, weekday 0 = Sunday).
  struct Day {
    enum class Kind { julian_no_leap, zero_based, month_week_day };
    Kind kind = Kind::month_week_day;
    int number = 0;  // julian_no_leap, zero_based
    int month = 0, week = 0, weekday = 0;
  };
  struct Switch {
    Day day;
    int32_t time_s = 7200;  // local wall time of the switch, in the offset in force before it
  };

  int32_t std_offset = 0;  // seconds east of UTC (the TZ string itself counts west)
  bool has_dst = false;
  int32_t dst_offset = 0;
  Switch dst_start, dst_end;
};

// Throws BillingError naming the string and what is wrong with it. A DST name without a rule
// gets the rule glibc assumes, M3.2.0,M11.1.0.
PosixTz parse_posix_tz(std::string_view text);

int32_t offset_at(const PosixTz& tz, int64_t unix);
// The first instant after `unix` at which the offset differs from the one before it; never
// for a zone without DST (or whose DST covers the whole year).
int64_t next_offset_change_after(const PosixTz& tz, int64_t unix);

}  // namespace gm::billing
