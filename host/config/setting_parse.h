// Reading one `name = value` setting: the checks every settings section shares, each error
// naming the setting and where it came from ("gatemeter.conf:4: census_threads: expected a
// whole number from 0 to 64, got \"many\"").
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gm::host {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Endpoint {
  std::string ip;
  uint16_t port = 0;
};

// One setting as read: its name, its value and where it came from ("file.conf:3", "command line").
struct Setting {
  const std::string& name;
  const std::string& value;
  const std::string& origin;

  [[noreturn]] void bad(const std::string& what) const;
  uint64_t number(uint64_t lo, uint64_t hi) const;
  bool boolean() const;                    // true | false
  Endpoint endpoint() const;               // IPv4:port
  std::vector<std::string> list() const;   // comma-separated, trimmed
};

std::string trim(const std::string& s);

}  // namespace gm::host
