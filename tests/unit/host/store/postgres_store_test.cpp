// What only the PostgreSQL store has to prove (store_test.cpp proves the rules on both stores):
// text of any kind through the binary arrays, census nodes committing at once, durable commits
// required, migrations by nodes starting at once, lost connections, passwords kept out of
// messages, and the same commits leaving the same store as SQLite's.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "host/store/pg_array.h"
#include "host/store/pg_connection.h"
#include "host/store/postgres_schema.h"
#include "host/store/store.h"
#include "shared/record/usage_record.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

// One statement on a connection of its own; the first value it returns ("" if none).
std::string sql(const std::string& conninfo, const std::string& statement) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  PGresult* r = PQexec(c, statement.c_str());
  const ExecStatusType status = PQresultStatus(r);
  std::string out = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  std::string why = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
    throw std::runtime_error(statement + ": " + why);
  return out;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    db_ = test::TestDatabase::create("postgresql", &why);
    if (!db_) GTEST_SKIP() << why;
    conninfo_ = db_->spec().substr(std::string("postgresql:").size());
    store_ = open_store(db_->spec());
    ASSERT_TRUE(store_->add_agent("gw-1", {1, 2, 3}, 100));
    agent_ = store_->find_agent("gw-1")->id;
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  VerifiedRecord record(uint64_t session, uint32_t seq, const char* subscriber = "ann@isp.example",
                        const char* service = "gold") {
    VerifiedRecord v;
    v.agent = agent_;
    v.login_session = 77;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = gatemeter_RecordKind_RECORD_INTERIM;
    v.record.totals = {60 * seq, seq, 1000ull * seq, 10ull * seq};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, subscriber);
    copy_text(v.record.service, sizeof v.record.service, service);
    v.record.billing = gatemeter_BillingOption_BILLING_POSTPAID;
    v.record.start_unix = 1'790'000'000;
    return v;
  }
  void login(Store& store, uint64_t id, int64_t now, const std::string& components = "agent=1") {
    NewLogin l;
    l.agent = agent_;
    l.id = id;
    l.sealed_tag_key = {9, 9, 9};
    l.components = components;
    l.boot_count = 1;
    l.now_unix = now;
    l.expires_unix = now + 100000;
    store.open_login_session(l);
  }
  static void add_datagram(CensusCommit& c, int64_t agent, uint64_t login, uint32_t seq,
                           std::vector<VerifiedRecord> records) {
    const auto index = static_cast<uint32_t>(c.datagrams.size());
    c.datagrams.push_back({agent, login, seq});
    for (VerifiedRecord& v : records) {
      v.login_session = login;
      v.datagram = index;
      c.records.push_back(v);
    }
  }
  std::unique_ptr<test::TestDatabase> db_;
  std::string conninfo_;
  std::unique_ptr<Store> store_;
  int64_t agent_ = 0;
};

// ---- text ---------------------------------------------------------------------------------

