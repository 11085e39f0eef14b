// The routing mode (RADIUS.md, "Routing mode"; the roaming seed's Fig. 6): a local server that
// does not know a realm asks a routing server which home servers serve it, and then asks them
// itself. Both messages are RADIUS, signed under the secret the two servers share:
//
//   query   Access-Request, User-Name "@realm", Message-Authenticator
//   answer  Access-Accept: for each home server, in failover order, a tag t = 1, 2, ... with
//           Tunnel-Server-Endpoint:t "address:port", Tunnel-Password:t its secret (hidden as
//           RFC 2868 section 3.5 says, under the query's authenticator) and Tunnel-Preference:t
//           its place; Session-Timeout: how long the answer may be kept. Access-Reject with
//           Reply-Message "unknown realm" for a realm the routing server does not list.
//
// RFC 2868's tags group the attributes of alternative tunnels; here each home server is one.
// Plain functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::host {

struct HomeServer {
  uint32_t address = 0;  // IPv4, host order
  uint16_t port = 0;
  std::string secret;
};

inline constexpr size_t max_routed_servers = 31;  // RFC 2868 tags 1 to 31

std::vector<uint8_t> route_query(uint8_t identifier, const radius::Authenticator& authenticator,
                                 std::string_view secret, std::string_view realm);

// The answer to `query` (parse()d, authentic): the servers (at most max_routed_servers, the
// first ones) or, none, a reject. Salts are random.
std::vector<uint8_t> route_answer(const radius::Packet& query, std::string_view secret,
                                  const std::vector<HomeServer>& servers, uint32_t keep_s);

enum class RouteAnswer : uint8_t {
  servers,        // `servers` and `keep_s` filled
  unknown_realm,  // an authentic Access-Reject
  not_authentic,  // its Response Authenticator or Message-Authenticator is wrong or absent
  malformed,      // another code, a tag without endpoint or secret, an endpoint not ip:port
};
RouteAnswer read_route_answer(const radius::Packet& answer,
                              const radius::Authenticator& query_authenticator,
                              std::string_view secret, std::vector<HomeServer>& servers,
                              uint32_t& keep_s);

}  // namespace gm::host
