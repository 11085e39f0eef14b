#include "tests/bench/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace gm::bench {

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) reader_.join();
}

bool ServerProcess::start(const std::string& server_path, const std::string& state_dir,
                          unsigned census_threads, const std::vector<std::string>& extra_args) {
  // Built before fork: the child of a threaded process only execs (no allocation).
  std::vector<std::string> args = {server_path,
                                   "--state-dir=" + state_dir,
                                   "--login-listen=127.0.0.1:0",
                                   "--census-listen=127.0.0.1:0",
                                   "--census-threads=" + std::to_string(census_threads),
                                   "--receive-buffer-bytes=16777216"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  // Close-on-exec: a server started later must not hold this one's pipe (dup2 clears it).
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(server_path.c_str(), argv.data());
    std::perror("exec gatemeter-server");
    ::_exit(127);
  }
  ::close(fds[1]);
  FILE* f = ::fdopen(fds[0], "r");
  char line[512];
  while (std::fgets(line, sizeof line, f)) {
    unsigned lp = 0, cp = 0;
    if (std::sscanf(line, "ready login_port=%u census_port=%u", &lp, &cp) == 2) {
      pid_ = pid;
      login_port_ = static_cast<uint16_t>(lp);
      census_port_ = static_cast<uint16_t>(cp);
      unsigned bp = 0;
      if (const char* b = std::strstr(line, " billing_port="); b && std::sscanf(b, " billing_port=%u", &bp) == 1)
        billing_port_ = static_cast<uint16_t>(bp);
      unsigned rp = 0;
      if (const char* r = std::strstr(line, " radius_port="); r && std::sscanf(r, " radius_port=%u", &rp) == 1)
        radius_port_ = static_cast<uint16_t>(rp);
      unsigned wp = 0;
      if (const char* w = std::strstr(line, " web_port="); w && std::sscanf(w, " web_port=%u", &wp) == 1)
        web_port_ = static_cast<uint16_t>(wp);
      // Keeps reading, so the server never blocks on a full pipe, until it exits.
      reader_ = std::thread([this, f] {
        char l[512];
        while (std::fgets(l, sizeof l, f)) {
          {
            std::lock_guard lock(mutex_);
            if (lines_.size() < 1000) lines_.emplace_back(l);
          }
          unsigned long long d, a, r, c;
          if (std::sscanf(l, "census: %llu datagrams, %llu accepted, %llu records committed in %llu",
                          &d, &a, &r, &c) == 4) {
            std::lock_guard lock(mutex_);
            counters_ = {d, a, r, c, true};
          }
        }
        std::fclose(f);
      });
      return true;
    }
  }
  std::fclose(f);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  std::fprintf(stderr, "bench_census: gatemeter-server (%s) did not start\n", server_path.c_str());
  return false;
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

CensusCounters ServerProcess::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

std::string ServerProcess::line_starting(const std::string& prefix) const {
  std::lock_guard lock(mutex_);
  for (auto it = lines_.rbegin(); it != lines_.rend(); ++it)
    if (it->rfind(prefix, 0) == 0) {
      std::string l = *it;
      while (!l.empty() && l.back() == '\n') l.pop_back();
      return l;
    }
  return "";
}

double ServerProcess::cpu_seconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> f;
  for (size_t i = close + 2; i < s.size();) {
    const size_t sp = s.find(' ', i);
    f.push_back(s.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
    if (sp == std::string::npos) break;
    i = sp + 1;
  }
  if (f.size() < 13) return 0;
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double cpu_seconds_self() {
  rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace gm::bench