TEST(PgText, ValidUtf8IsKeptAndEveryInvalidByteBecomesAReplacementCharacter) {
  std::string scratch;
  EXPECT_EQ(pg::valid_text("ann@isp", scratch), "ann@isp");
  EXPECT_EQ(pg::valid_text("\xC3\xBC\xE2\x9C\x93\xF0\x9F\x98\x80", scratch),
            "\xC3\xBC\xE2\x9C\x93\xF0\x9F\x98\x80");
  EXPECT_EQ(pg::valid_text("a\xFF-", scratch), "a\xEF\xBF\xBD-");
  EXPECT_EQ(pg::valid_text(std::string("a\0-", 3), scratch), "a\xEF\xBF\xBD-");
  EXPECT_EQ(pg::valid_text("\xC0\xAF", scratch), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(pg::valid_text("\xED\xA0\x80", scratch), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")
      << "a surrogate";
  EXPECT_EQ(pg::valid_text("x\xE2\x9C", scratch), "x\xEF\xBF\xBD\xEF\xBF\xBD") << "cut short";
}

TEST_F(PostgresStoreTest, QuotesBackslashesCommasBracesAndUnicodeRoundTripThroughOneBatch) {
  const std::vector<std::pair<const char*, const char*>> texts = {
      {"o'brien\"x\\y,z{}@isp.example", "a,b\"c\\d{e}"},
      {"NULL@isp.example", "NULL"},
      {"  spaced  @realm with space", ""},
      {"\xC3\xBCn\xC3\xAF\xE2\x9C\x93@\xE4\xBE\x8B.jp", "\xF0\x9F\x98\x80"},
      {"@", "{}"},
      {"x@y@z", "\"\""},
  };
  login(*store_, 77, 100);
  CensusCommit c;
  std::vector<VerifiedRecord> first, second;
  for (size_t i = 0; i < texts.size(); ++i)
    (i % 2 ? second : first).push_back(record(i + 1, 1, texts[i].first, texts[i].second));
  add_datagram(c, agent_, 77, 1, first);
  add_datagram(c, agent_, 77, 2, second);
  c.refusals = {{"a,\"b\"\\{c}", 2}, {"plain", 1}, {"a,\"b\"\\{c}", 3}};
  store_->commit_datagrams(c, 200);
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto s = store_->session("gw-1", i + 1);
    ASSERT_TRUE(s.has_value()) << i;
    EXPECT_EQ(s->subscriber, texts[i].first);
    const char* at = std::strchr(texts[i].first, '@');
    EXPECT_EQ(s->realm, at + 1);
    EXPECT_EQ(s->service, texts[i].second);
  }
  const auto r = store_->refusals();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].reason, "a,\"b\"\\{c}");
  EXPECT_EQ(r[0].count, 5u) << "one reason twice in one batch is summed";
}

TEST_F(PostgresStoreTest, AgentIdsAndComponentsOfAnyTextRoundTrip) {
  const std::string odd = "gw \"1\",\\{x}'\xE2\x9C\x93";
  ASSERT_TRUE(store_->add_agent(odd, {0, 255, 0}, 100));
  EXPECT_FALSE(store_->add_agent(odd, {1}, 100));
  const auto a = store_->find_agent(odd);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->sealed_credential, (std::vector<uint8_t>{0, 255, 0}));
  login(*store_, 77, 100, "agent=1,\"fw\"=2\\3");
  EXPECT_EQ(store_->find_agent("gw-1")->components, "agent=1,\"fw\"=2\\3");
  const auto all = store_->list_agents();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].agent_id, odd) << "byte order: ' ' sorts before '-'";
}

TEST_F(PostgresStoreTest, TextThatIsNotUtf8IsStoredRepairedAndTheCommitStands) {
  login(*store_, 77, 100);
  CensusCommit c;
  add_datagram(c, agent_, 77, 1, {record(1, 1, "bad\xFF\xFE@isp"), record(2, 1)});
  c.refusals = {{"why\xFF", 1}};
  store_->commit_datagrams(c, 200);
  ASSERT_TRUE(c.datagrams[0].accepted());
  EXPECT_EQ(store_->session("gw-1", 1)->subscriber, "bad\xEF\xBF\xBD\xEF\xBF\xBD@isp");
  EXPECT_TRUE(store_->session("gw-1", 2).has_value());
  EXPECT_EQ(store_->refusals().at(0).reason, "why\xEF\xBF\xBD");
}

TEST_F(PostgresStoreTest, EmptyCommitsWriteNothingAndSucceed) {
  CensusCommit c;
  store_->commit_datagrams(c, 100);
  store_->apply({}, {}, 100);
  EXPECT_TRUE(store_->sessions("").empty());
}

// ---- several nodes ------------------------------------------------------------------------

