#include "host/settlement/cleaning.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "host/billing/civil_date.h"

namespace gm::settlement {

const char* refusal_name(CleanRefusal r) {
  switch (r) {
    case CleanRefusal::none: return "none";
    case CleanRefusal::no_user: return "no_user";
    case CleanRefusal::bad_user: return "bad_user";
    case CleanRefusal::no_realm: return "no_realm";
    case CleanRefusal::realm_conflict: return "realm_conflict";
    case CleanRefusal::no_session_id: return "no_session_id";
    case CleanRefusal::no_nas: return "no_nas";
    case CleanRefusal::no_serving_server: return "no_serving_server";
    case CleanRefusal::unknown_serving_server: return "unknown_serving_server";
    case CleanRefusal::unknown_realm: return "unknown_realm";
    case CleanRefusal::unknown_home_server: return "unknown_home_server";
    case CleanRefusal::home_server_conflict: return "home_server_conflict";
    case CleanRefusal::unknown_provider: return "unknown_provider";
    case CleanRefusal::not_roaming: return "not_roaming";
    case CleanRefusal::negative_session_time: return "negative_session_time";
    case CleanRefusal::session_too_long: return "session_too_long";
    case CleanRefusal::no_stop_time: return "no_stop_time";
    case CleanRefusal::stop_before_1990: return "stop_before_1990";
    case CleanRefusal::bad_stop_local: return "bad_stop_local";
    case CleanRefusal::no_time_zone: return "no_time_zone";
    case CleanRefusal::unknown_status_type: return "unknown_status_type";
  }
  return "?";
}

const char* irrelevance_name(Irrelevance i) {
  switch (i) {
    case Irrelevance::none: return "none";
    case Irrelevance::not_stop: return "not_stop";
    case Irrelevance::zero_duration: return "zero_duration";
  }
  return "?";
}

const char* verdict_name(DedupVerdict v) {
  switch (v) {
    case DedupVerdict::first: return "first";
    case DedupVerdict::duplicate: return "duplicate";
    case DedupVerdict::out_of_order: return "out_of_order";
  }
  return "?";
}

namespace {

// ASCII only: std::tolower depends on the process-global locale.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool has_space_or_control(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

enum class StatusKind { stop, not_stop, unknown };

StatusKind status_kind(std::string_view raw) {
  const std::string s = lower(trim(raw));
  if (s == "stop" || s == "2") return StatusKind::stop;
  if (s == "start" || s == "1" || s == "interim-update" || s == "alive" || s == "3" ||
      s == "accounting-on" || s == "7" || s == "accounting-off" || s == "8") {
    return StatusKind::not_stop;
  }
  return StatusKind::unknown;
}

// Two digits at s[i], s[i+1], or -1.
int two_digits(std::string_view s, size_t i) {
  const char a = s[i], b = s[i + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
  return (a - '0') * 10 + (b - '0');
}

const Provider* provider_of(const ProviderDirectory& d, const std::string& id) {
  const auto it = d.providers.find(id);
  return it == d.providers.end() ? nullptr : &it->second;
}

CleanOutcome refused(CleanRefusal r) {
  return CleanOutcome{RecordStatus::quarantined, r, Irrelevance::none};
}

CleanOutcome irrelevant(Irrelevance i) {
  return CleanOutcome{RecordStatus::irrelevant, CleanRefusal::none, i};
}

}  // namespace

bool is_local_time(const std::string& text) {
  const std::string_view s = text;
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
      s[16] != ':') {
    return false;
  }
  const int y_hi = two_digits(s, 0), y_lo = two_digits(s, 2);
  const int month = two_digits(s, 5), day = two_digits(s, 8);
  const int hour = two_digits(s, 11), minute = two_digits(s, 14), second = two_digits(s, 17);
  if (y_hi < 0 || y_lo < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 59) {
    return false;
  }
  return day <= billing::days_in_month(y_hi * 100 + y_lo, month);
}

CleanOutcome clean(const RawRecord& raw, const ProviderDirectory& directory, HistoryRecord& out) {
  // 1. Relevance (see the header for why it comes before the errors).
  const StatusKind kind = status_kind(raw.status_type);
  if (kind == StatusKind::not_stop) return irrelevant(Irrelevance::not_stop);
  if (kind == StatusKind::stop && raw.session_time_s == 0) {
    return irrelevant(Irrelevance::zero_duration);
  }
  if (kind == StatusKind::unknown) return refused(CleanRefusal::unknown_status_type);

  // 2. Who.
  const std::string_view name = trim(raw.user_name);
  if (name.empty()) return refused(CleanRefusal::no_user);
  if (has_space_or_control(name)) return refused(CleanRefusal::bad_user);
  const size_t at = name.find('@');
  if (at == 0 ||
      (at != std::string_view::npos && name.find('@', at + 1) != std::string_view::npos)) {
    return refused(CleanRefusal::bad_user);
  }
  const std::string local = lower(name.substr(0, at));
  const std::string name_realm =
      at == std::string_view::npos ? std::string() : lower(name.substr(at + 1));
  const std::string domain = lower(trim(raw.user_domain));
  if (has_space_or_control(domain) || domain.find('@') != std::string::npos) {
    return refused(CleanRefusal::bad_user);
  }
  if (name_realm.empty() && domain.empty()) return refused(CleanRefusal::no_realm);
  if (!name_realm.empty() && !domain.empty() && name_realm != domain) {
    return refused(CleanRefusal::realm_conflict);
  }
  const std::string realm = name_realm.empty() ? domain : name_realm;

  // What makes the usage unique.
  if (trim(raw.session_id).empty()) return refused(CleanRefusal::no_session_id);
  if (trim(raw.nas_id).empty()) return refused(CleanRefusal::no_nas);

  // 3. Where.
  if (raw.local_server.empty()) return refused(CleanRefusal::no_serving_server);
  const auto serving_it = directory.server_provider.find(raw.local_server);
  if (serving_it == directory.server_provider.end()) {
    return refused(CleanRefusal::unknown_serving_server);
  }
  const auto realm_it = directory.realm_provider.find(realm);
  if (realm_it == directory.realm_provider.end()) return refused(CleanRefusal::unknown_realm);
  if (!raw.home_server.empty()) {
    const auto home_it = directory.server_provider.find(raw.home_server);
    if (home_it == directory.server_provider.end()) {
      return refused(CleanRefusal::unknown_home_server);
    }
    if (home_it->second != realm_it->second) return refused(CleanRefusal::home_server_conflict);
  }
  const Provider* home = provider_of(directory, realm_it->second);
  const Provider* serving = provider_of(directory, serving_it->second);
  if (home == nullptr || serving == nullptr) return refused(CleanRefusal::unknown_provider);
  if (home->id == serving->id) return refused(CleanRefusal::not_roaming);

  // 4. When.
  if (raw.session_time_s < 0) return refused(CleanRefusal::negative_session_time);
  if (raw.session_time_s > max_session_time_s) return refused(CleanRefusal::session_too_long);
  if (raw.stop_gmt_unix == 0) return refused(CleanRefusal::no_stop_time);
  if (raw.stop_gmt_unix < earliest_stop_unix) return refused(CleanRefusal::stop_before_1990);
  if (!is_local_time(raw.stop_local)) return refused(CleanRefusal::bad_stop_local);
  const std::string_view zone = trim(raw.time_zone);
  if (zone.empty()) return refused(CleanRefusal::no_time_zone);

  HistoryRecord h;
  h.entry_id = raw.entry_id;
  h.user = local + "@" + realm;
  h.realm = realm;
  h.service = "RM";
  h.session_id = std::string(trim(raw.session_id));
  h.session_time_s = static_cast<uint32_t>(raw.session_time_s);
  h.stop_unix = raw.stop_gmt_unix;
  h.stop_local = raw.stop_local;
  h.time_zone = std::string(zone);
  h.home_provider = home->id;
  h.home_country = home->country;
  h.serving_provider = serving->id;
  h.serving_country = serving->country;
  h.nas_id = std::string(trim(raw.nas_id));
  out = std::move(h);
  return CleanOutcome{RecordStatus::clean, CleanRefusal::none, Irrelevance::none};
}

UsageKey usage_key(const HistoryRecord& h) {
  return UsageKey{h.user, h.session_id, h.nas_id, h.serving_provider, h.session_time_s};
}

size_t UsageKeyHash::operator()(const UsageKey& k) const {
  // FNV-1a over the fields, each ended by 0xff so that ("ab","c") and ("a","bc") spread
  // apart; equality, not the hash, decides a duplicate.
  uint64_t h = 0xcbf29ce484222325ull;
  const auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0xffu) * 0x100000001b3ull;
  };
  mix(k.user);
  mix(k.session_id);
  mix(k.nas_id);
  mix(k.serving_provider);
  return static_cast<size_t>((h ^ k.session_time_s) * 0x100000001b3ull);
}

