#include "host/billing/posix_tz.h"

#include <algorithm>
#include <array>
#include <string>

#include "host/billing/billing_error.h"
#include "host/billing/civil_date.h"

namespace gm::billing {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), rest_(text) {}

  [[noreturn]] void bad(const std::string& why) const {
    throw BillingError("TZ string \"" + std::string(text_) + "\": " + why);
  }
  bool at_end() const { return rest_.empty(); }
  char peek() const { return rest_.empty() ? '\0' : rest_.front(); }
  bool take(char c) {
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }

  // "CET", or quoted "<+0530>" for names that are not all letters.
  void name(const char* what) {
    size_t n = 0;
    if (take('<')) {
      while (!rest_.empty() && rest_.front() != '>') {
        const char c = rest_.front();
        if (!is_letter(c) && !is_digit(c) && c != '+' && c != '-')
          bad(std::string(what) + " name has '" + c + "'");
        rest_.remove_prefix(1);
        ++n;
      }
      if (!take('>')) bad(std::string(what) + " name lacks its closing '>'");
    } else {
      while (is_letter(peek())) {
        rest_.remove_prefix(1);
        ++n;
      }
    }
    if (n < 3) bad(std::string(what) + " name must have at least 3 characters");
  }

  int number(int max, const char* what) {
    if (!is_digit(peek())) bad(std::string("expected a number for the ") + what);
    int v = 0;
    while (is_digit(peek())) {
      v = v * 10 + (rest_.front() - '0');
      if (v > max) bad(std::string("the ") + what + " is above " + std::to_string(max));
      rest_.remove_prefix(1);
    }
    return v;
  }

  // [+-]hh[:mm[:ss]]
  int32_t hours_minutes_seconds(int max_hours, const char* what) {
    int sign = 1;
    if (take('-'))
      sign = -1;
    else
      take('+');
    const int h = number(max_hours, what);
    const int m = take(':') ? number(59, what) : 0;
    const int s = take(':') ? number(59, what) : 0;
    return sign * (h * 3600 + m * 60 + s);
  }

  PosixTz::Switch switch_rule() {
    PosixTz::Switch sw;
    using Kind = PosixTz::Day::Kind;
    if (take('J')) {
      sw.day.kind = Kind::julian_no_leap;
      sw.day.number = number(365, "Julian day");
      if (sw.day.number < 1) bad("a Julian day counts from 1");
    } else if (take('M')) {
      sw.day.kind = Kind::month_week_day;
      sw.day.month = number(12, "month");
      if (sw.day.month < 1) bad("months count from 1");
      if (!take('.')) bad("expected '.' after the month");
      sw.day.week = number(5, "week");
      if (sw.day.week < 1) bad("weeks count from 1");
      if (!take('.')) bad("expected '.' after the week");
      sw.day.weekday = number(6, "weekday");
    } else {
      sw.day.kind = Kind::zero_based;
      sw.day.number = number(365, "day of the year");
    }
    // RFC 8536 allows -167..167 hours so that a switch can name "the day after".
    if (take('/')) sw.time_s = hours_minutes_seconds(167, "switch time");
    return sw;
  }

 private:
  std::string_view text_;
  std::string_view rest_;
};

int64_t switch_day(const PosixTz::Day& d, int64_t year) {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  switch (d.kind) {
    case PosixTz::Day::Kind::julian_no_leap:
      return jan1 + d.number - 1 + (is_leap_year(year) && d.number >= 60 ? 1 : 0);
    case PosixTz::Day::Kind::zero_based: return jan1 + d.number;
    case PosixTz::Day::Kind::month_week_day: {
      const int64_t first = days_from_civil(year, d.month, 1);
      int offset = (d.weekday - weekday_from_days(first) + 7) % 7 + (d.week - 1) * 7;
      while (offset >= days_in_month(year, d.month)) offset -= 7;  // week 5 = the last one
      return first + offset;
    }
  }
  return jan1;
}

struct Event {
  __int128 at;  // unix seconds; 128 bits so that years near the int64 end cannot wrap
  bool to_dst;
};

// The switches of a few years, in time order, without allocating (a slim tzdata file
// answers every offset_at from here).
struct Events {
  std::array<Event, 16> list;
  size_t size = 0;
  const Event* begin() const { return list.data(); }
  const Event* end() const { return list.data() + size; }
};

