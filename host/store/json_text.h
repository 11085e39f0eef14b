// Text inside a JSON string, as the feed's events, bills and the billing service's approval
// inquiries write it: quotes and backslashes escaped, control bytes as \u00XX; everything else,
// UTF-8 included, as it is (JSON text is UTF-8).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace gm::host {

inline std::string json_text(std::string_view s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out;
}

// The same, quoted: a JSON string literal.
inline std::string json_string(std::string_view s) { return "\"" + json_text(s) + "\""; }

}  // namespace gm::host
