#include "tests/support/pg_cluster.h"

namespace gm::test {

// Not yet: the PostgreSQL store lands with its cluster harness.
PgCluster* PgCluster::shared(std::string* why_not) {
  if (why_not) *why_not = "the PostgreSQL test cluster is not built yet";
  return nullptr;
}
std::string PgCluster::create_database() { return {}; }
void PgCluster::drop_database(const std::string&) {}
std::string PgCluster::conninfo(const std::string&) const { return {}; }

}  // namespace gm::test
