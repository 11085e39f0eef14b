// A private PostgreSQL cluster for tests: initdb into a temporary folder, started on 127.0.0.1
// and a free port (its socket in that folder too), stopped and removed when the process ends.
// As root it runs as the `postgres` user (PostgreSQL refuses root).
#pragma once

#include <string>

namespace gm::test {

class PgCluster {
 public:
  // The cluster of this process, started on first call; nullptr (with *why_not) when this
  // machine has no PostgreSQL server binaries or the cluster does not start.
  static PgCluster* shared(std::string* why_not);

  // A new empty database; its name.
  std::string create_database();
  void drop_database(const std::string& name);
  // A libpq connection string for a database of this cluster.
  std::string conninfo(const std::string& database) const;
  int port() const { return port_; }

 private:
  PgCluster() = default;
  int port_ = 0;
};

}  // namespace gm::test
