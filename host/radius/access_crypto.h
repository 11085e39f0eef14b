// What an Access-Request and its answer carry under the shared secret, for the roaming proxy
// (RADIUS.md): User-Password hidden by MD5 chaining (RFC 2865 section 5.2), Message-
// Authenticator as HMAC-MD5 over the packet (RFC 3579 section 3.2), and the Response
// Authenticator of an Access-Accept or -Reject (RFC 2865 section 3). Plain functions, no I/O; a
// proxy reveals a password under its client's secret and hides it again under the home
// server's, and signs each packet it sends anew.
#pragma once

#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::radius {

namespace attr {
inline constexpr uint8_t user_password = 2;
inline constexpr uint8_t reply_message = 18;
inline constexpr uint8_t proxy_state = 33;
inline constexpr uint8_t message_authenticator = 80;
}  // namespace attr

// The hidden User-Password (16 to 128 octets, a multiple of 16) under `request_authenticator`;
// nullopt if its length is not so. NUL padding is removed.
std::optional<std::string> reveal_password(std::string_view hidden,
                                           const Authenticator& request_authenticator,
                                           std::string_view secret);
// The password hidden (padded with NULs to a multiple of 16); empty if it is over 128 octets.
std::vector<uint8_t> hide_password(std::string_view password,
                                   const Authenticator& request_authenticator,
                                   std::string_view secret);

// Tunnel-Password's hiding (RFC 2868 section 3.5), which a response may carry: the value is
// tag (1 octet), salt (2, the first's high bit set), and the string with its length octet in
// front, padded with NULs to a multiple of 16 and hidden by MD5 chaining from
// MD5(secret + the request's authenticator + salt). The routing answer carries home servers'
// secrets so (realm_routes.h). hide: empty if the string is over 239 octets.
std::vector<uint8_t> hide_tunnel_password(std::string_view value, uint8_t tag,
                                          const uint8_t salt[2],
                                          const Authenticator& request_authenticator,
                                          std::string_view secret);
// The string and its tag; nullopt if the value is malformed (length, salt bit, length octet).
std::optional<std::pair<uint8_t, std::string>> reveal_tunnel_password(
    std::string_view value, const Authenticator& request_authenticator, std::string_view secret);

// Whether `packet` carries a Message-Authenticator, and whether it is right: HMAC-MD5 under the
// secret over the packet with that attribute's value as 16 zeros, and, for a response, the
// request's authenticator in the authenticator field (`request` non-null).
enum class MessageAuthenticator { absent, valid, invalid };
MessageAuthenticator check_message_authenticator(const Packet& packet,
                                                 const Authenticator* request,
                                                 std::string_view secret);

// Finishes a packet built in `bytes` (header and attributes, Length set, one Message-
// Authenticator attribute among them whose value is anything): its value computed as above.
// For a request, `request` is null and the authenticator field as it stands is covered.
// Returns false if it has no Message-Authenticator.
bool sign_message_authenticator(std::vector<uint8_t>& bytes, const Authenticator* request,
                                std::string_view secret);

// The Response Authenticator of an Access-Accept / -Reject / -Challenge in `bytes` (Length set,
// attributes final, Message-Authenticator already signed): written into its field.
void sign_response(std::vector<uint8_t>& bytes, const Authenticator& request,
                   std::string_view secret);

}  // namespace gm::radius
