#include "firmware/net/ipv4_endpoint.h"

namespace gm::net {

namespace {
// Reads 1..max_digits decimal digits without a leading zero; advances *p past them.
bool read_decimal(const char*& p, uint32_t limit, size_t max_digits, uint32_t& value) {
  size_t digits = 0;
  uint32_t v = 0;
  while (*p >= '0' && *p <= '9') {
    if (digits == max_digits) return false;
    if (digits == 1 && v == 0) return false;  // "01" is refused, as inet_pton does
    v = v * 10 + static_cast<uint32_t>(*p - '0');
    ++digits;
    ++p;
  }
  if (digits == 0 || v > limit) return false;
  value = v;
  return true;
}
}  // namespace

bool parse_ipv4_endpoint(const char* text, Ipv4Endpoint& out) {
  if (text == nullptr) return false;
  Ipv4Endpoint e;
  const char* p = text;
  for (int i = 0; i < 4; ++i) {
    uint32_t part = 0;
    if (!read_decimal(p, 255, 3, part)) return false;
    e.address[i] = static_cast<uint8_t>(part);
    if (*p++ != (i < 3 ? '.' : ':')) return false;
  }
  uint32_t port = 0;
  if (!read_decimal(p, 65535, 5, port) || port == 0 || *p != '\0') return false;
  e.port = static_cast<uint16_t>(port);
  out = e;
  return true;
}

bool parse_ipv4_endpoint_list(const char* const* texts, size_t count, Ipv4Endpoint* out,
                              size_t max, size_t* bad_index) {
  if (count == 0 || count > max) {
    if (bad_index) *bad_index = count;
    return false;
  }
  for (size_t i = 0; i < count; ++i) {
    Ipv4Endpoint e;
    if (!parse_ipv4_endpoint(texts[i], e)) {
      if (bad_index) *bad_index = i;
      return false;
    }
  }
  for (size_t i = 0; i < count; ++i) parse_ipv4_endpoint(texts[i], out[i]);
  return true;
}

}  // namespace gm::net
