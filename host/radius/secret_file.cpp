#include "host/radius/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gm::radius {

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(path)) return out;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line.substr(0, line.find('#')));
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void check_secret(const std::string& secret) {
  if (secret.empty()) throw std::runtime_error("the shared secret is empty");
  if (secret.size() > 128) throw std::runtime_error("the shared secret is over 128 octets");
  for (const char c : secret)
    if (c == '#' || static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      throw std::runtime_error("the shared secret holds a blank, a control character or '#'");
}

void replace_private_file(const std::string& path, const std::vector<std::string>& lines,
                          const std::function<void(const std::string&)>& check) {
  const std::string temporary = path + ".new";
  const auto fail = [&](const std::string& what) {
    const std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    throw std::runtime_error(what + " " + temporary + ": " + why);
  };
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create");
  ::fchmod(fd, 0600);  // an older .new left with another mode
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot flush");
  }
  ::close(fd);
  try {
    check(temporary);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot rename");
  // The rename itself durable: the folder's entry flushed too.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace gm::radius
