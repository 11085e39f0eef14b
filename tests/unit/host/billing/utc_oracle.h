// Unix time of a UTC wall time, by libc's timegm: the tests' expected instants come from here,
// apart from the calendar code under test.
#pragma once

#include <cstdint>
#include <ctime>

namespace gm::billing {

inline int64_t utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace gm::billing
