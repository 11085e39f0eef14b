#include "host/config/setting_parse.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace gm::host {

void Setting::bad(const std::string& what) const {
  throw ConfigError(origin + ": " + name + ": " + what + ", got \"" + value + "\"");
}

namespace {
uint64_t parse_number(const Setting& s, const std::string& text, const std::string& name,
                      uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < lo || n > hi)
    Setting{name, text, s.origin}.bad("expected a whole number from " + std::to_string(lo) +
                                      " to " + std::to_string(hi));
  return n;
}
}  // namespace

uint64_t Setting::number(uint64_t lo, uint64_t hi) const {
  return parse_number(*this, value, name, lo, hi);
}

bool Setting::boolean() const {
  if (value != "true" && value != "false") bad("expected true or false");
  return value == "true";
}

Endpoint Setting::endpoint() const {
  const auto colon = value.rfind(':');
  in_addr a;
  if (colon == std::string::npos || inet_pton(AF_INET, value.substr(0, colon).c_str(), &a) != 1)
    bad("expected an IPv4 address and port like 127.0.0.1:7000");
  return {value.substr(0, colon), static_cast<uint16_t>(parse_number(
                                      *this, value.substr(colon + 1), name + " (port)", 0, 65535))};
}

std::vector<std::string> Setting::list() const {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = std::min(value.find(',', start), value.size());
    out.push_back(trim(value.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace gm::host
