#include "host/web/console_routes.h"

#include <algorithm>
#include <charconv>

#include "host/billing/billing_error.h"
#include "host/billing/money.h"
#include "host/billing/password_hash.h"
#include "host/billing/session_api.h"
#include "host/settlement/period_close.h"
#include "host/settlement/report_access.h"
#include "host/settlement/report_format.h"
#include "host/store/billing_types.h"
#include "host/store/json_text.h"
#include "host/web/console_views.h"

namespace gm::web {

using host::json_string;

namespace {

constexpr std::string_view api = "/api/";

ConsoleAnswer json(int status, std::string body) {
  ConsoleAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

ConsoleAnswer error(int status, const std::string& why) {
  return json(status, "{\"error\":" + json_string(why) + "}");
}

bool parse_i64(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string cookie(std::string_view value, int64_t max_age) {
  // Secure: sent over HTTPS only; HttpOnly: no script reads it (the CSRF token is what the
  // page reads); SameSite=Strict: no other site's page makes the browser send it.
  return std::string(cookie_name) + "=" + std::string(value) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

const std::string* field(const std::vector<std::pair<std::string, std::string>>& f,
                         std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return &v;
  return nullptr;
}

std::string me_json(const ConsoleSession& s) {
  return "{\"role\":\"" + std::string(role_name(s.who.role)) +
         "\",\"name\":" + json_string(s.who.name) + ",\"csrf\":\"" + s.csrf + "\"}";
}

// Where Origin says the page came from; it must be this server (https://Host).
bool same_origin(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;  // not sent (older clients, curl): the CSRF token decides
  return origin == "https://" + std::string(host);
}

}  // namespace

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = std::min(header.find(';'), header.size());
    std::string_view pair = header.substr(0, semi);
    header.remove_prefix(std::min(semi + 1, header.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

std::optional<std::vector<std::pair<std::string, std::string>>> form_fields(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t at = 0; at < s.size();) {
    const size_t amp = std::min(s.find('&', at), s.size());
    const std::string_view pair = s.substr(at, amp - at);
    at = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = billing::url_decode(pair.substr(0, eq), true);
    auto value = billing::url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

const ConsoleSession* ConsoleRoutes::session_of(std::string_view cookie_header, int64_t now) {
  const std::string_view token = cookie_value(cookie_header, cookie_name);
  if (token.empty()) return nullptr;
  return sessions_.find(token, now);
}

std::optional<std::string> ConsoleRoutes::password_hash(Role role, const std::string& name) {
  switch (role) {
    case Role::operator_role: return operators_.hash_of(name);
    case Role::provider: return store_.settlement().provider_password_hash(name);
    case Role::subscriber: {
      if (!store_.account_book().find_subscriber(name)) return std::nullopt;
      return store_.account_book().subscriber_password_hash(name);
    }
  }
  return std::nullopt;
}

ConsoleAnswer ConsoleRoutes::login(const ConsoleRequest& r, int64_t now) {
  const auto f = form_fields(r.body);
  if (!f) return error(400, "a broken %-escape in the form");
  const std::string* role_text = field(*f, "role");
  const std::string* name = field(*f, "name");
  const std::string* password = field(*f, "password");
  Role role;
  if (!role_text || !parse_role(*role_text, role))
    return error(400, "role must be operator, provider or subscriber");
  if (!name || name->empty() || name->size() > 256) return error(400, "a name is needed");
  if (!password || password->empty() || password->size() > billing::max_password)
    return error(
        400, "a password of 1 to " + std::to_string(billing::max_password) + " bytes is needed");
  const std::string key = std::string(role_name(role)) + ":" + *name;
  const std::string client(r.client);
  const int64_t wait =
      std::max(name_throttle_.wait_s(key, now), address_throttle_.wait_s(client, now));
  if (wait > 0) {
    ConsoleAnswer a =
        error(429, "too many failed logins: try again in " + std::to_string(wait) + " s");
    a.retry_after_s = wait;
    return a;
  }
  const auto hash = password_hash(role, *name);
  if (!hash || hash->empty() || !billing::password_matches(*hash, *password)) {
    address_throttle_.failed(client, now);
    if (hash) name_throttle_.failed(key, now);  // only names that exist can be locked
    return error(401, "wrong name or password");
  }
  const ConsoleSession& s = sessions_.open({role, *name}, now);
  ConsoleAnswer a = json(200, me_json(s));
  a.set_cookie.push_back(cookie(s.token, ConsoleSessions::lifetime_s));
  return a;
}

ConsoleAnswer ConsoleRoutes::answer(const ConsoleRequest& r, int64_t now, int64_t unix_now) {
  const size_t question = r.target.find('?');
  const std::string_view path = r.target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : r.target.substr(question + 1);
  const bool post = r.method == "POST";
  if (r.method != "GET" && !post) {
    ConsoleAnswer a = error(405, "only GET and POST");
    return a;
  }

  if (path.substr(0, api.size()) != api) {
    if (post) return error(405, "only GET for " + std::string(path));
    const WebAsset* asset = find_web_asset(path == "/" ? "/index.html" : path);
    if (!asset) {
      ConsoleAnswer a = error(404, "no such page");
      return a;
    }
    ConsoleAnswer a;
    a.asset = asset;
    return a;
  }

  if (post) {
    if (!same_origin(r.origin, r.host)) return error(403, "a request from another site");
    if (r.csrf.empty()) return error(403, "X-CSRF-Token is missing");
  }
  if (path == "/api/login") {
    if (!post) return error(405, "POST the login form");
    return login(r, now);
  }
  if (path == "/api/offers") {  // the captive portal's, before anyone logs in
    if (post) return error(405, "GET the offers");
    const auto f = form_fields(query);
    if (!f) return error(400, "a broken %-escape in the query");
    const std::string* realm = field(*f, "realm");
    const std::string* gateway = field(*f, "gateway");
    if (!realm || realm->empty() || realm->size() > 253)
      return error(400, "realm= names the realm whose offers to show");
    return json(200, offers_json(store_, *realm, gateway ? *gateway : ""));
  }

  const ConsoleSession* s = session_of(r.cookie, now);
  if (!s) return error(401, "log in first");
  if (post && !same_token(r.csrf, s->csrf)) return error(403, "X-CSRF-Token does not match");

  if (path == "/api/logout") {
    if (!post) return error(405, "POST to log out");
    ConsoleAnswer a = json(200, "{\"logged_out\":true}");
    sessions_.close(s->token);
    a.set_cookie.push_back(cookie("", 0));
    return a;
  }
  if (path == "/api/me") return json(200, me_json(*s));
  if (path == "/api/live") {
    if (post) return error(405, "GET the live stream");
    return live(*s, query);
  }
  switch (s->who.role) {
    case Role::operator_role: return operator_api(r, path, query, unix_now);
    case Role::provider: return provider_api(*s, r.method, path);
    case Role::subscriber: return subscriber_api(*s, r, path, unix_now);
  }
  return error(404, "no such target");
}

ConsoleAnswer ConsoleRoutes::live(const ConsoleSession& s, std::string_view query) {
  const auto f = form_fields(query);
  if (!f) return error(400, "a broken %-escape in the query");
  const std::string* view = field(*f, "view");
  ConsoleAnswer a;
  a.content_type = "text/event-stream";
  if (!view) return error(400, "view= is needed (sessions, gateways, accounts, my)");
  if (*view == "my") {
    if (s.who.role != Role::subscriber)
      return error(403, "only a subscriber has a page of its own");
    a.live = LiveTopic{"subscriber|" + s.who.name};
    return a;
  }
  if (s.who.role != Role::operator_role) return error(403, "an operator's view");
  if (*view == "gateways" || *view == "accounts") {
    a.live = LiveTopic{*view};
    return a;
  }
  if (*view != "sessions") return error(400, "view must be sessions, gateways, accounts or my");
  std::string after;
  int64_t limit = static_cast<int64_t>(billing::default_page);
  for (const auto& [k, v] : *f) {
    if (k == "after") {
      if (!v.empty() && !billing::parse_session_key(v))
        return error(400, "after must be AGENT/SESSION_ID, got \"" + v + "\"");
      after = v;
    } else if (k == "limit") {
      if (!parse_i64(v, limit) || limit < 1 || limit > static_cast<int64_t>(billing::largest_page))
        return error(
            400, "limit must be a whole number from 1 to " + std::to_string(billing::largest_page));
    } else if (k != "view") {
      return error(400, "unknown parameter \"" + k + "\" (view, after, limit)");
    }
  }
  a.live = LiveTopic{"sessions|" + after + "|" + std::to_string(limit)};
  return a;
}

ConsoleAnswer ConsoleRoutes::operator_api(const ConsoleRequest& r, std::string_view path,
                                          std::string_view query, int64_t unix_now) {
  const bool post = r.method == "POST";
  if (!post) {
    if (path == "/api/gateways") return json(200, gateways_json(store_));
    if (path == "/api/accounts") return json(200, accounts_json(store_));
    constexpr std::string_view sessions = "/api/sessions";
    if (path.substr(0, sessions.size()) == sessions) {
      // The service manager's own API (session_api.h), the same JSON and the same rules.
      std::string target(path.substr(4));
      if (!query.empty()) target += "?" + std::string(query);
      const billing::ApiAnswer a =
          billing::answer_api("GET", target, store_.active_sessions(), unix_now);
      return json(a.status, a.body);
    }
    constexpr std::string_view commands = "/api/commands/";
    if (path.substr(0, commands.size()) == commands) {
      int64_t id = 0;
      if (!parse_i64(path.substr(commands.size()), id))
        return error(400, "a command id is a number");
      const auto c = command_json(store_, id);
      if (!c) return error(404, "no such command");
      return json(200, *c);
    }
    return error(404, "no such target");
  }

  const auto f = form_fields(r.body);
  if (!f) return error(400, "a broken %-escape in the form");
  // POST /api/sessions/AGENT/ID/end | /free, /api/gateways/AGENT/disable | /enable
  const size_t last = path.rfind('/');
  const std::string_view action = path.substr(last + 1), subject = path.substr(0, last);
  constexpr std::string_view sessions = "/api/sessions/", gateways = "/api/gateways/";
  if (subject.substr(0, sessions.size()) == sessions && (action == "end" || action == "free")) {
    const std::string_view key_text = subject.substr(sessions.size());
    const size_t slash = key_text.rfind('/');
    if (slash == std::string_view::npos) return error(400, "a session is AGENT/SESSION_ID");
    const auto agent_id = billing::url_decode(key_text.substr(0, slash), false);
    if (!agent_id) return error(400, "a broken %-escape in the gateway's id");
    const auto key =
        billing::parse_session_key(*agent_id + "/" + std::string(key_text.substr(slash + 1)));
    if (!key) return error(400, "a session is AGENT/SESSION_ID (a decimal id)");
    const uint64_t id = key->session_id;
    const auto agent = store_.find_agent(*agent_id);
    if (!agent) return error(404, "no gateway " + *agent_id);
    const auto open = store_.active_sessions().active_session(*key);
    if (!open) return error(404, "no open session " + std::to_string(id) + " of " + *agent_id);
    gatemeter_Command c = gatemeter_Command_init_zero;
    c.session_id = id;
    if (action == "end") {
      c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
      c.cause = gatemeter_StopCause_STOP_HOST_COMMAND;
    } else {
      const std::string* seconds = field(*f, "seconds");
      int64_t free_s = 0;
      if (!seconds || !parse_i64(*seconds, free_s) || free_s < 1 || free_s > 86400)
        return error(400, "seconds must be a whole number from 1 to 86400");
      c.kind = gatemeter_CommandKind_COMMAND_SET_FREE_PERIOD;
      c.free_s = static_cast<uint32_t>(free_s);
    }
    const int64_t command = store_.queue_command(agent->id, c, unix_now);
    return json(200, "{\"command\":" + std::to_string(command) + ",\"state\":\"pending\"}");
  }
  if (subject.substr(0, gateways.size()) == gateways &&
      (action == "disable" || action == "enable")) {
    const auto agent_id = billing::url_decode(subject.substr(gateways.size()), false);
    if (!agent_id || agent_id->empty()) return error(400, "a gateway's id is needed");
    if (!store_.set_agent_enabled(*agent_id, action == "enable", unix_now))
      return error(404, "no gateway " + *agent_id);
    return json(200, "{\"agent\":" + json_string(*agent_id) +
                         ",\"enabled\":" + (action == "enable" ? "true" : "false") + "}");
  }
  return error(404, "no such action");
}

ConsoleAnswer ConsoleRoutes::provider_api(const ConsoleSession& s, std::string_view method,
                                          std::string_view path) {
  if (method != "GET") return error(405, "a provider's views are read only");
  const std::string& me = s.who.name;
  // The reports the close kept for this provider; its detail file, if it served any, as
  // "detail_file" (a text file, not a table).
  auto kept = [&](int64_t from) {
    std::vector<std::string> out;
    for (const host::ReportChecksum& k : store_.settlement().closed_checksums(from))
      if (k.provider == me) out.push_back(k.report);
    return out;
  };
  constexpr std::string_view periods = "/api/periods";
  if (path == periods) {
    std::vector<settlement::ListedPeriod> listed;
    for (const host::ClosedPeriod& p : store_.settlement().closed_periods()) {
      const auto reports = kept(p.from_unix);
      if (reports.empty()) continue;  // not a member then
      settlement::ListedPeriod l{p, {}};
      const std::string base = "/api/periods/" + std::to_string(p.from_unix) + "/";
      for (const std::string& rep : reports) {
        if (rep == "detail_file") {
          l.targets.push_back(base + "detail_file.txt");
          continue;
        }
        for (const char* fmt : {"csv", "json", "html"})
          l.targets.push_back(base + rep + "." + fmt);
      }
      listed.push_back(std::move(l));
    }
    return json(200, settlement::periods_json(me, listed));
  }
  // /api/periods/<from>/<report>.<format>: no provider in it, so none but its own is reached.
  if (path.substr(0, periods.size() + 1) != "/api/periods/") return error(404, "no such target");
  const std::string_view rest = path.substr(periods.size() + 1);
  const size_t slash = rest.find('/'), dot = rest.rfind('.');
  int64_t from = 0;
  if (slash == std::string_view::npos || dot == std::string_view::npos || dot < slash ||
      !parse_i64(rest.substr(0, slash), from))
    return error(400, "a report is /api/periods/<from>/<report>.<csv|json|html>, or "
                      "/api/periods/<from>/detail_file.txt");
  const std::string report(rest.substr(slash + 1, dot - slash - 1));
  const std::string_view format = rest.substr(dot + 1);
  if (report == "detail_file" ? format != "txt"
                              : format != "csv" && format != "json" && format != "html")
    return error(400, "a report's format is csv, json or html; a detail file's is txt");
  std::optional<host::ClosedPeriod> closed;
  for (const host::ClosedPeriod& p : store_.settlement().closed_periods())
    if (p.from_unix == from) closed = p;
  const auto reports = closed ? kept(from) : std::vector<std::string>{};
  if (std::find(reports.begin(), reports.end(), report) == reports.end())
    return error(404, "no such report of yours in a closed period");
  if (report == "detail_file") {
    ConsoleAnswer a;
    a.content_type = "text/plain; charset=us-ascii";
    a.disposition = "detail_file-" + std::to_string(from) + ".txt";
    a.detail_period = closed;
    a.detail_provider = me;
    return a;
  }
  const settlement::Table t = settlement::closed_table(store_.settlement(), *closed, report, me);
  ConsoleAnswer a;
  a.body = format == "csv"    ? settlement::to_csv(t)
           : format == "json" ? settlement::to_json(t)
                              : settlement::to_html(t);
  a.content_type = format == "csv"    ? "text/csv; charset=utf-8"
                   : format == "json" ? "application/json"
                                      : "text/html; charset=utf-8";
  a.disposition = report + "-" + std::to_string(from) + "." + std::string(format);
  return a;
}

ConsoleAnswer ConsoleRoutes::subscriber_api(const ConsoleSession& s, const ConsoleRequest& r,
                                            std::string_view path, int64_t unix_now) {
  if (path == "/api/my" && r.method == "GET") {
    const auto page = subscriber_json(store_, s.who.name, unix_now);
    if (!page) return error(404, "this subscriber is no longer in the account book");
    return json(200, *page);
  }
  if (path == "/api/my/topup" && r.method == "POST") {
    const auto f = form_fields(r.body);
    if (!f) return error(400, "a broken %-escape in the form");
    const std::string* amount = field(*f, "amount");
    const std::string* key = field(*f, "key");
    if (!key || key->size() < 8 || key->size() > 128)
      return error(400, "key: an idempotency key of 8 to 128 characters is needed");
    billing::Micros micros = 0;
    try {
      micros = billing::parse_money(amount ? *amount : "");
    } catch (const billing::BillingError& e) {
      return error(400, std::string("amount: ") + e.what());
    }
    if (micros <= 0 || micros > max_top_up_micros)
      return error(
          400, "amount must be above 0 and at most " + billing::format_money(max_top_up_micros));
    const auto sub = store_.account_book().find_subscriber(s.who.name);
    if (!sub) return error(404, "this subscriber is no longer in the account book");
    const auto account = store_.account_book().find_account(sub->account);
    if (!account || account->kind != host::AccountKind::prepaid)
      return error(400, "only a prepaid account is topped up");
    // The key is the subscriber's: two subscribers' keys never collide into one payment.
    try {
      const host::TopUpResult t = store_.account_book().top_up("web:" + s.who.name + ":" + *key,
                                                               account->name, micros, unix_now);
      return json(200, "{\"account\":" + json_string(account->name) + ",\"outcome\":\"" +
                           (t.outcome == host::TopUpOutcome::applied ? "applied" : "repeated") +
                           "\",\"balance_micros\":" + std::to_string(t.balance_micros) + "}");
    } catch (const host::BillingConflict& e) {
      return error(409, e.what());
    }
  }
  if (path == "/api/my" || path == "/api/my/topup") return error(405, "not with this method");
  return error(403, "a subscriber sees only the own page");
}

}  // namespace gm::web
