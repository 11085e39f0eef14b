// SQLite's schema versions: a store made before versions existed (schema 1, tag keys in clear)
// is migrated forward; a store from a newer build is refused, unchanged.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "host/store/sqlite_schema.h"
#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

void exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// The tables of the last build without schema versions, with one agent logged in and a session.
constexpr const char* schema_one = R"sql(
CREATE TABLE agents(id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL UNIQUE, credential BLOB NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1, components TEXT NOT NULL DEFAULT '',
  created_unix INTEGER NOT NULL, last_login_unix INTEGER NOT NULL DEFAULT 0);
CREATE TABLE login_sessions(serial INTEGER PRIMARY KEY AUTOINCREMENT, id INTEGER NOT NULL UNIQUE,
  agent INTEGER NOT NULL REFERENCES agents(id), tag_key BLOB NOT NULL,
  started_unix INTEGER NOT NULL, closed_unix INTEGER NOT NULL DEFAULT 0);
CREATE INDEX login_sessions_open ON login_sessions(agent) WHERE closed_unix = 0;
CREATE TABLE login_session_seq(login_session INTEGER PRIMARY KEY, committed_seq INTEGER NOT NULL);
CREATE TABLE subscriber_sessions(agent INTEGER NOT NULL, session_id INTEGER NOT NULL,
  login_session INTEGER NOT NULL, subscriber TEXT NOT NULL, realm TEXT NOT NULL,
  service TEXT NOT NULL, billing INTEGER NOT NULL, start_unix INTEGER NOT NULL,
  seq INTEGER NOT NULL, kind INTEGER NOT NULL, charged_s INTEGER NOT NULL, free_s INTEGER NOT NULL,
  octets_in INTEGER NOT NULL, octets_out INTEGER NOT NULL, state INTEGER NOT NULL,
  stop_cause INTEGER NOT NULL, updated_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, session_id)) WITHOUT ROWID;
CREATE TABLE refusals(reason TEXT PRIMARY KEY, count INTEGER NOT NULL, last_unix INTEGER NOT NULL);
CREATE TABLE commands(id INTEGER PRIMARY KEY, agent INTEGER NOT NULL REFERENCES agents(id),
  command BLOB NOT NULL, created_unix INTEGER NOT NULL, delivered_unix INTEGER NOT NULL DEFAULT 0);
INSERT INTO agents(agent_id, credential, created_unix) VALUES('gw-1', x'010203', 100);
INSERT INTO login_sessions(id, agent, tag_key, started_unix)
  VALUES(77, 1, x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 100);
INSERT INTO login_session_seq VALUES(77, 4);
INSERT INTO subscriber_sessions VALUES(1, 5, 77, 'ann@isp', 'isp', 'web', 1, 1790000000, 3, 2,
  180, 0, 3000, 30, 0, 0, 200);
)sql";

class SqliteSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test::TestDatabase::create("sqlite", nullptr);
    path_ = db_->spec().substr(7);
  }
  std::unique_ptr<test::TestDatabase> db_;
  std::string path_;
};

TEST_F(SqliteSchemaTest, AStoreFromBeforeVersionsIsMigratedKeepingUsageAndDroppingClearKeys) {
  exec(path_, schema_one);
  auto store = open_store(db_->spec());
  EXPECT_EQ(store->schema_version(), sqlite::latest_schema_version());
  ASSERT_TRUE(store->find_agent("gw-1").has_value());
  const auto s = store->session("gw-1", 5);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->totals.charged_s, 180u);
  EXPECT_EQ(s->state, SessionState::open);
  // The clear tag key is gone and its login closed: the agent logs in again.
  EXPECT_FALSE(store->find_open_login(77, 150).has_value());
  EXPECT_EQ(store->logins_closed_since(0), std::vector<uint64_t>{77});
  CensusCommit c;
  c.datagrams.push_back({1, 77, 9});
  store->commit_datagrams(c, 300);
  EXPECT_EQ(c.datagrams[0].verdict, DatagramVerdict::login_closed);
}

TEST_F(SqliteSchemaTest, AStoreFromANewerBuildIsRefusedUnchanged) {
  open_store(db_->spec());
  exec(path_, "UPDATE schema_version SET version = 99");
  try {
    open_store(db_->spec());
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
  exec(path_, "SELECT CASE WHEN version = 99 THEN 1 ELSE abs(-9223372036854775808) END "
              "FROM schema_version");
}

}  // namespace
}  // namespace gm::host
