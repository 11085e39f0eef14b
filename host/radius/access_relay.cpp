#include "host/radius/access_relay.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "host/radius/access_crypto.h"
#include "host/radius/accounting_record.h"

namespace gm::radius {

namespace {

void append(std::vector<uint8_t>& out, uint8_t type, std::string_view value) {
  out.push_back(type);
  out.push_back(static_cast<uint8_t>(value.size() + 2));
  out.insert(out.end(), value.begin(), value.end());
}

void append_message_authenticator(std::vector<uint8_t>& out) {
  out.push_back(attr::message_authenticator);
  out.push_back(18);
  out.insert(out.end(), 16, 0);
}

// Length set; false if over the limit.
bool finish_length(std::vector<uint8_t>& out) {
  if (out.size() > max_packet_size) return false;
  out[2] = static_cast<uint8_t>(out.size() >> 8);
  out[3] = static_cast<uint8_t>(out.size());
  return true;
}

}  // namespace

const char* refusal_name(RelayRefusal r) {
  switch (r) {
    case RelayRefusal::none: return "none";
    case RelayRefusal::not_access_request: return "not_access_request";
    case RelayRefusal::no_user: return "no_user";
    case RelayRefusal::bad_password: return "bad_password";
    case RelayRefusal::bad_message_authenticator: return "bad_message_authenticator";
    case RelayRefusal::too_big: return "too_big";
    case RelayRefusal::not_an_answer: return "not_an_answer";
    case RelayRefusal::not_authentic: return "not_authentic";
    case RelayRefusal::no_proxy_state: return "no_proxy_state";
  }
  return "?";
}

std::string realm_of(std::string_view user_name) {
  const auto at = user_name.rfind('@');
  if (at == std::string_view::npos || at + 1 == user_name.size()) return "";
  std::string realm(user_name.substr(at + 1));
  std::transform(realm.begin(), realm.end(), realm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return realm;
}

RelayRefusal toward_home(const Packet& from_nas, std::string_view nas_secret,
                         std::string_view home_secret, const Outbound& out,
                         std::vector<uint8_t>& bytes, std::string& user_name) {
  if (from_nas.code != Code::access_request) return RelayRefusal::not_access_request;
  // Required from every client: without it an Access-Request is open to forgery (RFC 3579
  // section 3.2; the "Blast-RADIUS" attack on MD5 Response Authenticators).
  if (check_message_authenticator(from_nas, nullptr, nas_secret) != MessageAuthenticator::valid)
    return RelayRefusal::bad_message_authenticator;
  bytes.assign(header_size, 0);
  bytes[0] = static_cast<uint8_t>(Code::access_request);
  bytes[1] = out.identifier;
  std::memcpy(bytes.data() + 4, out.authenticator.data(), 16);
  user_name.clear();
  RelayRefusal refused = RelayRefusal::none;
  from_nas.each_attribute([&](const Attribute& a) {
    if (refused != RelayRefusal::none || a.type == attr::message_authenticator) return;
    if (a.type == attr::user_password) {
      const auto password = reveal_password(a.value, from_nas.authenticator, nas_secret);
      if (!password) {
        refused = RelayRefusal::bad_password;
        return;
      }
      const std::vector<uint8_t> hidden = hide_password(*password, out.authenticator, home_secret);
      append(bytes, attr::user_password,
             std::string_view(reinterpret_cast<const char*>(hidden.data()), hidden.size()));
      return;
    }
    if (a.type == attr::user_name) user_name.assign(a.value);
    append(bytes, a.type, a.value);
  });
  if (refused != RelayRefusal::none) return refused;
  if (user_name.empty()) return RelayRefusal::no_user;
  append(bytes, attr::proxy_state, out.proxy_state);
  append_message_authenticator(bytes);
  if (!finish_length(bytes)) return RelayRefusal::too_big;
  sign_message_authenticator(bytes, nullptr, home_secret);
  return RelayRefusal::none;
}

RelayRefusal toward_nas(const Packet& from_home, std::string_view home_secret,
                        const Outbound& sent, std::string_view nas_secret, uint8_t nas_identifier,
                        const Authenticator& nas_authenticator, std::vector<uint8_t>& bytes) {
  if (from_home.code != Code::access_accept && from_home.code != Code::access_reject &&
      from_home.code != static_cast<Code>(11))  // Access-Challenge
    return RelayRefusal::not_an_answer;
  // Its Response Authenticator: MD5 over it with this server's Request Authenticator.
  std::vector<uint8_t> check(from_home.bytes, from_home.bytes + from_home.length);
  sign_response(check, sent.authenticator, home_secret);
  if (std::memcmp(check.data() + 4, from_home.authenticator.data(), 16) != 0 ||
      check_message_authenticator(from_home, &sent.authenticator, home_secret) ==
          MessageAuthenticator::invalid)
    return RelayRefusal::not_authentic;
  bytes.assign(header_size, 0);
  bytes[0] = static_cast<uint8_t>(from_home.code);
  bytes[1] = nas_identifier;
  bool ours = false;
  from_home.each_attribute([&](const Attribute& a) {
    if (a.type == attr::message_authenticator) return;
    if (a.type == attr::proxy_state && !ours && a.value == sent.proxy_state) {
      ours = true;
      return;
    }
    append(bytes, a.type, a.value);
  });
  if (!ours) return RelayRefusal::no_proxy_state;
  append_message_authenticator(bytes);
  if (!finish_length(bytes)) return RelayRefusal::too_big;
  sign_message_authenticator(bytes, &nas_authenticator, nas_secret);
  sign_response(bytes, nas_authenticator, nas_secret);
  return RelayRefusal::none;
}

std::vector<uint8_t> access_answer(Code code, uint8_t nas_identifier,
                                   const Authenticator& nas_authenticator,
                                   std::string_view nas_secret, const AccessTerms& terms) {
  std::vector<uint8_t> bytes(header_size, 0);
  bytes[0] = static_cast<uint8_t>(code);
  bytes[1] = nas_identifier;
  if (!terms.reply_message.empty())
    append(bytes, attr::reply_message, std::string_view(terms.reply_message).substr(0, 253));
  const auto number = [&](uint8_t type, uint32_t v) {
    if (v == 0) return;
    const char be[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                        static_cast<char>(v >> 8), static_cast<char>(v)};
    append(bytes, type, std::string_view(be, 4));
  };
  if (code == Code::access_accept) {
    number(attr_session_timeout, terms.session_timeout_s);
    number(attr_idle_timeout, terms.idle_timeout_s);
    number(attr_acct_interim_interval, terms.interim_interval_s);
  }
  append_message_authenticator(bytes);
  finish_length(bytes);
  sign_message_authenticator(bytes, &nas_authenticator, nas_secret);
  sign_response(bytes, nas_authenticator, nas_secret);
  return bytes;
}

std::vector<uint8_t> access_reject(uint8_t nas_identifier, const Authenticator& nas_authenticator,
                                   std::string_view nas_secret, std::string_view reply_message) {
  return access_answer(Code::access_reject, nas_identifier, nas_authenticator, nas_secret,
                       {std::string(reply_message)});
}

}  // namespace gm::radius
