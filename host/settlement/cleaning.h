// Cleaning (the roaming seed's filtering module): one raw record becomes a history record, is
// dropped as irrelevant, or is quarantined with a named reason; then a Deduper says which clean
// records repeat an earlier usage. Plain functions over their arguments only (no clock, no
// globals), so re-running a period over the same raw rows and directory gives the same result.
//
// Check order, and why:
//  1. Relevance first. A record that can never be billed (an Accounting-On has no user at all,
//     a Start has no duration, a zero-second Stop earns nothing) is irrelevant whatever else is
//     wrong with it: quarantine is the list of records somebody should fix, and fixing these
//     would yield nothing. Irrelevant: the status types Start, Interim-Update (old name Alive),
//     Accounting-On, Accounting-Off (names any case, or RFC 2866 codes 1/3/7/8), and a Stop
//     of exactly zero seconds. An empty or unknown status type is quarantined, not dropped: it
//     may be a mangled Stop, and dropping it would lose billable usage without trace.
//  2. Then the errors, first failure reported, in the order of the enum below: who (user,
//     realm), what (session id, NAS), where (servers, providers, roaming), when (session time,
//     stop times, zone). A negative session time is an error, not "zero": it is corrupt.
// The stop's local time is kept as the record gives it; it is not compared with the GMT time
// (the seed's own example has them ten days apart, and the zone may be a name we cannot
// resolve without tables).
//
// Duplicates: retries of one record (a low-level protocol resending until acknowledged) agree
// in user, session id, NAS, serving provider and session time; their stop times may differ a
// little when the collector derives them from receipt time. Session ids roll over, so the same
// key is one usage only within a window (default 24 h) of the kept record's stop time; later,
// it is a new usage. The Deduper is fed in (stop time, entry id) order so the kept record of a
// group is the earliest, lowest entry id, and it forgets keys older than the window behind the
// newest stop it has seen, so its memory is bounded by one window of traffic.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/settlement/settlement_record.h"

namespace gm::settlement {

enum class CleanRefusal : uint8_t {
  none,
  no_user,                 // user_name empty (after trimming blanks)
  bad_user,                // more than one '@', empty name before '@', blanks or controls
                           // inside, or a user_domain holding '@', blanks or controls
  no_realm,                // neither "@realm" in user_name nor a user_domain
  realm_conflict,          // user_name's "@realm" and user_domain both given and differ
  no_session_id,           // Acct-Session-Id empty: it is part of what makes a usage unique
  no_nas,                  // NAS id empty: likewise
  no_serving_server,       // local_server empty
  unknown_serving_server,  // local_server not in the directory
  unknown_realm,           // the realm names no home provider
  unknown_home_server,     // home_server given but not in the directory
  home_server_conflict,    // home_server's provider is not the realm's provider
  unknown_provider,        // the directory maps to a provider id it does not list
  not_roaming,             // home provider is the serving provider: nothing to settle
  negative_session_time,
  session_too_long,     // over 31 days: longer than any settlement period
  no_stop_time,         // stop_gmt_unix is 0
  stop_before_1990,     // before any roaming settlement existed: a broken clock
  bad_stop_local,       // not exactly "YYYY-MM-DD HH:MM:SS", or not a real date and time
  no_time_zone,         // time_zone empty
  unknown_status_type,  // empty or not one of the RADIUS accounting status types
};
const char* refusal_name(CleanRefusal r);
inline constexpr size_t clean_refusal_count = 21;

// Why a record was irrelevant.
enum class Irrelevance : uint8_t { none, not_stop, zero_duration };
const char* irrelevance_name(Irrelevance i);

struct CleanOutcome {
  RecordStatus status = RecordStatus::raw;  // clean, irrelevant or quarantined
  CleanRefusal refusal = CleanRefusal::none;
  Irrelevance irrelevance = Irrelevance::none;
};

inline constexpr int64_t max_session_time_s = 31 * 86'400;
inline constexpr int64_t earliest_stop_unix = 631'152'000;  // 1990-01-01 00:00:00 UTC

// `out` is written only when the outcome is clean.
CleanOutcome clean(const RawRecord& raw, const ProviderDirectory& directory, HistoryRecord& out);

// Whether `text` is exactly "YYYY-MM-DD HH:MM:SS" naming a real date and time (no leap second).
bool is_local_time(const std::string& text);

// What makes two records the same usage (together with stop times within the window).
struct UsageKey {
  std::string user;  // carries the realm
  std::string session_id;
  std::string nas_id;
  std::string serving_provider;  // the history keeps the provider, not the raw local_server;
                                 // the NAS id already pins the server a retry came through
  uint32_t session_time_s = 0;
  auto operator<=>(const UsageKey&) const = default;
};
UsageKey usage_key(const HistoryRecord& h);
struct UsageKeyHash {
  size_t operator()(const UsageKey& k) const;
};

enum class DedupVerdict : uint8_t {
  first,         // a new usage: keep it
  duplicate,     // the same usage as a kept record within the window
  out_of_order,  // fed before the newest (stop, entry id) seen: the caller's sort is wrong;
                 // not remembered, so the verdicts of correctly ordered records are unchanged
};
const char* verdict_name(DedupVerdict v);

inline constexpr int64_t default_dedup_window_s = 86'400;

class Deduper {
 public:
  explicit Deduper(int64_t window_s = default_dedup_window_s);
  Deduper(const Deduper&) = delete;  // order_ points into kept_'s nodes
  Deduper& operator=(const Deduper&) = delete;
  Deduper(Deduper&&) = default;  // nodes move with the map
  Deduper& operator=(Deduper&&) = default;

  // Records must come in (stop_unix, entry_id) order. A duplicate is a record whose key equals
  // a kept record's and whose stop is at most window_s after that kept record's stop. To
  // re-run a period from its start, feed the window before it first and ignore the verdicts.
  DedupVerdict feed(const HistoryRecord& h);

  size_t remembered() const { return kept_.size(); }  // keys within the window now
  int64_t window_s() const { return window_s_; }

 private:
  void forget_before(int64_t stop_unix);

  int64_t window_s_;
  bool any_ = false;
  int64_t last_stop_ = 0;
  int64_t last_entry_ = 0;
  // key -> the kept record's stop; each key once (a node's key does not move, so order_ points
  // at it rather than holding a second copy)
  std::unordered_map<UsageKey, int64_t, UsageKeyHash> kept_;
  std::deque<std::pair<int64_t, const UsageKey*>> order_;  // kept (stop, key), oldest first
};

// (stop_unix, entry_id): the order a Deduper wants.
void sort_for_dedup(std::vector<HistoryRecord>& records);

// Sorts `records` and returns, index for index, whether each is a duplicate.
std::vector<bool> mark_duplicates(std::vector<HistoryRecord>& records,
                                  int64_t window_s = default_dedup_window_s);

}  // namespace gm::settlement
