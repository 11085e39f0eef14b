// gatemeter-server as a child process of the benchmark: started on 127.0.0.1 over a state
// folder, stopped with SIGTERM (it then commits and acknowledges what it verified), and the
// census's own counters read from the line it prints on the way out.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gm::bench {

struct CensusCounters {  // from "census: N datagrams, N accepted, N records committed in N commits"
  uint64_t datagrams = 0, accepted = 0, records_committed = 0, commits = 0;
  bool seen = false;
  double records_per_commit() const {
    return commits ? static_cast<double>(records_committed) / commits : 0;
  }
};

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // False (and a line on stderr) if it exited before printing its ready line. extra_args go
  // after the bench's own flags, so they may override them (--store=, --services=census).
  bool start(const std::string& server_path, const std::string& state_dir, unsigned census_threads,
             const std::vector<std::string>& extra_args = {});
  // SIGTERM, wait for the exit; the counters are final afterwards.
  void stop();

  pid_t pid() const { return pid_; }
  uint16_t login_port() const { return login_port_; }
  uint16_t census_port() const { return census_port_; }
  uint16_t billing_port() const { return billing_port_; }  // 0 unless billing runs
  uint16_t radius_port() const { return radius_port_; }    // 0 unless radius runs
  uint16_t web_port() const { return web_port_; }          // 0 unless web runs
  CensusCounters counters() const;
  // The last line it printed that starts with `prefix` ("web:" after stop()), "" none.
  std::string line_starting(const std::string& prefix) const;
  double cpu_seconds() const;  // user + system, all threads, from /proc

 private:
  pid_t pid_ = -1;
  uint16_t login_port_ = 0, census_port_ = 0, billing_port_ = 0, radius_port_ = 0, web_port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  CensusCounters counters_;
  std::vector<std::string> lines_;  // everything after the ready line
};

double cpu_seconds_self();

}  // namespace gm::bench
