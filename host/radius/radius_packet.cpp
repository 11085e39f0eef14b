#include "host/radius/radius_packet.h"

#include <mbedtls/md5.h>

#include <cstring>

namespace gm::radius {

namespace {

// MD5 over the packet with its authenticator field replaced by `middle`, then the secret.
Authenticator digest(const uint8_t* packet, size_t length, const uint8_t* middle,
                     std::string_view secret) {
  mbedtls_md5_context c;
  mbedtls_md5_init(&c);
  mbedtls_md5_starts_ret(&c);
  mbedtls_md5_update_ret(&c, packet, 4);
  mbedtls_md5_update_ret(&c, middle, 16);
  mbedtls_md5_update_ret(&c, packet + header_size, length - header_size);
  mbedtls_md5_update_ret(&c, reinterpret_cast<const uint8_t*>(secret.data()), secret.size());
  Authenticator out{};
  mbedtls_md5_finish_ret(&c, out.data());
  mbedtls_md5_free(&c);
  return out;
}

// Every octet compared, so the time taken does not say how many matched.
bool same(const Authenticator& a, const Authenticator& b) {
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

constexpr uint8_t zeros[16] = {};

}  // namespace

const char* refusal_name(Refusal r) {
  switch (r) {
    case Refusal::none: return "none";
    case Refusal::too_short: return "too_short";
    case Refusal::bad_length: return "bad_length";
    case Refusal::bad_attribute: return "bad_attribute";
    case Refusal::unknown_client: return "unknown_client";
    case Refusal::bad_authenticator: return "bad_authenticator";
    case Refusal::not_accounting: return "not_accounting";
  }
  return "?";
}

Refusal parse(const uint8_t* in, size_t n, Packet& out) {
  if (n < header_size) return Refusal::too_short;
  const size_t length = static_cast<size_t>(in[2]) << 8 | in[3];
  if (length < header_size || length > max_packet_size || length > n) return Refusal::bad_length;
  for (size_t at = header_size; at < length;) {
    if (length - at < 2 || in[at + 1] < 2 || in[at + 1] > length - at) return Refusal::bad_attribute;
    at += in[at + 1];
  }
  out.code = static_cast<Code>(in[0]);
  out.identifier = in[1];
  out.bytes = in;
  out.length = length;
  std::memcpy(out.authenticator.data(), in + 4, 16);
  return Refusal::none;
}

bool request_authentic(const Packet& request, std::string_view secret) {
  return same(digest(request.bytes, request.length, zeros, secret), request.authenticator);
}

size_t accounting_response(const Packet& request, std::string_view secret, uint8_t* out,
                           size_t out_cap) {
  return accounting_response(request.identifier, request.authenticator, secret, out, out_cap);
}

size_t accounting_response(uint8_t identifier, const Authenticator& request_authenticator,
                           std::string_view secret, uint8_t* out, size_t out_cap) {
  if (out_cap < header_size) return 0;
  out[0] = static_cast<uint8_t>(Code::accounting_response);
  out[1] = identifier;
  out[2] = 0;
  out[3] = header_size;
  const Authenticator a = digest(out, header_size, request_authenticator.data(), secret);
  std::memcpy(out + 4, a.data(), a.size());
  return header_size;
}

Authenticator accounting_request_authenticator(const uint8_t* in, size_t n,
                                               std::string_view secret) {
  return digest(in, n, zeros, secret);
}

}  // namespace gm::radius
