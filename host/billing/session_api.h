// The service manager's answers (BILLING.md, "The service manager"): the JSON the billing
// service's API serves (billing_api_server.h) and `billingctl sessions --json` prints, and the
// API's request rules, apart from the transport:
//
//   GET /sessions[?limit=N&after=AGENT/SESSION_ID]  a page of open sessions in key order:
//       {"sessions":[...],"next":"AGENT/SESSION_ID"}; "next" is null on the last page, else
//       what ?after= takes (URL-encoded) for the page that follows. limit 1 to 1000 (100).
//   GET /sessions/AGENT/SESSION_ID                  one open session, or 404
//
// Session ids are decimal strings in JSON (a 64-bit id does not survive a JavaScript number);
// money is integer micro-units. Errors are {"error":"..."} with 400, 404 or 405; nothing a
// request asks changes the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/store/active_sessions.h"

namespace gm::billing {

std::string session_json(const host::ActiveSession& s, int64_t now_unix);
// {"sessions":[...],"next":...}
std::string sessions_page_json(const std::vector<host::ActiveSession>& page,
                               const std::optional<host::SessionKey>& next, int64_t now_unix);
// "AGENT/SESSION_ID" (the last '/' splits: an agent id may hold one); nullopt if it is not.
std::optional<host::SessionKey> parse_session_key(std::string_view text);
std::string session_key_text(const host::SessionKey& key);
// %XX decoded (and '+' as a space in a query or form body); nullopt for a broken escape.
std::optional<std::string> url_decode(std::string_view s, bool query);

// Reads a page of at most `limit` sessions after `after` and says where the next one starts
// (a page that came back full is followed by another: one more row is read to know).
struct SessionsPage {
  std::vector<host::ActiveSession> sessions;
  std::optional<host::SessionKey> next;
};
SessionsPage read_sessions_page(host::ActiveSessions& store,
                                const std::optional<host::SessionKey>& after, size_t limit);

inline constexpr size_t default_page = 100, largest_page = 1000;

struct ApiAnswer {
  int status = 200;
  std::string body;  // JSON
};
// One request: its method and target ("/sessions?limit=10"), answered from `store`.
ApiAnswer answer_api(std::string_view method, std::string_view target,
                     host::ActiveSessions& store, int64_t now_unix);

}  // namespace gm::billing
