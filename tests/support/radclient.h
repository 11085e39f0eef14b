// Debian's radclient (freeradius-utils) run by a test: packets given as attribute lines (one
// packet per string, `Name=value,...`), sent to 127.0.0.1:port, its exit status and output
// returned. radclient checks every response's authenticator itself.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace gm::test {

inline bool have_radclient() { return std::system("command -v radclient >/dev/null 2>&1") == 0; }

struct RadclientRun {
  int status = -1;  // radclient's exit status: 0 when every packet was answered and verified
  std::string output;
};

// extra: radclient options (e.g. "-c 3" to send each packet three times, "-p 10" in parallel);
// command: acct or auth.
inline RadclientRun radclient(uint16_t port, const std::string& secret,
                              const std::vector<std::string>& packets,
                              const std::string& extra = "", const std::string& command = "acct") {
  static int runs = 0;
  // A file of its own: ctest runs tests side by side, each in its own process.
  const std::string file = std::filesystem::temp_directory_path() /
                           ("radclient-" + std::to_string(::getpid()) + "-" +
                            std::to_string(++runs) + ".txt");
  {
    std::ofstream out(file);
    for (const std::string& p : packets) out << p << "\n\n";
  }
  const std::string cmd = "radclient -r 2 -t 1 " + extra + " -f " + file + " 127.0.0.1:" +
                          std::to_string(port) + " " + command + " " + secret + " 2>&1";
  RadclientRun run;
  FILE* p = ::popen(cmd.c_str(), "r");
  char line[512];
  while (p != nullptr && std::fgets(line, sizeof line, p) != nullptr) run.output += line;
  const int status = p != nullptr ? ::pclose(p) : -1;
  std::filesystem::remove(file);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace gm::test
