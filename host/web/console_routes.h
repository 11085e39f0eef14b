// The web console's decision for one HTTP request (WEB.md "Routes"), apart from the transport
// (console_server.h), as report_access.h is for the settlement-reports service: given the
// request's method, target, cookie, CSRF header and body, and the store, what to answer.
//
// The rules, and why:
//  - Static files (the page, its script, the chart library) are public: they hold no data.
//  - Every /api/ target but /api/login and /api/offers needs a live session (the gm_console
//    cookie): 401 without one, so a stranger learns nothing, not even which accounts exist.
//  - Each role reaches only its own targets (403 otherwise): an operator everything of the
//    network; a provider only its own settlement reports, by targets that name no provider, so
//    no URL reaches another's; a subscriber only the own sessions, balance and top-up.
//  - Every POST needs X-CSRF-Token: the session's token (console_sessions.h); for the login,
//    any value, which no cross-site form can add without a CORS preflight this server never
//    grants. An Origin header, when sent, must be this server's.
//  - Logins are throttled (settlement/report_throttle.h: 5 failures in 60 s of one name or one
//    client address lock it for 60 s, 429 before any password is checked). Unknown name, no
//    password set and a wrong password look alike.
//  - Bad input is 400 with {"error":..}; nothing is changed by a refused request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/settlement/report_throttle.h"
#include "host/store/store.h"
#include "host/web/console_operators.h"
#include "host/web/console_sessions.h"
#include "host/web/web_assets.h"

namespace gm::web {

inline constexpr const char* cookie_name = "gm_console";
inline constexpr size_t max_body = 4096;
// The most a simulated top-up may add at once (a real payment provider sets its own).
inline constexpr int64_t max_top_up_micros = 1'000 * 1'000'000LL;

struct ConsoleRequest {
  std::string_view method, target;
  std::string_view cookie;  // the Cookie header, "" none
  std::string_view csrf;    // X-CSRF-Token, "" none
  std::string_view origin;  // Origin, "" none
  std::string_view host;    // Host
  std::string_view body;    // application/x-www-form-urlencoded for POSTs
  std::string_view client;  // the peer's address (the throttle's key)
};

// What follows a live target: the connection becomes an event stream of this view.
struct LiveTopic {
  std::string key;  // what the live board computes: "sessions?after=&limit=100", "gateways",
                    // "subscriber:NAME", "accounts"
};

struct ConsoleAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::string> set_cookie;
  const WebAsset* asset = nullptr;  // a static file: serve it (body empty)
  std::optional<LiveTopic> live;    // GET /api/live: an event stream follows
  std::string disposition;          // a download's file name
  // A provider's detail file: sent page by page by the transport (detail_download.h).
  std::optional<host::ClosedPeriod> detail_period;
  std::string detail_provider;
  int64_t retry_after_s = 0;        // 429
};

class ConsoleRoutes {
 public:
  ConsoleRoutes(host::Store& store, ConsoleOperators& operators)
      : store_(store), operators_(operators) {}

  // steady_now: seconds of a monotonic clock (sessions, throttle); unix_now: wall clock (what
  // the store's times are in). Store errors pass through as exceptions: nothing decided.
  ConsoleAnswer answer(const ConsoleRequest& request, int64_t steady_now, int64_t unix_now);

  // The live session a request's cookie names, if any (for the transport's stream checks).
  const ConsoleSession* session_of(std::string_view cookie_header, int64_t steady_now);
  size_t sessions() const { return sessions_.size(); }

 private:
  ConsoleAnswer login(const ConsoleRequest& r, int64_t now);
  ConsoleAnswer operator_api(const ConsoleRequest& r, std::string_view path, std::string_view query,
                             int64_t unix_now);
  ConsoleAnswer provider_api(const ConsoleSession& s, std::string_view method,
                             std::string_view path);
  ConsoleAnswer subscriber_api(const ConsoleSession& s, const ConsoleRequest& r,
                               std::string_view path, int64_t unix_now);
  ConsoleAnswer live(const ConsoleSession& s, std::string_view query);
  std::optional<std::string> password_hash(Role role, const std::string& name);

  host::Store& store_;
  ConsoleOperators& operators_;
  ConsoleSessions sessions_;
  settlement::ReportThrottle name_throttle_, address_throttle_;
};

// The value of cookie `name` in a Cookie header; "" none.
std::string_view cookie_value(std::string_view header, std::string_view name);
// name=value pairs of a query or form body, decoded; nullopt for a broken %-escape.
std::optional<std::vector<std::pair<std::string, std::string>>> form_fields(std::string_view s);

}  // namespace gm::web
