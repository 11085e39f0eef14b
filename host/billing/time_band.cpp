#include "host/billing/time_band.h"

#include <string>

#include "host/billing/billing_error.h"
#include "host/billing/civil_date.h"
#include "host/billing/enum_names.h"

namespace gm::billing {

namespace {

constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr int64_t give_up_after_s = 60 * seconds_per_day;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

class ClauseParser {
 public:
  explicit ClauseParser(std::string_view clause) : clause_(clause) {}

  [[noreturn]] void bad(const std::string& why) const {
    throw BillingError("time_bands: \"" + std::string(clause_) + "\": " + why);
  }

  int day(std::string_view text) const {
    for (size_t i = 0; i < day_names.size(); ++i)
      if (day_names[i] == text) return static_cast<int>(i);
    bad("unknown day \"" + std::string(text) + "\" (mon, tue, wed, thu, fri, sat, sun)");
  }

  // "mon-fri", "mon,wed,fri", "fri-mon" (wrapping), "none".
  std::array<bool, 7> days(std::string_view text) const {
    std::array<bool, 7> out{};
    if (text == "none") return out;
    if (text.empty()) bad("no days (name some, or \"none\")");
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(',', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view item = text.substr(start, end - start);
      const size_t dash = item.find('-');
      const int from = day(item.substr(0, dash));
      const int to = dash == std::string_view::npos ? from : day(item.substr(dash + 1));
      for (int d = from;; d = (d + 1) % 7) {
        out[d] = true;
        if (d == to) break;
      }
      start = end + 1;
    }
    return out;
  }

  // "08:00" -> 28800; "24:00" is the end of the day.
  int32_t clock(std::string_view text) const {
    const auto digits = [](std::string_view d) {
      if (d.size() != 2 || d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9') return -1;
      return (d[0] - '0') * 10 + (d[1] - '0');
    };
    const int h = text.size() == 5 && text[2] == ':' ? digits(text.substr(0, 2)) : -1;
    const int m = h < 0 ? -1 : digits(text.substr(3, 2));
    if (h < 0 || m < 0 || h > 24 || m > 59 || (h == 24 && m != 0))
      bad("\"" + std::string(text) + "\" is not a time of day HH:MM from 00:00 to 24:00");
    return h * 3600 + m * 60;
  }

 private:
  std::string_view clause_;
};

}  // namespace

std::string_view name(Band b) {
  switch (b) {
    case Band::peak: return "peak";
    case Band::offpeak: return "offpeak";
    case Band::weekend: return "weekend";
  }
  return "?";
}

Band parse_band(std::string_view text) {
  return parse_named(text, all_bands, "time band");
}

TimeBands parse_time_bands(std::string_view text) {
  TimeBands bands;
  bool seen_peak = false, seen_weekend = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view clause = trim(text.substr(start, end - start));
    start = end + 1;
    if (clause.empty()) continue;  // "a; b;" and the empty setting (all defaults)
    const ClauseParser p(clause);
    const size_t eq = clause.find('=');
    if (eq == std::string_view::npos) p.bad("expected peak=DAYS HH:MM-HH:MM or weekend=DAYS");
    const std::string_view key = trim(clause.substr(0, eq));
    const std::string_view value = trim(clause.substr(eq + 1));
    if (key == "peak") {
      if (seen_peak) p.bad("peak is set twice");
      seen_peak = true;
      const size_t space = value.find_first_of(" \t");
      bands.peak_days = p.days(value.substr(0, space));
      if (space != std::string_view::npos) {
        const std::string_view hours = trim(value.substr(space));
        const size_t dash = hours.find('-');
        if (dash == std::string_view::npos) p.bad("peak hours must be HH:MM-HH:MM");
        bands.peak_from_s = p.clock(hours.substr(0, dash));
        bands.peak_to_s = p.clock(hours.substr(dash + 1));
        if (bands.peak_from_s >= bands.peak_to_s)
          p.bad("peak hours must start before they end (and within one day)");
      }
    } else if (key == "weekend") {
      if (seen_weekend) p.bad("weekend is set twice");
      seen_weekend = true;
      bands.weekend_days = p.days(value);
    } else {
      p.bad("unknown band \"" + std::string(key) + "\" (peak or weekend; the rest is offpeak)");
    }
  }
  for (size_t d = 0; d < 7; ++d)
    if (bands.peak_days[d] && bands.weekend_days[d])
      throw BillingError("time_bands: \"" + std::string(text) + "\": " + std::string(day_names[d]) +
                         " is both a peak day and a weekend day");
  return bands;
}

Band band_at(const TimeBands& bands, const TimeZone& zone, int64_t unix) {
  const LocalTime t = zone.local(unix);
  if (bands.weekend_days[t.weekday]) return Band::weekend;
  const int32_t sod = t.hour * 3600 + t.minute * 60 + t.second;
  if (bands.peak_days[t.weekday] && sod >= bands.peak_from_s && sod < bands.peak_to_s)
    return Band::peak;
  return Band::offpeak;
}

int64_t band_changes_after(const TimeBands& bands, const TimeZone& zone, int64_t unix) {
  // A schedule of one band never changes, and walking it would only reach the give-up bound.
  bool peak = false, offpeak = false, weekend = false;
  for (size_t d = 0; d < 7; ++d) {
    if (bands.weekend_days[d]) {
      weekend = true;
      continue;
    }
    const bool has_peak_hours = bands.peak_days[d] && bands.peak_from_s < bands.peak_to_s;
    peak = peak || has_peak_hours;
    offpeak =
        offpeak || !has_peak_hours || bands.peak_from_s > 0 || bands.peak_to_s < seconds_per_day;
  }
  if (int{peak} + int{offpeak} + int{weekend} < 2) return never;

  // Between a zone's offset changes local time runs with UTC, so the band can change only at
  // a local midnight, a peak edge, or an offset change: step through those in order.
  const Band now = band_at(bands, zone, unix);
  const __int128 limit = static_cast<__int128>(unix) + give_up_after_s;
  __int128 cur = unix;
  while (cur < limit) {
    const auto at = static_cast<int64_t>(cur);
    const int32_t offset = zone.offset_at(at);
    const __int128 local = cur + offset;
    const int64_t local_days = floor_div(at, seconds_per_day) +
                               floor_div(floor_mod(at, seconds_per_day) + offset, seconds_per_day);
    const __int128 midnight = static_cast<__int128>(local_days) * seconds_per_day;
    __int128 edge = midnight + seconds_per_day;
    for (const int32_t e : {bands.peak_from_s, bands.peak_to_s})
      if (midnight + e > local && midnight + e < edge) edge = midnight + e;
    __int128 next = edge - offset;
    const int64_t transition = zone.next_transition_after(at);
    if (transition < next) next = transition;
    if (next >= never) return never;
    if (band_at(bands, zone, static_cast<int64_t>(next)) != now) return static_cast<int64_t>(next);
    cur = next;
  }
  return limit >= never ? never : static_cast<int64_t>(limit);
}

}  // namespace gm::billing
