#include "host/radius/radius_clients.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gm::radius {

void check_private_file(const std::string& path, const std::string& setting) {
  // As the state folder's files (config/state_folder.h): the owner's alone.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error(setting + ": " + path + " is open to others (mode " + mode +
                             "); it holds shared secrets: chmod 600 it");
  }
}

RadiusClients RadiusClients::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("radius_clients: cannot read " + path);
  check_private_file(path, "radius_clients");
  RadiusClients out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string address, secret, realm, extra;
    if (!(words >> address)) continue;  // blank or a comment
    if (!(words >> secret))
      throw std::runtime_error(where + "expected 'address secret [realm]', got no secret");
    words >> realm;
    if (words >> extra) throw std::runtime_error(where + "expected 'address secret [realm]'");
    in_addr a{};
    if (inet_pton(AF_INET, address.c_str(), &a) != 1)
      throw std::runtime_error(where + "'" + address + "' is not an IPv4 address");
    if (out.find(ntohl(a.s_addr)) != nullptr)
      throw std::runtime_error(where + address + " is listed twice");
    out.add(ntohl(a.s_addr), {secret, realm});
  }
  return out;
}

}  // namespace gm::radius