TEST_F(PostgresStoreTest, TwoNodesCommittingOneLoginAtOnceNeverAcceptTheSameSeq) {
  login(*store_, 77, 100);
  constexpr uint32_t last = 300;
  std::vector<uint32_t> accepted[2];
  std::latch start(2);
  auto node = [&](int n) {
    auto store = open_store(db_->spec(), {.busy_writer = true});
    start.arrive_and_wait();
    for (uint32_t seq = 1; seq <= last; ++seq) {  // both nodes offer every datagram
      CensusCommit c;
      add_datagram(c, agent_, 77, seq, {record(1, seq)});
      store->commit_datagrams(c, 200);
      if (c.datagrams[0].accepted()) accepted[n].push_back(seq);
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();
  std::set<uint32_t> all(accepted[0].begin(), accepted[0].end());
  for (uint32_t seq : accepted[1]) EXPECT_TRUE(all.insert(seq).second) << "seq " << seq << " twice";
  EXPECT_EQ(*all.rbegin(), last);
  EXPECT_EQ(store_->committed_datagram_seq(77), last);
  EXPECT_EQ(store_->session("gw-1", 1)->last_seq, last);
  RecordProperty("accepted_by_a", static_cast<int>(accepted[0].size()));
  RecordProperty("accepted_by_b", static_cast<int>(accepted[1].size()));
}

TEST_F(PostgresStoreTest, NodesApplyingTheSameSessionsInAnyOrderKeepTheNewest) {
  // Each node's batches name the sessions in another order: rows are locked sorted, so the nodes
  // neither deadlock nor lose a newer record to an older one.
  constexpr int sessions = 40, rounds = 60;
  std::latch start(2);
  auto node = [&](int n) {
    auto store = open_store(db_->spec());
    std::mt19937 rng(n);
    start.arrive_and_wait();
    for (int round = 0; round < rounds; ++round) {
      std::vector<VerifiedRecord> batch;
      for (int s = 1; s <= sessions; ++s)
        batch.push_back(record(n ? sessions + 1 - s : s, static_cast<uint32_t>(rng() % 1000 + 1)));
      store->apply(batch, {{"node", 1}}, 200 + round);
    }
  };
  std::thread a(node, 0), b(node, 1);
  a.join();
  b.join();
  // The highest seq each node drew for a session is what it must hold.
  for (int s = 1; s <= sessions; ++s) {
    uint32_t highest = 0;
    for (int n = 0; n < 2; ++n) {
      std::mt19937 rng(n);
      for (int round = 0; round < rounds; ++round)
        for (int k = 1; k <= sessions; ++k) {
          const auto seq = static_cast<uint32_t>(rng() % 1000 + 1);
          if ((n ? sessions + 1 - k : k) == s) highest = std::max(highest, seq);
        }
    }
    const auto held = store_->session("gw-1", s);
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->last_seq, highest) << "session " << s;
    EXPECT_EQ(held->totals.charged_s, 60 * highest);
  }
  EXPECT_EQ(store_->refusals().at(0).count, 2u * rounds);
}

TEST_F(PostgresStoreTest, NodesOpeningAFreshDatabaseAtOnceMigrateItOnce) {
  std::string why;
  auto fresh = test::TestDatabase::create("postgresql", &why);
  ASSERT_TRUE(fresh) << why;
  constexpr int nodes = 4;
  std::latch start(nodes);
  std::vector<int> versions(nodes, -1);
  std::vector<std::string> errors(nodes);
  std::vector<std::thread> threads;
  for (int n = 0; n < nodes; ++n)
    threads.emplace_back([&, n] {
      start.arrive_and_wait();
      try {
        versions[n] = open_store(fresh->spec())->schema_version();
      } catch (const StoreError& e) {
        errors[n] = e.what();
      }
    });
  for (std::thread& t : threads) t.join();
  for (int n = 0; n < nodes; ++n) {
    EXPECT_EQ(errors[n], "");
    EXPECT_EQ(versions[n], pg::latest_schema_version());
  }
  const std::string info = fresh->spec().substr(std::string("postgresql:").size());
  EXPECT_EQ(sql(info, "SELECT count(*) FROM schema_version"), "1");
}

TEST_F(PostgresStoreTest, ADatabaseAtANewerSchemaVersionIsRefusedUnchanged) {
  sql(conninfo_, "UPDATE schema_version SET version = 99");
  try {
    open_store(db_->spec());
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this build knows"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(sql(conninfo_, "SELECT version FROM schema_version"), "99");
}

// ---- durability ---------------------------------------------------------------------------

TEST_F(PostgresStoreTest, AConnectionWithoutSynchronousCommitIsRefused) {
  // The store sets it on every connection and reads it back: here a session turns it off behind
  // the store's back, as a pooler handing over another server connection could.
  pg::Connection c(conninfo_, "test");
  EXPECT_NO_THROW(c.check_durable_commits());
  for (const char* weaker : {"off", "local"}) {
    c.run(std::string("SET synchronous_commit = ") + weaker);
    try {
      c.check_durable_commits();
      FAIL() << "expected StoreError for " << weaker;
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("synchronous_commit reads '") + weaker),
                std::string::npos)
          << e.what();
    }
  }
}

