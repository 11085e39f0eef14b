#include "host/radius/access_crypto.h"

#include <mbedtls/md.h>
#include <mbedtls/md5.h>

#include <cstring>

namespace gm::radius {

namespace {

// MD5(secret + previous): one 16-octet block of the User-Password chain.
Authenticator chain(std::string_view secret, const uint8_t* previous) {
  mbedtls_md5_context c;
  mbedtls_md5_init(&c);
  mbedtls_md5_starts_ret(&c);
  mbedtls_md5_update_ret(&c, reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  mbedtls_md5_update_ret(&c, previous, 16);
  Authenticator out{};
  mbedtls_md5_finish_ret(&c, out.data());
  mbedtls_md5_free(&c);
  return out;
}

// MD5(secret + bytes): the first block of Tunnel-Password's chain (authenticator and salt).
Authenticator chain(std::string_view secret, const uint8_t* bytes, size_t n) {
  mbedtls_md5_context c;
  mbedtls_md5_init(&c);
  mbedtls_md5_starts_ret(&c);
  mbedtls_md5_update_ret(&c, reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  mbedtls_md5_update_ret(&c, bytes, n);
  Authenticator out{};
  mbedtls_md5_finish_ret(&c, out.data());
  mbedtls_md5_free(&c);
  return out;
}

// Where the Message-Authenticator's value lies in a checked packet, or 0 for none.
size_t message_authenticator_at(const uint8_t* bytes, size_t length) {
  for (size_t at = header_size; at + 2 <= length && bytes[at + 1] >= 2;) {
    if (bytes[at] == attr::message_authenticator && bytes[at + 1] == 18) return at + 2;
    at += bytes[at + 1];
  }
  return 0;
}

Authenticator hmac(const uint8_t* bytes, size_t length, size_t value_at,
                   const Authenticator* request, std::string_view secret) {
  std::vector<uint8_t> copy(bytes, bytes + length);
  std::memset(copy.data() + value_at, 0, 16);
  if (request != nullptr) std::memcpy(copy.data() + 4, request->data(), 16);
  Authenticator out{};
  mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_MD5),
                  reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                  copy.data(), copy.size(), out.data());
  return out;
}

}  // namespace

std::vector<uint8_t> hide_tunnel_password(std::string_view value, uint8_t tag,
                                          const uint8_t salt[2],
                                          const Authenticator& request_authenticator,
                                          std::string_view secret) {
  if (value.size() > 239) return {};  // 3 + the padded string within 253 octets
  std::vector<uint8_t> plain(1 + value.size());
  plain[0] = static_cast<uint8_t>(value.size());
  std::memcpy(plain.data() + 1, value.data(), value.size());
  plain.resize((plain.size() + 15) / 16 * 16, 0);
  std::vector<uint8_t> out = {tag, static_cast<uint8_t>(salt[0] | 0x80), salt[1]};
  uint8_t first[18];
  std::memcpy(first, request_authenticator.data(), 16);
  first[16] = out[1];
  first[17] = out[2];
  Authenticator b = chain(secret, first, sizeof first);
  for (size_t block = 0; block < plain.size(); block += 16) {
    for (size_t i = 0; i < 16; ++i) out.push_back(plain[block + i] ^ b[i]);
    b = chain(secret, out.data() + 3 + block);
  }
  return out;
}

std::optional<std::pair<uint8_t, std::string>> reveal_tunnel_password(
    std::string_view value, const Authenticator& request_authenticator, std::string_view secret) {
  if (value.size() < 3 + 16 || (value.size() - 3) % 16 != 0) return std::nullopt;
  const auto* v = reinterpret_cast<const uint8_t*>(value.data());
  if ((v[1] & 0x80) == 0) return std::nullopt;
  uint8_t first[18];
  std::memcpy(first, request_authenticator.data(), 16);
  first[16] = v[1];
  first[17] = v[2];
  std::string plain;
  Authenticator b = chain(secret, first, sizeof first);
  for (size_t block = 3; block < value.size(); block += 16) {
    for (size_t i = 0; i < 16; ++i) plain += static_cast<char>(v[block + i] ^ b[i]);
    b = chain(secret, v + block);
  }
  const size_t length = static_cast<uint8_t>(plain[0]);
  if (length + 1 > plain.size()) return std::nullopt;
  return std::pair<uint8_t, std::string>{v[0], plain.substr(1, length)};
}

std::optional<std::string> reveal_password(std::string_view hidden,
                                           const Authenticator& request_authenticator,
                                           std::string_view secret) {
  if (hidden.empty() || hidden.size() % 16 != 0 || hidden.size() > 128) return std::nullopt;
  std::string out(hidden.size(), '\0');
  const auto* c = reinterpret_cast<const uint8_t*>(hidden.data());
  const uint8_t* previous = request_authenticator.data();
  for (size_t block = 0; block < hidden.size(); block += 16) {
    const Authenticator b = chain(secret, previous);
    for (size_t i = 0; i < 16; ++i) out[block + i] = static_cast<char>(c[block + i] ^ b[i]);
    previous = c + block;
  }
  out.resize(out.find_last_not_of('\0') + 1);
  return out;
}

std::vector<uint8_t> hide_password(std::string_view password,
                                   const Authenticator& request_authenticator,
                                   std::string_view secret) {
  if (password.size() > 128) return {};
  const size_t padded = password.empty() ? 16 : (password.size() + 15) / 16 * 16;
  std::vector<uint8_t> out(padded, 0);
  std::memcpy(out.data(), password.data(), password.size());
  const uint8_t* previous = request_authenticator.data();
  for (size_t block = 0; block < padded; block += 16) {
    const Authenticator b = chain(secret, previous);
    for (size_t i = 0; i < 16; ++i) out[block + i] ^= b[i];
    previous = out.data() + block;
  }
  return out;
}

MessageAuthenticator check_message_authenticator(const Packet& packet,
                                                 const Authenticator* request,
                                                 std::string_view secret) {
  const size_t at = message_authenticator_at(packet.bytes, packet.length);
  if (at == 0) return MessageAuthenticator::absent;
  const Authenticator want = hmac(packet.bytes, packet.length, at, request, secret);
  uint8_t diff = 0;
  for (size_t i = 0; i < 16; ++i) diff |= static_cast<uint8_t>(want[i] ^ packet.bytes[at + i]);
  return diff == 0 ? MessageAuthenticator::valid : MessageAuthenticator::invalid;
}

bool sign_message_authenticator(std::vector<uint8_t>& bytes, const Authenticator* request,
                                std::string_view secret) {
  const size_t at = message_authenticator_at(bytes.data(), bytes.size());
  if (at == 0) return false;
  const Authenticator a = hmac(bytes.data(), bytes.size(), at, request, secret);
  std::memcpy(bytes.data() + at, a.data(), a.size());
  return true;
}

void sign_response(std::vector<uint8_t>& bytes, const Authenticator& request,
                   std::string_view secret) {
  mbedtls_md5_context c;
  mbedtls_md5_init(&c);
  mbedtls_md5_starts_ret(&c);
  mbedtls_md5_update_ret(&c, bytes.data(), 4);
  mbedtls_md5_update_ret(&c, request.data(), 16);
  mbedtls_md5_update_ret(&c, bytes.data() + header_size, bytes.size() - header_size);
  mbedtls_md5_update_ret(&c, reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  mbedtls_md5_finish_ret(&c, bytes.data() + 4);
  mbedtls_md5_free(&c);
}

}  // namespace gm::radius
