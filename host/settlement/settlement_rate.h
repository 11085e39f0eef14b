// Settlement tariffs (the roaming seed, 002_..., "a consumer rate and a provider rate is
// applied to the units of usage"): which price a clean HistoryRecord is settled at, on each
// side, and the settlement operator's handling fee.
//
// Two sides, because the operator stands between the providers: the home (consuming)
// provider pays the consumer rate, the serving provider earns the provider rate, and the
// operator keeps the difference (its margin, consumer - provider, may be 0) plus the
// handling fee, which the home provider pays on top. Nothing else moves money, so the
// providers' nets and the operator's total sum to zero (settlement_reports.h).
//
// Unit model: a price is micros per 60 seconds, billed per second: amount =
// round_half_up_div(seconds * price, 60). Per second, not per started minute, because the
// record carries seconds and per-minute rounding would tax many short roaming sessions; the
// one rounding per record and side (not per minute) keeps the error under one micro-unit.
// The handling fee is per_connection plus per_minute in the same unit model; both parts are
// kept apart because the Invoice shows them separately.
//
// Rules, in order (rate()):
//  - stop_local must be "YYYY-MM-DD HH:MM:SS" with a real date and time, else bad_local_time,
//    whatever the rules: whether a record settles must not depend on a time rule existing.
//  - A rule matches if each of its fields matches: serving_country, serving_provider,
//    home_provider equal to the record's or "*"; the time of day of stop_local in
//    [from_s, to_s) (from_s > to_s wraps midnight: 22:00-06:00); the date of stop_local in
//    [first_date, last_date], each "YYYY-MM-DD" inclusive or "*"; its weekday in `weekdays`
//    (bit 0 Sunday .. bit 6 Saturday; 0 = every day). The whole connection is priced at its
//    stop instant: one record, one price, as the seed's detail record has one line.
//  - Per side, the most specific matching rule wins: the count of its fields that are not
//    wildcards (the three names; the time window unless it is 00:00-24:00; the date range if
//    either end is set; weekdays if not 0). Ties go to the smallest id, so
//    the answer never depends on the order the rules were listed in (ids are unique per side).
//  - No matching consumer rule: no_consumer_rule; else none on the provider side:
//    no_provider_rule. The caller quarantines the record and fixes the tariff.
//  - An amount that would not fit in Micros: amount_too_large.
// A rule whose dates do not parse matches nothing; tariff_problem() says so up front.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/settlement/settlement_record.h"

namespace gm::settlement {

enum class Side : int32_t { consumer = 0, provider = 1 };

inline constexpr int32_t seconds_in_day = 86'400;
inline constexpr uint8_t every_day = 0;

struct SettlementRule {
  std::string id;  // unique; breaks ties between equally specific rules
  Side side = Side::consumer;
  std::string serving_country = "*";
  std::string serving_provider = "*";
  std::string home_provider = "*";
  int32_t from_s = 0;             // local time of day, seconds after midnight
  int32_t to_s = seconds_in_day;  // exclusive; 0..86400, != from_s
  std::string first_date = "*";   // "YYYY-MM-DD", inclusive
  std::string last_date = "*";    // inclusive
  uint8_t weekdays = every_day;   // bit 0 Sunday .. bit 6 Saturday
  Micros price_per_minute = 0;    // micros per 60 s, billed per second
};

struct HandlingFee {
  Micros per_connection = 0;
  Micros per_minute = 0;  // micros per 60 s, billed per second
};

struct Tariffs {
  std::vector<SettlementRule> rules;
  HandlingFee fee;
};

enum class RateRefusal : int32_t {
  none = 0,
  bad_local_time = 1,
  no_consumer_rule = 2,
  no_provider_rule = 3,
  amount_too_large = 4,
};

std::string_view refusal_name(RateRefusal r);  // "no_consumer_rule"

struct RatedRecord {
  HistoryRecord record;
  RateRefusal refusal = RateRefusal::none;
  Micros consumer_micros = 0;        // the home provider pays
  Micros provider_micros = 0;        // the serving provider earns
  Micros fee_connection_micros = 0;  // the operator's, paid by the home provider
  Micros fee_time_micros = 0;
  std::string consumer_rule;  // ids of the rules used
  std::string provider_rule;

  bool ok() const { return refusal == RateRefusal::none; }
  Micros fee_micros() const { return fee_connection_micros + fee_time_micros; }
  Micros margin_micros() const { return consumer_micros - provider_micros; }
};

// seconds * per_minute / 60, rounded half up; false if it would not fit in Micros.
bool per_second_amount(uint32_t seconds, Micros per_minute, Micros& out);

// The number of non-wildcard fields: the precedence key.
int specificity(const SettlementRule& r);

// Whether `r` matches the record whose local stop is (days, second of day, weekday).
bool rule_matches(const SettlementRule& r, const HistoryRecord& h, int64_t local_days,
                  int32_t local_second);

// The winning rule of `side`, or nullptr.
const SettlementRule* find_rule(const Tariffs& t, Side side, const HistoryRecord& h,
                                int64_t local_days, int32_t local_second);

// Splits "YYYY-MM-DD HH:MM:SS" into a day number and second of day; false if malformed.
bool parse_local_time(std::string_view text, int64_t& days, int32_t& second_of_day);
// "YYYY-MM-DD" into a day number; false if malformed.
bool parse_date(std::string_view text, int64_t& days);

// "" if the tariffs are usable, else what is wrong, naming the rule: a duplicate id, a
// time window out of range or empty, a date that does not parse, first after last,
// weekday bits above 6, a negative price or fee.
std::string tariff_problem(const Tariffs& t);

RatedRecord rate(const HistoryRecord& h, const Tariffs& t);

}  // namespace gm::settlement