TEST_F(PostgresStoreTest, AConnectionStringAskingForAsynchronousCommitStillGetsDurableCommits) {
  auto store = open_store(db_->spec() + " options='-c synchronous_commit=off'");
  login(*store, 77, 100);
  EXPECT_TRUE(store->find_open_login(77, 200).has_value());
  pg::Connection c(conninfo_ + " options='-c synchronous_commit=off'", "test");
  EXPECT_NO_THROW(c.check_durable_commits()) << "the connection sets it back on";
}

// The test cluster's server with fsync off for the guard's life (a reload; new connections see
// it).
class FsyncOff {
 public:
  explicit FsyncOff(std::string conninfo) : conninfo_(std::move(conninfo)) { set("off"); }
  ~FsyncOff() { set("on"); }

 private:
  void set(const std::string& value) {
    sql(conninfo_, value == "off" ? "ALTER SYSTEM SET fsync = off" : "ALTER SYSTEM RESET fsync");
    sql(conninfo_, "SELECT pg_reload_conf()");
    for (int i = 0; i < 200 && sql(conninfo_, "SHOW fsync") != value; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::string conninfo_;
};

TEST_F(PostgresStoreTest, AServerWithFsyncOffIsRefused) {
  {
    FsyncOff off(conninfo_);
    ASSERT_EQ(sql(conninfo_, "SHOW fsync"), "off");
    try {
      open_store(db_->spec());
      FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("fsync off"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(open_store(db_->spec()));
}

// ---- connections ---------------------------------------------------------------------------

TEST_F(PostgresStoreTest, AConnectionTheServerDroppedIsReplacedAtTheNextCall) {
  sql(conninfo_,
      "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  EXPECT_EQ(store_->list_agents().size(), 1u);  // a read
  sql(conninfo_,
      "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  EXPECT_TRUE(store_->add_agent("gw-2", {4}, 100));  // a transaction
  login(*store_, 77, 100);
  CensusCommit c;
  add_datagram(c, agent_, 77, 1, {record(1, 1)});
  store_->commit_datagrams(c, 200);  // prepared again on the new connection
  EXPECT_TRUE(c.datagrams[0].accepted());
}

TEST_F(PostgresStoreTest, AUriSpecOpensToo) {
  const std::string port = sql(conninfo_, "SHOW port");
  const std::string db = sql(conninfo_, "SELECT current_database()");
  auto store = open_store("postgresql://gm@127.0.0.1:" + port + "/" + db + "?sslmode=disable");
  EXPECT_EQ(store->list_agents().size(), 1u);
  auto again = open_store("postgresql:postgresql://gm@127.0.0.1:" + port + "/" + db);
  EXPECT_EQ(again->list_agents().size(), 1u);
}

TEST(PostgresStoreOpen, AMalformedConnectionStringKeepsItsPasswordOutOfMessages) {
  // libpq cannot parse it, and would quote the word after "password" in its message.
  EXPECT_EQ(describe_store("postgresql:host=db1 password s3cret user=gm"),
            "postgresql:host=db1 password *** user=gm");
  EXPECT_EQ(describe_store("postgresql:dbname=password host=db1"),
            "postgresql:dbname=password host=db1");
  EXPECT_EQ(describe_store("postgresql:password password=s3cret"),
            "postgresql:password password=***");
}

TEST(PostgresStoreOpen, AServerThatIsNotThereIsNamedButThePasswordIsNot) {
  for (const std::string spec :
       {"postgresql:host=127.0.0.1 port=1 user=gm password=s3cret dbname=x connect_timeout=3",
        "postgresql:host=127.0.0.1 password s3cret",
        "postgresql:postgresql://gm:s3cret@127.0.0.1:1/x"}) {
    try {
      open_store(spec);
      ADD_FAILURE() << "expected StoreError for " << describe_store(spec);
    } catch (const StoreError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
      EXPECT_NE(what.find("127.0.0.1"), std::string::npos) << what;
    }
  }
}

// ---- the same store as SQLite's -------------------------------------------------------------

// A seeded stream of logins, census commits (replays, reorders, duplicates, closed and unknown
// logins, STOPs followed by newer records, confirmations, refusals, deltas), plain applies,
// commands and disabled agents, given to both stores: every verdict and delta, and at the end
// everything either store reports, must agree.
class SameAsSqlite : public ::testing::TestWithParam<int> {};

std::string describe(const SubscriberSession& s) {
  return s.agent_id + "/" + std::to_string(s.session_id) + " login " +
         std::to_string(s.login_session) + " " + s.subscriber + " " + s.realm + " " + s.service +
         " b" + std::to_string(s.billing) + " start " + std::to_string(s.start_unix) + " seq " +
         std::to_string(s.last_seq) + " totals " + std::to_string(s.totals.charged_s) + "," +
         std::to_string(s.totals.free_s) + "," + std::to_string(s.totals.octets_in) + "," +
         std::to_string(s.totals.octets_out) + " " + session_state_name(s.state) + " cause " +
         std::to_string(s.stop_cause) + " at " + std::to_string(s.updated_unix);
}

TEST_P(SameAsSqlite, TheSameCallsLeaveTheSameStore) {
  std::string why;
  auto pg_db = test::TestDatabase::create("postgresql", &why);
  if (!pg_db) GTEST_SKIP() << why;
  auto lite_db = test::TestDatabase::create("sqlite", &why);
  std::unique_ptr<Store> stores[2] = {open_store(lite_db->spec()), open_store(pg_db->spec())};
  std::mt19937_64 rng(GetParam());
  const auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };

  constexpr int agents = 3, sessions_per_agent = 6;
  std::vector<int64_t> agent_ids;
  for (int a = 0; a < agents; ++a) {
    const std::string name = "gw-" + std::to_string(a);
    for (auto& s : stores) ASSERT_TRUE(s->add_agent(name, {uint8_t(a)}, 100));
    const int64_t id = stores[0]->find_agent(name)->id;
    ASSERT_EQ(stores[1]->find_agent(name)->id, id) << "both number agents from 1";
    agent_ids.push_back(id);
  }
  struct Login {
    uint64_t id;
    int agent;
    uint32_t next_seq = 0;
  };
  std::vector<Login> logins;
  std::vector<size_t> current(agents, SIZE_MAX);
  std::vector<uint32_t> boots(agents, 1);
  std::vector<uint32_t> session_seq(agents * sessions_per_agent, 0);
  std::vector<bool> enabled(agents, true);
  const char* subscribers[] = {"ann@isp.example", "o'b\"r,i\\e{n}@x.y", "NULL@z",
                               "\xC3\xBC@\xE4\xBE\x8B"};
  int64_t now = 1000;

  const auto new_login = [&](int a) {
    NewLogin l;
    l.agent = agent_ids[a];
    l.id = rng() >> (rng() % 2 ? 0 : 40);  // half of them negative as a BIGINT
    l.sealed_tag_key = {uint8_t(rng()), 1};
    l.components = "agent=" + std::to_string(rng() % 5);
    l.continuing = chance(50);
    if (chance(40)) ++boots[a];
    l.boot_count = boots[a];
    l.now_unix = now;
    l.expires_unix = now + 5000;
    const LoginOpened lite = stores[0]->open_login_session(l);
    const LoginOpened pg = stores[1]->open_login_session(l);
    ASSERT_EQ(lite.renewal, pg.renewal);
    ASSERT_EQ(lite.sessions_closed, pg.sessions_closed);
    current[a] = logins.size();
    logins.push_back({l.id, a});
  };
  const auto random_record = [&](int a) {
    VerifiedRecord v;
    v.agent = agent_ids[a];
    const int s = static_cast<int>(rng() % sessions_per_agent);
    uint32_t& seq = session_seq[a * sessions_per_agent + s];
    v.record.session_id = (s % 2 ? 0x8000000000000000ull : 0) + static_cast<uint64_t>(s) + 1;
    v.record.seq = chance(75) || seq < 3 ? ++seq : seq - static_cast<uint32_t>(rng() % 3);
    v.record.kind = v.record.seq == 1 ? gatemeter_RecordKind_RECORD_START
                    : chance(15)      ? gatemeter_RecordKind_RECORD_STOP
                                      : gatemeter_RecordKind_RECORD_INTERIM;
    v.record.cause = static_cast<uint8_t>(chance(20) ? rng() % 6 : 0);
    v.record.totals = {static_cast<uint32_t>(60 * v.record.seq), static_cast<uint32_t>(rng() % 9),
                       rng(), 10ull * v.record.seq};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, subscribers[(s + a) % 4]);
    copy_text(v.record.service, sizeof v.record.service, s % 3 ? "gold" : "a,\"b\"");
    v.record.billing = static_cast<uint8_t>(1 + s % 2);
    v.record.start_unix = 1'790'000'000 + static_cast<uint64_t>(s);
    return v;
  };

  for (int a = 0; a < agents; ++a) new_login(a);
  for (int step = 0; step < 120; ++step) {
    now += static_cast<int64_t>(rng() % 20);
    const int a = static_cast<int>(rng() % agents);
    if (chance(8)) {
      new_login(a);
    } else if (chance(5)) {
      gatemeter_Command cmd = gatemeter_Command_init_zero;
      cmd.kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
      cmd.interval_s = static_cast<uint32_t>(rng() % 100);
      ASSERT_EQ(stores[0]->queue_command(agent_ids[a], cmd, now),
                stores[1]->queue_command(agent_ids[a], cmd, now));
    } else if (chance(3)) {
      enabled[a] = !enabled[a];
      for (auto& s : stores) s->set_agent_enabled("gw-" + std::to_string(a), enabled[a], now);
    } else if (chance(10)) {
      std::vector<VerifiedRecord> records;
      for (int k = static_cast<int>(rng() % 6); k > 0; --k) records.push_back(random_record(a));
      for (auto& s : stores) s->apply(records, {{"plain apply", 1}}, now);
    } else {
      CensusCommit c;
      c.want_deltas = chance(60);
      const auto pending = stores[0]->pending_commands(10);
      for (int d = static_cast<int>(1 + rng() % 8); d > 0; --d) {
        const int da = static_cast<int>(rng() % agents);
        Login* l = &logins[current[da]];
        if (chance(10)) l = &logins[rng() % logins.size()];   // maybe closed
        const uint64_t login_id = chance(3) ? rng() : l->id;  // maybe never opened
        const uint32_t seq = chance(75) || l->next_seq < 3 ? ++l->next_seq
                             : chance(50) ? l->next_seq - static_cast<uint32_t>(rng() % 3)
                                          : l->next_seq + 2;
        const auto index = static_cast<uint32_t>(c.datagrams.size());
        c.datagrams.push_back({agent_ids[l->agent], login_id, seq});
        for (int k = static_cast<int>(rng() % 5); k > 0; --k) {
          VerifiedRecord v = random_record(l->agent);
          v.login_session = login_id;
          v.datagram = index;
          c.records.push_back(v);
        }
        if (!pending.empty() && chance(30))
          c.confirmations.push_back({index, pending[rng() % pending.size()].id});
      }
      std::shuffle(c.records.begin(), c.records.end(), rng);  // "in any order"
      if (chance(30)) c.refusals = {{"bad_tag", rng() % 4}, {"x,\"y\"", 1}, {"bad_tag", 1}};
      CensusCommit pg = c;
      stores[0]->commit_datagrams(c, now);
      stores[1]->commit_datagrams(pg, now);
      for (size_t d = 0; d < c.datagrams.size(); ++d)
        ASSERT_EQ(c.datagrams[d].verdict, pg.datagrams[d].verdict) << "step " << step;
      ASSERT_EQ(c.deltas.size(), pg.deltas.size()) << "step " << step;
      for (size_t d = 0; d < c.deltas.size(); ++d) {
        EXPECT_EQ(c.deltas[d].record, pg.deltas[d].record) << "step " << step;
        EXPECT_EQ(c.deltas[d].created, pg.deltas[d].created) << "step " << step;
        EXPECT_EQ(c.deltas[d].before, pg.deltas[d].before) << "step " << step;
      }
    }
  }

  std::vector<std::string> held[2];
  for (int k = 0; k < 2; ++k)
    for (const SubscriberSession& s : stores[k]->sessions("")) held[k].push_back(describe(s));
  EXPECT_EQ(held[0], held[1]);
  EXPECT_GT(held[0].size(), 10u);
  const auto lite_refusals = stores[0]->refusals(), pg_refusals = stores[1]->refusals();
  ASSERT_EQ(lite_refusals.size(), pg_refusals.size());
  for (size_t i = 0; i < lite_refusals.size(); ++i) {
    EXPECT_EQ(lite_refusals[i].reason, pg_refusals[i].reason);
    EXPECT_EQ(lite_refusals[i].count, pg_refusals[i].count);
  }
  const auto lite_pending = stores[0]->pending_commands(1000);
  const auto pg_pending = stores[1]->pending_commands(1000);
  ASSERT_EQ(lite_pending.size(), pg_pending.size());
  for (size_t i = 0; i < lite_pending.size(); ++i) {
    EXPECT_EQ(lite_pending[i].id, pg_pending[i].id);
    EXPECT_EQ(lite_pending[i].command.interval_s, pg_pending[i].command.interval_s);
  }
  std::vector<uint64_t> open[2], closed[2];
  for (int k = 0; k < 2; ++k) {
    for (const LoginSession& l : stores[k]->open_logins(now)) open[k].push_back(l.id);
    closed[k] = stores[k]->logins_closed_since(0);
    std::sort(open[k].begin(), open[k].end());
    std::sort(closed[k].begin(), closed[k].end());
  }
  EXPECT_EQ(open[0], open[1]);
  EXPECT_EQ(closed[0], closed[1]);
  for (const Login& l : logins)
    EXPECT_EQ(stores[0]->committed_datagram_seq(l.id), stores[1]->committed_datagram_seq(l.id));
  const auto lite_agents = stores[0]->list_agents(), pg_agents = stores[1]->list_agents();
  for (size_t i = 0; i < lite_agents.size(); ++i) {
    EXPECT_EQ(lite_agents[i].components, pg_agents[i].components);
    EXPECT_EQ(lite_agents[i].enabled, pg_agents[i].enabled);
    EXPECT_EQ(lite_agents[i].last_login_unix, pg_agents[i].last_login_unix);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, SameAsSqlite, ::testing::Values(1, 2, 3, 4));

}  // namespace
}  // namespace gm::host
