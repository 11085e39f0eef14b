#include "host/web/console_operators.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace gm::web {

bool valid_operator_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f || c == ':') return false;
  }
  return true;
}

std::map<std::string, std::string> read_operators(const std::string& path) {
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    const std::string where = path + ":" + std::to_string(n);
    if (colon == std::string::npos) throw std::runtime_error(where + ": expected name:hash");
    std::string name = line.substr(0, colon), hash = line.substr(colon + 1);
    if (!valid_operator_name(name))
      throw std::runtime_error(where +
                               ": an operator name is 1 to 64 characters without ':', "
                               "spaces or control characters");
    if (hash.rfind("$argon2id$", 0) != 0)
      throw std::runtime_error(where + ": the hash of " + name +
                               " is not Argon2id (write it with censusctl web-operator)");
    out[std::move(name)] = std::move(hash);
  }
  return out;
}

bool write_operator(const std::string& path, const std::string& name, const std::string& hash) {
  auto all = read_operators(path);
  const bool was = all.erase(name) > 0;
  if (!hash.empty()) all[name] = hash;
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + tmp);
  ::chmod(tmp.c_str(), 0600);
  std::fputs("# gatemeter web console operators: name:argon2id-hash (censusctl web-operator)\n", f);
  for (const auto& [n, h] : all) std::fprintf(f, "%s:%s\n", n.c_str(), h.c_str());
  const bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  std::fclose(f);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + path);
  }
  return was;
}

std::optional<std::string> ConsoleOperators::hash_of(const std::string& name) {
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  const timespec now = exists ? st.st_mtim : timespec{0, 0};
  if (!loaded_ || now.tv_sec != seen_.tv_sec || now.tv_nsec != seen_.tv_nsec) {
    try {
      hashes_ = read_operators(path_);
      loaded_ = true;
      seen_ = now;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "web: %s; the operators read before stay\n", e.what());
      seen_ = now;  // said once per change of the file
    }
  }
  const auto it = hashes_.find(name);
  if (it == hashes_.end()) return std::nullopt;
  return it->second;
}

}  // namespace gm::web