Deduper::Deduper(int64_t window_s) : window_s_(window_s < 0 ? 0 : window_s) {}

void Deduper::forget_before(int64_t stop_unix) {
  // A kept record at k still matters while stop - k <= window; in 128 bits so that no stop
  // time, however absurd, overflows the difference.
  while (!order_.empty() && static_cast<__int128>(stop_unix) - order_.front().first > window_s_) {
    const auto it = kept_.find(*order_.front().second);
    order_.pop_front();  // before the erase: it points into the node
    kept_.erase(it);
  }
}

DedupVerdict Deduper::feed(const HistoryRecord& h) {
  if (any_ &&
      (h.stop_unix < last_stop_ || (h.stop_unix == last_stop_ && h.entry_id < last_entry_))) {
    return DedupVerdict::out_of_order;
  }
  any_ = true;
  last_stop_ = h.stop_unix;
  last_entry_ = h.entry_id;
  forget_before(h.stop_unix);
  // Whatever is still remembered is within the window (forget_before just ran).
  const auto [it, fresh] = kept_.try_emplace(usage_key(h), h.stop_unix);
  if (!fresh) return DedupVerdict::duplicate;
  order_.emplace_back(h.stop_unix, &it->first);
  return DedupVerdict::first;
}

void sort_for_dedup(std::vector<HistoryRecord>& records) {
  std::stable_sort(
      records.begin(), records.end(), [](const HistoryRecord& a, const HistoryRecord& b) {
        return a.stop_unix != b.stop_unix ? a.stop_unix < b.stop_unix : a.entry_id < b.entry_id;
      });
}

std::vector<bool> mark_duplicates(std::vector<HistoryRecord>& records, int64_t window_s) {
  sort_for_dedup(records);
  Deduper d(window_s);
  std::vector<bool> dup;
  dup.reserve(records.size());
  for (const HistoryRecord& h : records) dup.push_back(d.feed(h) == DedupVerdict::duplicate);
  return dup;
}

}  // namespace gm::settlement
