#include "host/cli/secret_input.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "host/config/setting_parse.h"

namespace gm::host {

std::string read_secret_line(const std::string& command, const std::string& what,
                             size_t max_octets) {
  const bool typed = ::isatty(STDIN_FILENO) == 1;
  termios before{};
  if (typed) {
    std::fprintf(stderr, "%s: ", what.c_str());
    ::tcgetattr(STDIN_FILENO, &before);
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (typed) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &before);
    std::fputc('\n', stderr);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty())
    throw ConfigError(command + ": expected the " + what + " as one line on standard input");
  if (line.size() > max_octets)
    throw ConfigError(command + ": the " + what + " is longer than " +
                      std::to_string(max_octets) + " octets");
  return line;
}

}  // namespace gm::host
