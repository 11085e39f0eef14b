// A private PostgreSQL cluster for tests: initdb into a temporary folder, started on 127.0.0.1
// and a free port (its socket in that folder too), stopped and removed when the process ends.
// As root it runs as the `postgres` user (PostgreSQL refuses root).
//
// "When the process ends" includes a crash, an abort or a kill -9: a keeper process, detached
// from the test process (its own session, not its child, so neither ctest's timeout nor a
// Ctrl-C reaches it), waits for the test process's end of a pipe to close, then stops the
// server and removes the folder. A normal exit waits for that to finish.
#pragma once

#include <sys/types.h>
#include <atomic>
#include <string>
#include <vector>

namespace gm::test {

class PgCluster {
 public:
  // The cluster of this process, started on first call; nullptr (with *why_not) when this
  // machine has no PostgreSQL server binaries or the cluster does not start.
  static PgCluster* shared(std::string* why_not);
  // Server settings ("name=value", passed as -c) for the cluster the first shared() starts:
  // call before it. A benchmark sizes its cluster with these (shared_buffers, max_wal_size);
  // tests leave PostgreSQL's defaults.
  static void set_server_settings(std::vector<std::string> settings);
  ~PgCluster();

  // A new empty database; its name. Throws std::runtime_error if the server refuses.
  std::string create_database();
  void drop_database(const std::string& name);
  // A libpq connection string for a database of this cluster (TCP to 127.0.0.1, trust auth).
  std::string conninfo(const std::string& database) const;
  int port() const { return port_; }
  // The server's superuser; it owns every database the cluster makes.
  static constexpr const char* user = "gm";

 private:
  PgCluster() = default;
  // Empty on success, else why not.
  std::string start();

  int port_ = 0;
  std::string dir_;     // the cluster's folder: data/, the socket, logs
  std::string bindir_;  // initdb, pg_ctl, postgres
  std::string run_as_;  // "postgres" when we are root, else "" (ourselves)
  static std::vector<std::string>& server_settings();
  int lifeline_ = -1;   // write end of the keeper's pipe
  pid_t owner_ = 0;     // the process that started it (a forked child must not stop it)
  std::atomic<int> databases_{0};
};

}  // namespace gm::test