// Years [from, to], at most 8 of them. At equal instants the end of DST sorts before the
// start, so a DST that covers the whole year ("0/0,J365/25") stays on.
Events events(const PosixTz& tz, int64_t from, int64_t to) {
  Events out;
  for (int64_t y = from; y <= to && out.size + 2 <= out.list.size(); ++y) {
    out.list[out.size++] = {
        static_cast<__int128>(switch_day(tz.dst_start.day, y)) * seconds_per_day +
            tz.dst_start.time_s - tz.std_offset,
        true};
    out.list[out.size++] = {static_cast<__int128>(switch_day(tz.dst_end.day, y)) * seconds_per_day +
                                tz.dst_end.time_s - tz.dst_offset,
                            false};
  }
  std::sort(out.list.begin(), out.list.begin() + static_cast<std::ptrdiff_t>(out.size),
            [](const Event& a, const Event& b) {
              return a.at != b.at ? a.at < b.at : (!a.to_dst && b.to_dst);
            });
  return out;
}

int64_t year_of(int64_t unix) {
  return civil_from_days(floor_div(unix, seconds_per_day)).year;
}

// Whether DST is on at `unix`, from the latest switch at or before it.
bool dst_at(const Events& evs, int64_t unix) {
  bool on = false;
  for (const Event& e : evs) {
    if (e.at > unix) break;
    on = e.to_dst;
  }
  return on;
}

}  // namespace

PosixTz parse_posix_tz(std::string_view text) {
  Parser p(text);
  PosixTz tz;
  p.name("standard time");
  // POSIX counts west of UTC; everything else here counts east.
  tz.std_offset = -p.hours_minutes_seconds(24, "UTC offset");
  if (p.at_end()) return tz;
  tz.has_dst = true;
  p.name("daylight time");
  tz.dst_offset = (p.at_end() || p.peek() == ',') ? tz.std_offset + 3600
                                                  : -p.hours_minutes_seconds(24, "DST offset");
  if (p.at_end()) {
    tz.dst_start.day = {PosixTz::Day::Kind::month_week_day, 0, 3, 2, 0};
    tz.dst_end.day = {PosixTz::Day::Kind::month_week_day, 0, 11, 1, 0};
    return tz;
  }
  if (!p.take(',')) p.bad("expected ',' before the DST start rule");
  tz.dst_start = p.switch_rule();
  if (!p.take(',')) p.bad("expected ',' before the DST end rule");
  tz.dst_end = p.switch_rule();
  if (!p.at_end()) p.bad("unexpected text after the DST end rule");
  return tz;
}

int32_t offset_at(const PosixTz& tz, int64_t unix) {
  if (!tz.has_dst) return tz.std_offset;
  const int64_t y = year_of(unix);
  // Two years back: the latest switch may be last year's, moved up to 167 hours later.
  return dst_at(events(tz, y - 2, y + 1), unix) ? tz.dst_offset : tz.std_offset;
}

int64_t next_offset_change_after(const PosixTz& tz, int64_t unix) {
  if (!tz.has_dst || tz.std_offset == tz.dst_offset) return never;
  const int64_t y = year_of(unix);
  // A rule that changes anything changes it every year, so three years ahead are enough. The
  // events run a year further so that each one considered has its neighbours (an all-year DST
  // ends at the instant the next year's starts).
  const Events evs = events(tz, y - 2, y + 5);
  const __int128 horizon = static_cast<__int128>(days_from_civil(y + 4, 1, 1)) * seconds_per_day;
  int32_t current = dst_at(evs, unix) ? tz.dst_offset : tz.std_offset;
  const auto& e = evs.list;
  for (size_t i = 0; i < evs.size;) {
    if (e[i].at <= unix) {
      ++i;
      continue;
    }
    // Switches at one instant take effect together; only the last one of them counts.
    size_t j = i;
    while (j + 1 < evs.size && e[j + 1].at == e[i].at) ++j;
    if (e[i].at >= horizon) break;
    const int32_t after = e[j].to_dst ? tz.dst_offset : tz.std_offset;
    if (after != current) return e[i].at >= never ? never : static_cast<int64_t>(e[i].at);
    current = after;
    i = j + 1;
  }
  return never;
}

}  // namespace gm::billing
