// An account's time zone, read from the system's tzdata (TZif files, RFC 8536) so that time
// bands follow local time, DST included. No libc time functions: their zone is process-global.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/billing/posix_tz.h"

namespace gm::billing {

struct LocalTime {
  int64_t year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int weekday = 4;  // 0 = Sunday
  int hour = 0, minute = 0, second = 0;
};

class TimeZone {
 public:
  // `name` is a tzdata name ("Europe/Berlin", "UTC") below `root`. Throws BillingError naming
  // the zone for a name that could leave root (absolute, "..", "." or empty parts, characters
  // tzdata names do not use), a file that cannot be read, or one that is not valid TZif.
  static TimeZone load(std::string_view name,
                       const std::filesystem::path& root = "/usr/share/zoneinfo");
  // The zone in TZif bytes; `name` is only for messages and name(). Versions 1 to 4: the
  // 64-bit data and the footer TZ string when the version has them. Leap-second ("right/")
  // files are refused: unix time has no leap seconds, so they would shift every band.
  static TimeZone from_tzif(std::string_view name, std::string_view bytes);
  static TimeZone utc();

  const std::string& name() const { return name_; }
  int32_t offset_at(int64_t unix) const;  // seconds east of UTC
  LocalTime local(int64_t unix) const;
  // The first instant after `unix` at which the UTC offset changes (a switch that changes only
  // the abbreviation or the DST flag does not count: local time does not move); `never` if it
  // does not change again.
  int64_t next_transition_after(int64_t unix) const;

 private:
  TimeZone() = default;

  std::string name_;
  int32_t initial_offset_ = 0;     // before the first transition: time type 0
  std::vector<int64_t> at_;        // transition instants, ascending
  std::vector<int32_t> offset_;    // the offset from at_[i] on
  std::optional<PosixTz> footer_;  // from the file's last transition on
  int64_t footer_from_ = std::numeric_limits<int64_t>::min();  // (all times if it has none)
};

}  // namespace gm::billing
