#include "tests/support/test_database.h"

#include <unistd.h>

#include <filesystem>

#include "tests/support/pg_cluster.h"

namespace gm::test {

namespace {

class SqliteDatabase final : public TestDatabase {
 public:
  SqliteDatabase() {
    char tmpl[] = "/tmp/gm-store-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
  }
  ~SqliteDatabase() override { std::filesystem::remove_all(dir_); }
  std::string spec() const override { return "sqlite:" + dir_ + "/usage.db"; }
  std::string kind() const override { return "sqlite"; }

 private:
  std::string dir_;
};

class PostgresDatabase final : public TestDatabase {
 public:
  PostgresDatabase(PgCluster& cluster) : cluster_(cluster), name_(cluster.create_database()) {}
  ~PostgresDatabase() override { cluster_.drop_database(name_); }
  std::string spec() const override { return "postgresql:" + cluster_.conninfo(name_); }
  std::string kind() const override { return "postgresql"; }

 private:
  PgCluster& cluster_;
  std::string name_;
};

}  // namespace

std::unique_ptr<TestDatabase> TestDatabase::create(const std::string& kind, std::string* why_not) {
  if (kind == "sqlite") return std::make_unique<SqliteDatabase>();
  if (kind == "postgresql") {
    PgCluster* cluster = PgCluster::shared(why_not);
    if (cluster == nullptr) return nullptr;
    return std::make_unique<PostgresDatabase>(*cluster);
  }
  if (why_not) *why_not = "no such test database kind: " + kind;
  return nullptr;
}

}  // namespace gm::test
