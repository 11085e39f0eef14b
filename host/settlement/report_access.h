// Who may download what from the settlement-reports service (SETTLEMENT.md "Access"): the
// decision for one HTTP request, a plain function over what the server hands it (no I/O of its
// own: the store, the password check and the throttle are lookups passed in).
//
// The targets, all GET or HEAD:
//   /periods                                  the closed periods holding reports of yours (JSON)
//   /periods/<from_unix>/<report>.<format>    report: detail, summary, invoice, credit_debit;
//                                             format: csv, json, html
//   /periods/<from_unix>/detail_file.txt      your detail transaction file (the DT lines)
// <from_unix> is the closed period's start in unix seconds, as `settlectl periods` shows it.
//
// The rules, and why:
//  - The provider is the one the credentials name (HTTP Basic, user = provider id). No target
//    names a provider, so there is no URL at all that reaches another provider's report: what
//    is served is always the authenticated provider's own.
//  - Only closed periods are served (their reports are final, checked against the checksums
//    the close kept); an open or unknown period is 404, as is a report the close did not make
//    for you. The settlement-wide statement (every member's net) is the operator's: 403.
//  - The target is checked before the credentials, and is never decoded: every target above
//    is plain ASCII, so a byte outside [A-Za-z0-9._/-] (a '%', a query, a backslash), an empty
//    segment ("//", a trailing '/'), "." or "..", a period that is not canonical decimal, or a
//    target over max_target bytes is 400. Nothing is normalised, so no two spellings reach one
//    file and no spelling reaches a file outside the grammar.
//  - Credentials are checked before anything about the data is said: without valid ones every
//    well-formed target is 401 (with WWW-Authenticate), so a stranger cannot even learn which
//    periods are closed. Unknown provider, no password set and wrong password look alike.
//  - A provider with no password set never logs in: its hash is "" and no password is ever
//    compared with an empty hash (nor is an empty password taken).
//  - Throttled logins (report_throttle.h) are 429 before the password is checked, whatever the
//    password: a guesser learns nothing during the lockout and costs no hash.
//  - Methods other than GET and HEAD are 405; a request naming Authorization twice is 400 (two
//    readers of one request must never disagree on who sent it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/store/settlement_ledger.h"

namespace gm::settlement {

inline constexpr size_t max_target = 256;
inline constexpr const char* access_realm = "gatemeter settlement";
inline constexpr const char* www_authenticate = "Basic realm=\"gatemeter settlement\"";

enum class AccessAction : uint8_t { refuse, list_periods, report, detail_file };
enum class ReportFormat : uint8_t { csv, json, html };

struct AccessRequest {
  std::string_view method;  // as sent: "GET"
  std::string_view target;  // as sent: "/periods/868665600/invoice.csv"
  // Every Authorization header's value, in order (none: no credentials).
  std::span<const std::string_view> authorization;
};

struct AccessLookups {
  // A provider's password hash: nullopt for no such provider, "" for none set.
  std::function<std::optional<std::string>(const std::string& provider)> password_hash;
  // Whether `password` is the one `hash` was made from (password_hash.h).
  std::function<bool(const std::string& hash, std::string_view password)> password_matches;
  // Seconds until logins naming `provider` (from this client) are taken again; 0 now.
  std::function<int64_t(const std::string& provider)> throttled_s;
  // The closed periods, oldest first.
  std::function<std::vector<host::ClosedPeriod>()> closed_periods;
  // What the close of the period starting at from_unix kept for `provider`: report names
  // ("detail", ..., "detail_file"), as in its checksums.
  std::function<std::vector<std::string>(int64_t from_unix, const std::string& provider)>
      reports_of;
};

// A closed period as the listing shows it, with the targets that serve its files.
struct ListedPeriod {
  host::ClosedPeriod period;
  std::vector<std::string> targets;  // "/periods/<from>/<report>.<format>", ...
};

struct AccessDecision {
  int status = 400;  // 200: serve; else the refusal's status
  std::string why;   // a refusal's one line, for the body
  AccessAction action = AccessAction::refuse;
  bool head = false;          // HEAD: the same headers, no body
  std::string provider;       // the authenticated provider
  host::ClosedPeriod period;  // report, detail_file
  std::string report;         // report: "detail", "summary", "invoice", "credit_debit"
  ReportFormat format = ReportFormat::csv;
  std::vector<ListedPeriod> periods;  // list_periods
  int64_t retry_after_s = 0;          // 429
  // Credentials were given and did not authenticate: the throttle counts it, for the client
  // and, when the provider exists, for that provider (throttled_provider).
  bool login_failed = false;
  std::string throttled_provider;
};

// Lookups may throw (a store error): the exception passes through, nothing decided.
AccessDecision decide_access(const AccessRequest& request, const AccessLookups& lookups);

// The /periods body: {"provider":..,"periods":[{"from":N,"to":N,"from_utc":..,"to_utc":..,
// "closed_utc":..,"targets":[..]}]}, one line ending "\n".
std::string periods_json(const std::string& provider, const std::vector<ListedPeriod>& periods);

// A served file's name (Content-Disposition): "invoice-868665600.csv", "detail_file-868665600.txt".
std::string download_name(const AccessDecision& d);
const char* content_type(const AccessDecision& d);

}  // namespace gm::settlement
