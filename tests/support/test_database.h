// A fresh database for one test, on either store: a SQLite file in a temporary folder, or a
// new database in the private PostgreSQL cluster the test process starts on first use
// (pg_cluster.h). Removed when the object goes.
//
//   std::string why;
//   auto db = TestDatabase::create("postgresql", &why);
//   if (!db) GTEST_SKIP() << why;   // e.g. PostgreSQL is not installed
//   auto store = host::open_store(db->spec());
#pragma once

#include <memory>
#include <string>

namespace gm::test {

class TestDatabase {
 public:
  // kind: "sqlite" or "postgresql". nullptr (and *why_not says why) when this machine cannot
  // run that database.
  static std::unique_ptr<TestDatabase> create(const std::string& kind, std::string* why_not);
  virtual ~TestDatabase() = default;
  // What open_store() and the servers' `store` setting take.
  virtual std::string spec() const = 0;
  virtual std::string kind() const = 0;
};

}  // namespace gm::test
