#include "host/config/state_folder.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "host/config/server_config.h"

namespace gm::host {

namespace {

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", static_cast<unsigned>(m & 0777));
  return buf;
}

}  // namespace

void secure_state_folder(const std::string& path) {
  ::umask(077);
  std::error_code made;
  std::filesystem::create_directories(path, made);  // 0700 under the umask above
  if (made) throw ConfigError("state_dir: cannot create \"" + path + "\": " + made.message());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw ConfigError("state_dir: \"" + path + "\" is not a folder");
  if ((st.st_mode & 077) != 0)
    throw ConfigError("state_dir: \"" + path + "\" has mode " + octal(st.st_mode) +
                      ", so other users can reach the keys in it; make it the owner's alone: "
                      "chmod 700 " + path);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    struct stat fs {};
    if (::lstat(entry.path().c_str(), &fs) != 0) continue;  // gone meanwhile
    if ((fs.st_mode & 077) != 0 && !S_ISLNK(fs.st_mode))
      throw ConfigError("state_dir: \"" + entry.path().string() + "\" has mode " +
                        octal(fs.st_mode) + ", readable or writable by others; chmod " +
                        std::string(S_ISDIR(fs.st_mode) ? "700 " : "600 ") +
                        entry.path().string());
  }
  if (ec) throw ConfigError("state_dir: cannot list \"" + path + "\": " + ec.message());
}

}  // namespace gm::host
