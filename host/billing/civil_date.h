// Proleptic Gregorian calendar arithmetic on day numbers (day 0 = 1970-01-01), for the zone
// reader and the time bands. Howard Hinnant's days_from_civil / civil_from_days: exact for
// every int64 unix time divided into days, no tables, no libc time functions (whose time_t
// and TZ environment are process-global).
#pragma once

#include <cstdint>

namespace gm::billing {

inline constexpr int64_t seconds_per_day = 86'400;

struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

int64_t days_from_civil(int64_t year, int month, int day);
CivilDate civil_from_days(int64_t days);
int weekday_from_days(int64_t days);  // 0 = Sunday .. 6 = Saturday
bool is_leap_year(int64_t year);
int days_in_month(int64_t year, int month);

// Division rounding towards minus infinity (unix times before 1970 are negative).
constexpr int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// The matching remainder, in [0, b) for b > 0; unlike a - floor_div(a, b) * b it cannot
// overflow near the ends of int64.
constexpr int64_t floor_mod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

}  // namespace gm::billing
