// "a.b.c.d:port": how the login service names census servers and how a board names its login
// server. Both uplinks (lwIP and POSIX) parse with this, so they accept and refuse exactly the
// same lists. Freestanding: no inet_pton on bare metal.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm::net {

struct Ipv4Endpoint {
  uint8_t address[4] = {};  // a, b, c, d: network byte order
  uint16_t port = 0;        // host byte order, never 0

  bool operator==(const Ipv4Endpoint& o) const {
    return port == o.port && address[0] == o.address[0] && address[1] == o.address[1] &&
           address[2] == o.address[2] && address[3] == o.address[3];
  }
};

// Dotted quad (no leading zeros, each part 0..255) and a decimal port 1..65535; false if
// anything else, including host names.
bool parse_ipv4_endpoint(const char* text, Ipv4Endpoint& out);

// An ordered census list: 1..max entries, all valid, or false with the first bad index in
// *bad_index (count itself when the count is wrong). `out` is untouched on failure.
bool parse_ipv4_endpoint_list(const char* const* texts, size_t count, Ipv4Endpoint* out,
                              size_t max, size_t* bad_index);

}  // namespace gm::net
