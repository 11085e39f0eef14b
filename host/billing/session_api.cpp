#include "host/billing/session_api.h"

#include <algorithm>
#include <charconv>

#include "host/store/json_text.h"
#include "shared/proto/wire_names.h"

namespace gm::billing {

using host::json_string;

namespace {

std::string num(int64_t v) {
  return std::to_string(v);
}
std::string num(uint64_t v) {
  return std::to_string(v);
}

bool parse_u64(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ApiAnswer error(int status, const std::string& why) {
  return {status, "{\"error\":" + json_string(why) + "}"};
}

}  // namespace

std::optional<std::string> url_decode(std::string_view s, bool query) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += query && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::string session_json(const host::ActiveSession& s, int64_t now) {
  const bool billed = !s.account.empty();
  std::string out = "{\"agent\":" + json_string(s.agent_id) + ",\"session_id\":\"" +
                    num(s.session_id) + "\",\"subscriber\":" + json_string(s.subscriber) +
                    ",\"realm\":" + json_string(s.realm) + ",\"service\":" +
                    json_string(s.service) + ",\"service_type\":" + json_string(s.service_type) +
                    ",\"billing\":" + json_string(wire::billing_name(s.billing).c_str()) +
                    ",\"address\":" + json_string(s.address) +
                    ",\"account\":" + (billed ? json_string(s.account) : "null") +
                    ",\"balance_micros\":" + (billed ? num(s.balance_micros) : "null") +
                    ",\"start_unix\":" + num(s.start_unix) + ",\"duration_s\":" +
                    num(std::max<int64_t>(0, now - s.start_unix)) +
                    ",\"last_record_unix\":" + num(s.updated_unix) +
                    ",\"charged_s\":" + num(s.charged_s) + ",\"free_s\":" + num(s.free_s) +
                    ",\"octets_in\":" + num(s.octets_in) + ",\"octets_out\":" +
                    num(s.octets_out) + ",\"amount_micros\":" + num(s.amount_micros) + ",\"rate\":";
  if (s.rate_id == 0)
    out += "null";
  else
    out += "{\"id\":" + num(s.rate_id) + ",\"unit\":" + json_string(s.rate_unit) +
           ",\"price_micros\":" + num(s.rate_price_micros) + "}";
  return out + "}";
}

std::string sessions_page_json(const std::vector<host::ActiveSession>& page,
                               const std::optional<host::SessionKey>& next, int64_t now) {
  std::string out = "{\"sessions\":[";
  for (size_t i = 0; i < page.size(); ++i) out += (i ? "," : "") + session_json(page[i], now);
  return out + "],\"next\":" + (next ? json_string(session_key_text(*next)) : "null") + "}";
}

std::optional<host::SessionKey> parse_session_key(std::string_view text) {
  const auto slash = text.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  host::SessionKey k;
  k.agent_id = std::string(text.substr(0, slash));
  if (!parse_u64(text.substr(slash + 1), k.session_id)) return std::nullopt;
  return k;
}

std::string session_key_text(const host::SessionKey& key) {
  return key.agent_id + "/" + num(key.session_id);
}

SessionsPage read_sessions_page(host::ActiveSessions& store,
                                const std::optional<host::SessionKey>& after, size_t limit) {
  SessionsPage page;
  page.sessions = store.active_sessions(after, limit + 1);
  if (page.sessions.size() > limit) {
    page.sessions.resize(limit);
    page.next = host::SessionKey{page.sessions.back().agent_id, page.sessions.back().session_id};
  }
  return page;
}

ApiAnswer answer_api(std::string_view method, std::string_view target,
                     host::ActiveSessions& store, int64_t now) {
  if (method != "GET") return error(405, "only GET");
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  constexpr std::string_view list = "/sessions", one = "/sessions/";
  if (path == list) {
    size_t limit = default_page;
    std::optional<host::SessionKey> after;
    for (size_t at = 0; at < query.size();) {
      const size_t amp = std::min(query.find('&', at), query.size());
      const std::string_view pair = query.substr(at, amp - at);
      at = amp + 1;
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      const std::string_view name = pair.substr(0, eq);
      const auto value = url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!value) return error(400, "a broken %-escape in " + std::string(pair));
      if (name == "limit") {
        uint64_t n = 0;
        if (!parse_u64(*value, n) || n < 1 || n > largest_page)
          return error(400, "limit must be a whole number from 1 to " + num(uint64_t{largest_page}) +
                                ", got \"" + *value + "\"");
        limit = static_cast<size_t>(n);
      } else if (name == "after") {
        after = parse_session_key(*value);
        if (!after) return error(400, "after must be AGENT/SESSION_ID, got \"" + *value + "\"");
      } else {
        return error(400, "unknown parameter \"" + std::string(name) + "\" (limit, after)");
      }
    }
    const SessionsPage page = read_sessions_page(store, after, limit);
    return {200, sessions_page_json(page.sessions, page.next, now)};
  }
  if (path.substr(0, one.size()) == one) {
    // Split before decoding: an agent id holding '/' arrives as %2F.
    const std::string_view rest = path.substr(one.size());
    const auto slash = rest.find('/');
    const auto agent = url_decode(rest.substr(0, slash), false);
    host::SessionKey key;
    if (slash == std::string_view::npos || !agent || agent->empty() ||
        !parse_u64(rest.substr(slash + 1), key.session_id))
      return error(400, "expected /sessions/AGENT/SESSION_ID (a decimal session id)");
    key.agent_id = *agent;
    const auto s = store.active_session(key);
    if (!s) return error(404, "no open session " + session_key_text(key));
    return {200, session_json(*s, now)};
  }
  return error(404, "not found (GET /sessions, GET /sessions/AGENT/SESSION_ID)");
}

}  // namespace gm::billing
