#include "host/radius/realm_routes.h"

#include <arpa/inet.h>
#include <sys/random.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "host/radius/access_crypto.h"
#include "host/radius/access_relay.h"
#include "host/radius/accounting_record.h"

namespace gm::host {

namespace {

constexpr uint8_t tunnel_server_endpoint = 67;
constexpr uint8_t tunnel_password = 69;
constexpr uint8_t tunnel_preference = 83;

void append(std::vector<uint8_t>& out, uint8_t type, const uint8_t* value, size_t n) {
  out.push_back(type);
  out.push_back(static_cast<uint8_t>(2 + n));
  out.insert(out.end(), value, value + n);
}

void append_message_authenticator(std::vector<uint8_t>& out) {
  const uint8_t zeros[16] = {};
  append(out, radius::attr::message_authenticator, zeros, sizeof zeros);
}

void set_length(std::vector<uint8_t>& out) {
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
}

std::string endpoint_text(const HomeServer& h) {
  in_addr a{};
  a.s_addr = htonl(h.address);
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(h.port);
}

bool parse_endpoint(std::string_view text, HomeServer& h) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string ip(text.substr(0, colon)), port(text.substr(colon + 1));
  in_addr a{};
  if (inet_pton(AF_INET, ip.c_str(), &a) != 1 || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const unsigned long p = std::stoul(port);
  if (p == 0 || p > 65535) return false;
  h.address = ntohl(a.s_addr);
  h.port = static_cast<uint16_t>(p);
  return true;
}

}  // namespace

std::vector<uint8_t> route_query(uint8_t identifier, const radius::Authenticator& authenticator,
                                 std::string_view secret, std::string_view realm) {
  std::vector<uint8_t> out(radius::header_size, 0);
  out[0] = static_cast<uint8_t>(radius::Code::access_request);
  out[1] = identifier;
  std::memcpy(out.data() + 4, authenticator.data(), authenticator.size());
  const std::string user = "@" + std::string(realm.substr(0, 252));
  append(out, radius::attr::user_name, reinterpret_cast<const uint8_t*>(user.data()), user.size());
  append_message_authenticator(out);
  set_length(out);
  radius::sign_message_authenticator(out, nullptr, secret);
  return out;
}

std::vector<uint8_t> route_answer(const radius::Packet& query, std::string_view secret,
                                  const std::vector<HomeServer>& servers, uint32_t keep_s) {
  if (servers.empty())
    return radius::access_reject(query.identifier, query.authenticator, secret, "unknown realm");
  std::vector<uint8_t> out(radius::header_size, 0);
  out[0] = static_cast<uint8_t>(radius::Code::access_accept);
  out[1] = query.identifier;
  const size_t n = std::min(servers.size(), max_routed_servers);
  for (size_t i = 0; i < n; ++i) {
    const auto tag = static_cast<uint8_t>(i + 1);
    const std::string at = endpoint_text(servers[i]);
    const std::string v = static_cast<char>(tag) + at;
    append(out, tunnel_server_endpoint, reinterpret_cast<const uint8_t*>(v.data()), v.size());
    uint8_t salt[2];
    if (::getrandom(salt, sizeof salt, 0) != sizeof salt) salt[0] = salt[1] = static_cast<uint8_t>(i);
    const std::vector<uint8_t> hidden =
        radius::hide_tunnel_password(servers[i].secret, tag, salt, query.authenticator, secret);
    append(out, tunnel_password, hidden.data(), hidden.size());
    const uint8_t preference[4] = {tag, 0, 0, tag};
    append(out, tunnel_preference, preference, sizeof preference);
  }
  const uint8_t keep[4] = {static_cast<uint8_t>(keep_s >> 24), static_cast<uint8_t>(keep_s >> 16),
                           static_cast<uint8_t>(keep_s >> 8), static_cast<uint8_t>(keep_s)};
  append(out, radius::attr_session_timeout, keep, sizeof keep);
  append_message_authenticator(out);
  set_length(out);
  radius::sign_message_authenticator(out, &query.authenticator, secret);
  radius::sign_response(out, query.authenticator, secret);
  return out;
}

RouteAnswer read_route_answer(const radius::Packet& answer,
                              const radius::Authenticator& query_authenticator,
                              std::string_view secret, std::vector<HomeServer>& servers,
                              uint32_t& keep_s) {
  servers.clear();
  keep_s = 0;
  std::vector<uint8_t> check(answer.bytes, answer.bytes + answer.length);
  radius::sign_response(check, query_authenticator, secret);
  if (std::memcmp(check.data() + 4, answer.authenticator.data(), 16) != 0 ||
      radius::check_message_authenticator(answer, &query_authenticator, secret) !=
          radius::MessageAuthenticator::valid)
    return RouteAnswer::not_authentic;
  if (answer.code == radius::Code::access_reject) return RouteAnswer::unknown_realm;
  if (answer.code != radius::Code::access_accept) return RouteAnswer::malformed;
  struct Tagged {
    bool endpoint = false, secret = false;
    uint32_t preference = 0;
    HomeServer server;
  };
  std::map<uint8_t, Tagged> by_tag;
  bool bad = false;
  answer.each_attribute([&](const radius::Attribute& a) {
    if (a.type == radius::attr_session_timeout && a.value.size() == 4) {
      for (const char c : a.value) keep_s = keep_s << 8 | static_cast<uint8_t>(c);
      return;
    }
    if (a.type != tunnel_server_endpoint && a.type != tunnel_password &&
        a.type != tunnel_preference)
      return;
    if (a.value.empty() || static_cast<uint8_t>(a.value[0]) == 0 ||
        static_cast<uint8_t>(a.value[0]) > max_routed_servers) {
      bad = true;
      return;
    }
    Tagged& t = by_tag[static_cast<uint8_t>(a.value[0])];
    if (a.type == tunnel_server_endpoint) {
      t.endpoint = parse_endpoint(a.value.substr(1), t.server);
      bad |= !t.endpoint;
    } else if (a.type == tunnel_password) {
      const auto revealed = radius::reveal_tunnel_password(a.value, query_authenticator, secret);
      t.secret = revealed && !revealed->second.empty();
      if (t.secret) t.server.secret = revealed->second;
      bad |= !t.secret;
    } else if (a.value.size() == 4) {
      t.preference = static_cast<uint8_t>(a.value[1]) << 16 |
                     static_cast<uint8_t>(a.value[2]) << 8 | static_cast<uint8_t>(a.value[3]);
    }
  });
  if (bad || by_tag.empty()) return RouteAnswer::malformed;
  std::vector<const Tagged*> order;
  for (const auto& [tag, t] : by_tag) {
    if (!t.endpoint || !t.secret) return RouteAnswer::malformed;
    order.push_back(&t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Tagged* a, const Tagged* b) { return a->preference < b->preference; });
  for (const Tagged* t : order) servers.push_back(t->server);
  return RouteAnswer::servers;
}

}  // namespace gm::host
