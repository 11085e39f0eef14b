// The roaming proxy's two rewrites, as plain functions (RFC 2865 sections 2.3 and 5.33, RFC
// 3579 section 3.2): a NAS's Access-Request made into the request this server sends the home
// server of its realm, and the home server's answer made into the answer the NAS gets.
//
// Toward the home server: the NAS's attributes in order, User-Password revealed under the NAS's
// secret and hidden again under the home server's with this server's own Request
// Authenticator, one Proxy-State of this server's appended (how the answer finds its way back),
// and a Message-Authenticator signed with the home server's secret. Back to the NAS: the answer
// authentic under the home server's secret and naming this server's Proxy-State, its attributes
// without that Proxy-State, a Message-Authenticator and the Response Authenticator under the
// NAS's secret and its request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::radius {

enum class RelayRefusal : uint8_t {
  none,
  not_access_request,     // from the NAS: another code
  no_user,                // no User-Name
  bad_password,           // a User-Password whose length is not a multiple of 16
  bad_message_authenticator,  // absent (required from clients) or wrong
  too_big,                // the rewritten packet would exceed 4,096 octets
  not_an_answer,          // from the home server: not Accept, Reject or Challenge
  not_authentic,          // its Response Authenticator or Message-Authenticator is wrong
  no_proxy_state,         // it does not carry this server's Proxy-State back
};
const char* refusal_name(RelayRefusal r);
inline constexpr size_t relay_refusal_count = 9;

// "user@realm" -> "realm" (lower case); "" if there is none.
std::string realm_of(std::string_view user_name);

struct Outbound {
  uint8_t identifier = 0;            // on the socket toward the home server
  Authenticator authenticator{};     // this server's Request Authenticator, random
  std::string proxy_state;           // the value of this server's Proxy-State, unique
};

// From the NAS's Access-Request (parse()d; its Message-Authenticator is required and checked
// under nas_secret) to the request for the home server; `user_name` is filled.
RelayRefusal toward_home(const Packet& from_nas, std::string_view nas_secret,
                         std::string_view home_secret, const Outbound& out,
                         std::vector<uint8_t>& bytes, std::string& user_name);

// From the home server's answer to the answer for the NAS whose request had `nas_identifier`
// and `nas_authenticator`.
RelayRefusal toward_nas(const Packet& from_home, std::string_view home_secret,
                        const Outbound& sent, std::string_view nas_secret, uint8_t nas_identifier,
                        const Authenticator& nas_authenticator, std::vector<uint8_t>& bytes);

// An answer of this server's own (a local realm's decision, an unknown realm): a Reply-Message
// for people, and for an Access-Accept the limits the NAS enforces, each left out where 0.
struct AccessTerms {
  std::string reply_message;
  uint32_t session_timeout_s = 0;   // Session-Timeout (RFC 2865 section 5.27)
  uint32_t idle_timeout_s = 0;      // Idle-Timeout (5.28)
  uint32_t interim_interval_s = 0;  // Acct-Interim-Interval (RFC 2869 section 5.16)
};
inline constexpr uint8_t attr_session_timeout = 27;
inline constexpr uint8_t attr_idle_timeout = 28;
inline constexpr uint8_t attr_acct_interim_interval = 85;

// An Access-Accept or -Reject for the NAS's request, with a Message-Authenticator, signed.
std::vector<uint8_t> access_answer(Code code, uint8_t nas_identifier,
                                   const Authenticator& nas_authenticator,
                                   std::string_view nas_secret, const AccessTerms& terms);
// An Access-Reject with a Reply-Message (an unknown realm, say), signed.
std::vector<uint8_t> access_reject(uint8_t nas_identifier, const Authenticator& nas_authenticator,
                                   std::string_view nas_secret, std::string_view reply_message);

}  // namespace gm::radius
