#include "host/settlement/settlement_rate.h"

#include <limits>
#include <set>
#include <utility>

#include "host/billing/civil_date.h"
#include "host/billing/money.h"

namespace gm::settlement {

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool is_wild(const std::string& s) {
  return s == "*";
}

bool name_matches(const std::string& rule, const std::string& value) {
  return is_wild(rule) || rule == value;
}

bool whole_day(const SettlementRule& r) {
  return r.from_s == 0 && r.to_s == seconds_in_day;
}

}  // namespace

std::string_view refusal_name(RateRefusal r) {
  switch (r) {
    case RateRefusal::none: return "none";
    case RateRefusal::bad_local_time: return "bad_local_time";
    case RateRefusal::no_consumer_rule: return "no_consumer_rule";
    case RateRefusal::no_provider_rule: return "no_provider_rule";
    case RateRefusal::amount_too_large: return "amount_too_large";
  }
  return "unknown";
}

bool parse_date(std::string_view text, int64_t& days) {
  int64_t y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > billing::days_in_month(y, static_cast<int>(m))) return false;
  days = billing::days_from_civil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

bool parse_local_time(std::string_view text, int64_t& days, int32_t& second_of_day) {
  int64_t hh = 0, mm = 0, ss = 0;
  if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return false;
  if (!parse_date(text.substr(0, 10), days)) return false;
  if (!digits(text, 11, 2, hh) || !digits(text, 14, 2, mm) || !digits(text, 17, 2, ss))
    return false;
  // A leap second (:60) is refused: the zone data behind stop_local has none.
  if (hh > 23 || mm > 59 || ss > 59) return false;
  second_of_day = static_cast<int32_t>(hh * 3600 + mm * 60 + ss);
  return true;
}

bool per_second_amount(uint32_t seconds, Micros per_minute, Micros& out) {
  const __int128 num = static_cast<__int128>(seconds) * per_minute;
  // Bound before dividing so round_half_up_div never has to throw: |num| / 60 rounded is at
  // most (|num| + 30) / 60.
  const __int128 limit = static_cast<__int128>(std::numeric_limits<Micros>::max()) * 60 - 30;
  if (num > limit || num < -limit) return false;
  out = billing::round_half_up_div(num, 60);
  return true;
}

int specificity(const SettlementRule& r) {
  int n = 0;
  n += is_wild(r.serving_country) ? 0 : 1;
  n += is_wild(r.serving_provider) ? 0 : 1;
  n += is_wild(r.home_provider) ? 0 : 1;
  n += whole_day(r) ? 0 : 1;
  n += (is_wild(r.first_date) && is_wild(r.last_date)) ? 0 : 1;
  n += r.weekdays == every_day ? 0 : 1;
  return n;
}

bool rule_matches(const SettlementRule& r, const HistoryRecord& h, int64_t local_days,
                  int32_t local_second) {
  if (!name_matches(r.serving_country, h.serving_country)) return false;
  if (!name_matches(r.serving_provider, h.serving_provider)) return false;
  if (!name_matches(r.home_provider, h.home_provider)) return false;
  if (!whole_day(r)) {
    const bool in = r.from_s < r.to_s ? (local_second >= r.from_s && local_second < r.to_s)
                                      : (local_second >= r.from_s || local_second < r.to_s);
    if (!in) return false;
  }
  int64_t d = 0;
  if (!is_wild(r.first_date) && (!parse_date(r.first_date, d) || local_days < d)) return false;
  if (!is_wild(r.last_date) && (!parse_date(r.last_date, d) || local_days > d)) return false;
  if (r.weekdays != every_day && (r.weekdays & (1u << billing::weekday_from_days(local_days))) == 0)
    return false;
  return true;
}

const SettlementRule* find_rule(const Tariffs& t, Side side, const HistoryRecord& h,
                                int64_t local_days, int32_t local_second) {
  const SettlementRule* best = nullptr;
  int best_n = -1;
  for (const SettlementRule& r : t.rules) {
    if (r.side != side || !rule_matches(r, h, local_days, local_second)) continue;
    const int n = specificity(r);
    if (n > best_n || (n == best_n && r.id < best->id)) {
      best = &r;
      best_n = n;
    }
  }
  return best;
}

std::string tariff_problem(const Tariffs& t) {
  if (t.fee.per_connection < 0 || t.fee.per_minute < 0) return "handling fee is negative";
  std::set<std::pair<Side, std::string>> seen;
  for (const SettlementRule& r : t.rules) {
    const std::string who = "rule \"" + r.id + "\": ";
    // Ids are unique per side so that the tie-break by id is a total order.
    if (!seen.insert({r.side, r.id}).second) return who + "duplicate id";
    if (r.from_s < 0 || r.from_s >= seconds_in_day || r.to_s <= 0 || r.to_s > seconds_in_day ||
        r.from_s == r.to_s)
      return who + "time window out of range or empty";
    int64_t first = 0, last = 0;
    if (!is_wild(r.first_date) && !parse_date(r.first_date, first))
      return who + "first_date \"" + r.first_date + "\" is not YYYY-MM-DD";
    if (!is_wild(r.last_date) && !parse_date(r.last_date, last))
      return who + "last_date \"" + r.last_date + "\" is not YYYY-MM-DD";
    if (!is_wild(r.first_date) && !is_wild(r.last_date) && first > last)
      return who + "first_date after last_date";
    if (r.weekdays > 0x7f) return who + "weekday bits above Saturday";
    if (r.price_per_minute < 0) return who + "negative price";
  }
  return "";
}

RatedRecord rate(const HistoryRecord& h, const Tariffs& t) {
  RatedRecord out;
  out.record = h;
  int64_t days = 0;
  int32_t second = 0;
  if (!parse_local_time(h.stop_local, days, second)) {
    out.refusal = RateRefusal::bad_local_time;
    return out;
  }
  const SettlementRule* c = find_rule(t, Side::consumer, h, days, second);
  if (c == nullptr) {
    out.refusal = RateRefusal::no_consumer_rule;
    return out;
  }
  const SettlementRule* p = find_rule(t, Side::provider, h, days, second);
  if (p == nullptr) {
    out.refusal = RateRefusal::no_provider_rule;
    return out;
  }
  out.consumer_rule = c->id;
  out.provider_rule = p->id;
  Micros fee_time = 0;
  if (!per_second_amount(h.session_time_s, c->price_per_minute, out.consumer_micros) ||
      !per_second_amount(h.session_time_s, p->price_per_minute, out.provider_micros) ||
      !per_second_amount(h.session_time_s, t.fee.per_minute, fee_time)) {
    RatedRecord refused;
    refused.record = h;
    refused.refusal = RateRefusal::amount_too_large;
    return refused;
  }
  out.fee_connection_micros = t.fee.per_connection;
  out.fee_time_micros = fee_time;
  return out;
}

}  // namespace gm::settlement
