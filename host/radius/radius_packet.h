// RADIUS packets (RFC 2865 section 3, RFC 2866 section 3): reading one, checking an
// Accounting-Request's authenticator, and writing the Accounting-Response.
//
// Receiving is two steps because the secret depends on the sender: parse() checks the layout
// and yields the code, the identifier and the attributes (views into the caller's bytes); the
// caller finds the client's shared secret by its address (or refuses it as unknown_client);
// request_authentic() then checks the Request Authenticator. Nothing is copied or allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gm::radius {

enum class Code : uint8_t {
  access_request = 1,
  access_accept = 2,
  access_reject = 3,
  accounting_request = 4,
  accounting_response = 5,
};

// RFC 2865 section 3: 20 octets of header, at most 4096 in all.
inline constexpr size_t header_size = 20;
inline constexpr size_t max_packet_size = 4096;
using Authenticator = std::array<uint8_t, 16>;

// Why a datagram is not a packet this server takes, each counted by name.
enum class Refusal : uint8_t {
  none,
  too_short,          // fewer than 20 octets
  bad_length,         // the Length field is below 20, above 4096 or above what arrived
  bad_attribute,      // an attribute's length is below 2 or runs past the packet's end
  unknown_client,     // no shared secret for the sender's address (the caller decides)
  bad_authenticator,  // the Request Authenticator is not MD5 of the packet and the secret
  not_accounting,     // a code this port does not serve
};
const char* refusal_name(Refusal r);
inline constexpr size_t refusal_count = 7;

struct Attribute {
  uint8_t type = 0;
  std::string_view value;  // the octets after type and length
};

struct Packet {
  Code code{};
  uint8_t identifier = 0;
  const uint8_t* bytes = nullptr;  // the packet, `length` octets (extra octets are padding)
  size_t length = 0;
  Authenticator authenticator{};

  // Calls f(const Attribute&) for each attribute in order; parse() has checked them all.
  template <typename F>
  void each_attribute(F&& f) const {
    for (size_t at = header_size; at < length;) {
      const uint8_t len = bytes[at + 1];
      f(Attribute{bytes[at],
                  std::string_view(reinterpret_cast<const char*>(bytes + at + 2), len - 2u)});
      at += len;
    }
  }
};

// Checks the header and every attribute's length; fills out. Octets past Length are ignored,
// as RFC 2865 asks.
Refusal parse(const uint8_t* in, size_t n, Packet& out);

// RFC 2866 section 3: MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret).
bool request_authentic(const Packet& request, std::string_view secret);

// Writes the Accounting-Response to `request` with no attributes (20 octets) into out, its
// Response Authenticator MD5(Code + Identifier + Length + Request Authenticator + Secret).
// Returns its length, or 0 if out_cap is below 20.
size_t accounting_response(const Packet& request, std::string_view secret, uint8_t* out,
                           size_t out_cap);
// The same from what it needs of the request, for a server that keeps only those.
size_t accounting_response(uint8_t identifier, const Authenticator& request_authenticator,
                           std::string_view secret, uint8_t* out, size_t out_cap);

// The Request Authenticator a client puts in an Accounting-Request whose other octets are
// in[0, n) (the authenticator field's own 16 octets are read as zeros): for test clients and
// the load generator.
Authenticator accounting_request_authenticator(const uint8_t* in, size_t n,
                                               std::string_view secret);

}  // namespace gm::radius
