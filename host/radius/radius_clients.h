// The RADIUS clients this server answers (NASes and proxies), each with its shared secret and
// the realm of user names that carry none: read from a file of lines
//
//   # address     secret        realm
//   127.0.0.1     testing123    isp.example
//
// Errors name the file and line; a secret is never printed.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace gm::radius {

struct RadiusClient {
  std::string secret;
  std::string realm;  // "" : user names must carry their realm
};

// Throws std::runtime_error ("SETTING: PATH is open to others (mode 0644) ...") unless only
// its owner may read the file: it holds shared secrets.
void check_private_file(const std::string& path, const std::string& setting);

class RadiusClients {
 public:
  // Throws std::runtime_error naming the file and line at fault.
  static RadiusClients load(const std::string& path);
  void add(uint32_t address, RadiusClient c) { by_address_[address] = std::move(c); }
  // nullptr for a sender not listed (refused as unknown_client).
  const RadiusClient* find(uint32_t address) const {
    const auto it = by_address_.find(address);
    return it == by_address_.end() ? nullptr : &it->second;
  }
  size_t size() const { return by_address_.size(); }

 private:
  std::map<uint32_t, RadiusClient> by_address_;  // IPv4, host order
};

}  // namespace gm::radius
