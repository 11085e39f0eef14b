// The SQLite usage store: the embedded default.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode a commit appends the
// transaction's pages to the -wal file and, with FULL, fsyncs that file before COMMIT
// returns; so once apply() returns, the records are on stable storage and survive a kill -9
// or a power cut of the host. (synchronous=NORMAL would fsync only at checkpoints: a power
// cut could then lose commits the census had already acknowledged, which the protocol
// forbids.) Throughput comes from group commit — one fsync per many records — not from
// weakening the sync.
//
// One host only: WAL keeps its index in shared memory (the -shm file), which processes on other
// hosts, or over a network filesystem, cannot share. Several census processes on one host may
// open one file; several hosts need the PostgreSQL store.
#include <pb_decode.h>
#include <pb_encode.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "host/store/billing_tables.h"
#include "host/store/radius_tables.h"
#include "host/store/settlement_tables.h"
#include "host/store/sweep_tables.h"
#include "host/store/datagram_acceptance.h"
#include "host/store/session_close.h"
#include "host/store/session_growth.h"
#include "host/store/sqlite_schema.h"
#include "host/store/sqlite_sql_session.h"
#include "host/store/sqlite_statement.h"
#include "host/store/sqlite_store.h"

namespace gm::host {

namespace {

using sqlite::as_i64;
using sqlite::as_u64;
using sqlite::Statement;

// One row per session and commit, written once its growth is known (session_growth.h: the
// newest-wins rule applied record by record, each counter the larger of what was held and
// what the records carry, since a record after a gateway's reboot may carry older totals), from
// the row this transaction has read. So the database needs no rule of its own: a session new to
// the store is inserted, a held one is updated by its key, and one no record applies to is not
// written at all. A STOP applied sets the state and cause; an interim arriving after the login
// service closed the session (agent restart) raises the totals but leaves it closed.
constexpr const char* insert_session_sql = R"sql(
INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, service,
  billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, state, stop_cause,
  updated_unix, account, amount_micros, line, line_rate, line_units, line_amount_micros)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
  ?20, ?21, ?22, ?23)
)sql";

// ?10: a STOP applied in this commit, whose cause is ?11.
constexpr const char* update_session_sql = R"sql(
UPDATE subscriber_sessions SET login_session = ?3, seq = ?4, kind = ?5, charged_s = ?6,
  free_s = ?7, octets_in = ?8, octets_out = ?9,
  state = CASE WHEN ?10 THEN 1 ELSE state END,
  stop_cause = CASE WHEN ?10 THEN ?11 ELSE stop_cause END,
  updated_unix = ?12, account = ?13, amount_micros = ?14, line = ?15, line_rate = ?16,
  line_units = ?17, line_amount_micros = ?18
WHERE agent = ?1 AND session_id = ?2
)sql";

// What read_held() reads of a session: where its growth starts (fill_held).
constexpr const char* held_columns =
    "seq, charged_s, free_s, octets_in, octets_out, account, amount_micros, line, line_rate, "
    "line_units, line_amount_micros, state";

constexpr const char* end_authorisation_sql =
    "UPDATE authorisations SET live = 0, updated_unix = ?3 "
    "WHERE agent = ?1 AND session_id = ?2 AND live = 1";

constexpr const char* session_columns = R"sql(
  a.agent_id, s.session_id, s.login_session, s.subscriber, s.realm, s.service, s.billing,
  s.start_unix, s.seq, s.charged_s, s.free_s, s.octets_in, s.octets_out, s.state, s.stop_cause,
  s.updated_unix
  FROM subscriber_sessions s JOIN agents a ON a.id = s.agent)sql";

constexpr const char* login_columns =
    "l.id, l.agent, a.agent_id, l.sealed_tag_key, l.boot_count, l.started_unix, l.expires_unix, "
    "l.closed_unix FROM login_sessions l JOIN agents a ON a.id = l.agent";

sqlite3* open_connection(const std::string& path) {
  sqlite3* db = nullptr;
  // URI names are accepted so a test can pick a VFS ("file:PATH?vfs=NAME"); a plain path is
  // opened as before.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw StoreError("cannot open store 'sqlite:" + path + "': " + why);
  }
  // Another connection (login service, censusctl, a second census) may hold the write lock
  // for the length of one transaction: wait for it rather than fail.
  sqlite3_busy_timeout(db, 10'000);
  return db;
}

// Copies the write-ahead log back into the database file from a connection of its own, every
// 100 ms, PASSIVE: without waiting for the writer or readers, so it runs beside the committer.
class Checkpointer {
 public:
  explicit Checkpointer(const std::string& path) : db_(open_connection(path)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    sqlite3_close(db_);
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
      const int rc =
          sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        std::fprintf(stderr, "store: checkpoint failed: %s\n", sqlite3_errmsg(db_));
    }
  }
  sqlite3* db_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, StoreOptions options)
      : db_(open_connection(path)), roaming_(options.roaming) {
    exec("PRAGMA journal_mode=WAL");
    // See the top of this file. Read back, because a build or a URI could override it and an
    // acknowledgement is a promise about the disk. Only the host power-cut test's negative
    // control may ask for less, with the URI parameter gm_test_synchronous.
    const char* weaker =
        sqlite3_uri_parameter(sqlite3_db_filename(db_, "main"), "gm_test_synchronous");
    const std::string want = weaker != nullptr ? weaker : "FULL";
    exec(("PRAGMA synchronous=" + want).c_str());
    const int64_t level = query_i64("PRAGMA synchronous");
    const int64_t wanted_level = want == "OFF" ? 0 : want == "NORMAL" ? 1 : want == "FULL" ? 2 : 3;
    if (level != wanted_level)
      throw StoreError("store 'sqlite:" + path + "': PRAGMA synchronous reads " +
                       std::to_string(level) + ", not " + want +
                       ": acknowledged records would not be on disk");
    exec("PRAGMA foreign_keys=ON");
    // The hot path is random-key upserts: a large page cache and memory-mapped reads keep
    // the session table's B-tree in memory (TOOLCHAIN-NOTES: a third of the throughput).
    const int64_t cache =
        options.page_cache_bytes > 0 ? options.page_cache_bytes : sqlite_page_cache_bytes;
    exec(("PRAGMA cache_size=-" + std::to_string(cache / 1024)).c_str());
    exec(("PRAGMA mmap_size=" + std::to_string(options.map_file ? sqlite_mmap_bytes : 0)).c_str());
    // The log keeps its peak size. Cutting it back when a checkpoint resets it made the next
    // commit wait ~150 ms on the filesystem (measured with bench_census: that was the census's
    // p99 after every burst); a few hundred MB of disk is the cheaper price.
    exec("PRAGMA journal_size_limit=-1");
    // How long the log may grow before a commit makes it start again (see below): 32 Ki
    // frames, 128 MiB of 4 KiB pages. bench_census over 5M sessions: at 256 MiB 1-record
    // datagrams fell to 98k/s, at 1 GiB to 92k/s (a long log slows every page lookup), at
    // 64 MiB scattered writes restarted it nearly every commit. A URI may say otherwise
    // (wal_restart_frames=N).
    wal_restart_frames_ = static_cast<int>(sqlite3_uri_int64(sqlite3_db_filename(db_, "main"),
                                                             "wal_restart_frames", 32768));
    if (wal_restart_frames_ < 1) wal_restart_frames_ = 1;
    version_ = sqlite::migrate_schema(db_);
    if (options.busy_writer) {
      // No commit copies the log back itself; the checkpointer does, PASSIVE. But the log
      // starts again from its beginning only when a writer finds all of it copied, and a
      // committer that never pauses never does: under sustained load the log grew by every
      // commit's pages (3 GB in bench_census's 60 s phase, without end). So once a commit
      // leaves more than wal_restart_frames in the log, that commit (already durable, its lock
      // released) runs a RESTART checkpoint: it copies what the passive thread left, little
      // since it keeps up, and the next commit writes from the start. One short wait of the
      // committer, now and then, buys a log of bounded size.
      exec("PRAGMA wal_autocheckpoint=0");
      sqlite3_wal_hook(db_, &SqliteStore::restart_long_log, this);
      checkpointer_ = std::make_unique<Checkpointer>(path);
    }
    insert_session_ = Statement(db_, insert_session_sql);
    raise_seq_ = Statement(db_,
                           "UPDATE login_session_seq SET committed_seq = ?2 "
                           "WHERE login_session = ?1 AND committed_seq < ?3 AND closed = 0");
    read_seq_ = Statement(
        db_, "SELECT committed_seq, closed FROM login_session_seq WHERE login_session = ?1");
    write_seq_ = Statement(db_,
                           "INSERT INTO login_session_seq(login_session, committed_seq) "
                           "VALUES(?1, ?2) ON CONFLICT(login_session) DO UPDATE SET "
                           "committed_seq = excluded.committed_seq");
    confirm_ = Statement(db_,
                         "UPDATE commands SET delivered_unix = ?3 "
                         "WHERE id = ?1 AND agent = ?2 AND delivered_unix = 0");
    read_totals_ = Statement(db_, (std::string("SELECT ") + held_columns +
                                   " FROM subscriber_sessions WHERE agent = ?1 AND session_id = ?2")
                                      .c_str());
    read_range_ = Statement(db_, (std::string("SELECT session_id, ") + held_columns +
                                  " FROM subscriber_sessions WHERE agent = ?1 AND session_id "
                                  "BETWEEN ?2 AND ?3")
                                     .c_str());
    feed_ = Statement(db_,
                      "INSERT INTO feed(agent, session_id, event, created_unix) "
                      "VALUES(?1, ?2, ?3, ?4)");
    end_authorisation_ = Statement(db_, end_authorisation_sql);
    presence_ = Statement(db_,
                          "INSERT INTO presence(agent, last_seen_unix) VALUES(?1, ?2) "
                          "ON CONFLICT(agent) DO UPDATE SET last_seen_unix = excluded.last_seen_unix, "
                          "lost_unix = 0");
    update_session_ = Statement(db_, update_session_sql);
    close_line_ = Statement(db_,
                            "INSERT INTO charge_lines(agent, session_id, line, rate, units, "
                            "amount_micros, closed_unix) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    // Both stores debit in the commit's transaction; the balance comes back for the census's
    // low-balance and cut-off decisions.
    debit_ = Statement(db_,
                       "UPDATE accounts SET balance_micros = balance_micros - ?2 WHERE id = ?1 "
                       "RETURNING balance_micros");
    sql_ = std::make_unique<sqlite::SqlSession>(db_);
    billing_ = std::make_unique<BillingTables>(*sql_);
    sweep_ = std::make_unique<SweepTables>(*sql_, roaming_);
    radius_ = std::make_unique<RadiusTables>(*sql_);
    settlement_ = std::make_unique<SettlementTables>(*sql_);
  }
  ~SqliteStore() override {
    checkpointer_.reset();
    insert_session_ = Statement();
    raise_seq_ = Statement();
    read_seq_ = Statement();
    write_seq_ = Statement();
    confirm_ = Statement();
    read_totals_ = Statement();
    read_range_ = Statement();
    update_session_ = Statement();
    close_line_ = Statement();
    debit_ = Statement();
    feed_ = Statement();
    end_authorisation_ = Statement();
    presence_ = Statement();
  }

  int schema_version() override { return version_; }
  bool serialised_writers() const override { return true; }
  AccountBook& account_book() override { return *billing_; }
  BillingCatalog& catalog() override { return *billing_; }
  AuthorisationLedger& authorisations() override { return *billing_; }
  FeedOutbox& feed() override { return *billing_; }
  SessionSweep& sweep() override { return *sweep_; }
  RadiusLedger& radius() override { return *radius_; }
  SettlementLedger& settlement() override { return *settlement_; }
  ActiveSessions& active_sessions() override { return *billing_; }

  // ---- agent directory ----

  bool add_agent(const std::string& agent_id, const std::vector<uint8_t>& sealed,
                 int64_t now) override {
    Statement s(db_, "INSERT INTO agents(agent_id, credential, created_unix) VALUES(?1, ?2, ?3) "
                     "ON CONFLICT(agent_id) DO NOTHING");
    s.bind(1, agent_id).bind(2, sealed.data(), sealed.size()).bind(3, now).run();
    return sqlite3_changes(db_) == 1;
  }

  std::optional<Agent> find_agent(const std::string& agent_id) override {
    Statement s(db_, "SELECT id, agent_id, credential, enabled, components, created_unix, "
                     "last_login_unix FROM agents WHERE agent_id = ?1");
    s.bind(1, agent_id);
    if (!s.step()) return std::nullopt;
    return agent_of(s);
  }

  std::vector<Agent> list_agents() override {
    Statement s(db_, "SELECT id, agent_id, credential, enabled, components, created_unix, "
                     "last_login_unix FROM agents ORDER BY agent_id");
    std::vector<Agent> out;
    while (s.step()) out.push_back(agent_of(s));
    return out;
  }

  bool set_agent_enabled(const std::string& agent_id, bool enabled, int64_t now) override {
    Transaction t(*this);
    Statement s(db_, "UPDATE agents SET enabled = ?2 WHERE agent_id = ?1");
    s.bind(1, agent_id).bind(2, enabled ? 1 : 0).run();
    if (sqlite3_changes(db_) != 1) return false;
    if (!enabled) {
      Statement agent(db_, "SELECT id FROM agents WHERE agent_id = ?1");
      agent.bind(1, agent_id);
      if (agent.step()) close_logins_of(agent.i64(0), now);
    }
    t.commit();
    return true;
  }

  // ---- login ledger ----

  LoginOpened open_login_session(const NewLogin& l) override {
    Transaction t(*this);
    LoginOpened o;
    Statement newest(db_, "SELECT boot_count FROM login_sessions WHERE agent = ?1 "
                          "ORDER BY serial DESC LIMIT 1");
    newest.bind(1, l.agent);
    o.renewal = l.continuing && newest.step() && newest.i64(0) == l.boot_count;
    close_logins_of(l.agent, l.now_unix);
    if (!o.renewal) {
      // Its roaming sessions kept for settlement, if asked (roaming_keeper.h).
      o.sessions_closed = close_restarted_sessions(
          *sql_, l.agent, gatemeter_StopCause_STOP_AGENT_RESTART, l.now_unix, roaming_);
      // Their authorisations with them: a rebooted gateway holds no session.
      Statement ended(db_, "UPDATE authorisations SET live = 0, updated_unix = ?2 "
                           "WHERE agent = ?1 AND live = 1");
      ended.bind(1, l.agent).bind(2, l.now_unix).run();
    }
    Statement open(db_, "INSERT INTO login_sessions(id, agent, sealed_tag_key, boot_count, "
                        "started_unix, expires_unix) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    open.bind(1, as_i64(l.id))
        .bind(2, l.agent)
        .bind(3, l.sealed_tag_key.data(), l.sealed_tag_key.size())
        .bind(4, int64_t{l.boot_count})
        .bind(5, l.now_unix)
        .bind(6, l.expires_unix)
        .run();
    write_seq_.bind(1, as_i64(l.id)).bind(2, int64_t{0}).run();
    Statement seen(db_, "UPDATE agents SET last_login_unix = ?2, components = ?3 WHERE id = ?1");
    seen.bind(1, l.agent).bind(2, l.now_unix).bind(3, l.components).run();
    t.commit();
    return o;
  }

  std::optional<LoginSession> find_open_login(uint64_t id, int64_t now) override {
    Statement s(db_, (std::string("SELECT ") + login_columns +
                      " WHERE l.id = ?1 AND l.closed_unix = 0 AND l.expires_unix > ?2 AND "
                      "a.enabled = 1")
                         .c_str());
    s.bind(1, as_i64(id)).bind(2, now);
    if (!s.step()) return std::nullopt;
    return login_of(s);
  }

  std::vector<LoginSession> open_logins(int64_t now) override {
    Statement s(db_, (std::string("SELECT ") + login_columns +
                      " WHERE l.closed_unix = 0 AND l.expires_unix > ?1 AND a.enabled = 1")
                         .c_str());
    s.bind(1, now);
    std::vector<LoginSession> out;
    while (s.step()) out.push_back(login_of(s));
    return out;
  }

  std::vector<uint64_t> logins_closed_since(int64_t since) override {
    Statement s(db_, "SELECT id FROM login_sessions WHERE closed_unix <> 0 AND closed_unix >= ?1");
    s.bind(1, since);
    std::vector<uint64_t> out;
    while (s.step()) out.push_back(as_u64(s.i64(0)));
    return out;
  }

  // ---- usage ledger ----

  void apply(const std::vector<VerifiedRecord>& records, const std::vector<RefusalCount>& refusals,
             int64_t now) override {
    // The commit's rule without its datagram check: every record counts as accepted.
    CensusCommit c;
    c.records = records;
    c.datagrams.push_back({});
    c.datagrams[0].verdict = DatagramVerdict::accepted;
    for (VerifiedRecord& v : c.records) v.datagram = 0;
    Transaction t(*this);
    write_records(c, now);
    add_refusals(refusals, now);
    t.commit();  // fsync of the WAL: durable from here (synchronous=FULL)
  }

  void commit_datagrams(CensusCommit& c, int64_t now) override { commit(c, now, true); }
  void commit_records(CensusCommit& c, int64_t now) override { commit(c, now, false); }

  void commit(CensusCommit& c, int64_t now, bool replay_rule) {
    Transaction t(*this);
    if (replay_rule)
      judge_datagrams(c.datagrams);
    else
      for (VerifiedDatagram& d : c.datagrams) d.verdict = DatagramVerdict::accepted;
    write_records(c, now);
    for (int64_t agent : c.present) presence_.bind(1, agent).bind(2, now).run();
    for (const CommandConfirmation& k : c.confirmations) {
      const VerifiedDatagram& d = c.datagrams.at(k.datagram);
      // Only the agent the command is for can confirm it (another agent's id matches nothing).
      if (d.accepted()) confirm_.bind(1, k.command).bind(2, d.agent).bind(3, now).run();
    }
    add_refusals(c.refusals, now);
    if (c.debits != nullptr && c.debits->counters_backwards != 0)
      add_refusals({{"counters_backwards", c.debits->counters_backwards}}, now);
    t.commit();  // fsync of the WAL: durable from here (synchronous=FULL)
  }

  // The records of accepted datagrams, newest-wins, rated and debited if the commit says so.
  void write_records(CensusCommit& c, int64_t now) {
    c.deltas.clear();
    if (c.debits != nullptr) *c.debits = CommitDebits{};
    // Per session of this commit: what it held, and what its records make of it.
    growth_.clear();
    growth_index_.clear();
    growth_of_.assign(c.records.size(), no_growth);
    for (uint32_t i = 0; i < c.records.size(); ++i) {
      const VerifiedRecord& v = c.records[i];
      if (!c.datagrams.at(v.datagram).accepted()) continue;
      const auto key = std::make_pair(v.agent, v.record.session_id);
      auto [it, fresh] = growth_index_.try_emplace(key, growth_.size());
      if (fresh) growth_.emplace_back().first = i;
      growth_of_[i] = static_cast<uint32_t>(it->second);
    }
    read_held(c);
    for (uint32_t i = 0; i < c.records.size(); ++i)
      if (growth_of_[i] != no_growth) grow(growth_[growth_of_[i]], c.records[i], i);
    debits_.clear();
    closed_.clear();
    rate_growth(c, growth_, now, debits_, closed_);
    feed_rows_.clear();
    roaming_ended_.clear();
    ended_sessions(c, growth_, now, feed_rows_, roaming_.on() ? &roaming_ended_ : nullptr);
    // Each session this commit ended: its feed row, and its authorisation holds no money from
    // this commit on (the billing service sizes other sessions' grants from what is live).
    for (const FeedRow& f : feed_rows_) {
      feed_.bind(1, f.agent).bind(2, as_i64(f.session_id)).bind(3, f.event).bind(4, now).run();
      end_authorisation_.bind(1, f.agent).bind(2, as_i64(f.session_id)).bind(3, now).run();
    }
    // And a raw settlement record of each roaming one, in this transaction: exactly once, as
    // the STOP ends an open session once (roaming_keeper.h).
    for (const EndedOfAgent& e : roaming_ended_) roaming_.keep(*sql_, e.agent, e.session, now);
    // The sessions, now that each one's counters and charge are known.
    for (const SessionGrowth& g : growth_) {
      if (g.newest == no_growth) continue;
      if (g.created)
        insert_session(c.records[g.first], c.records[g.newest], g, now);
      else
        update_session(c.records[g.newest], g, now);
    }
    if (c.rater != nullptr) {
      for (const auto& [g, line] : closed_) {
        const VerifiedRecord& v = c.records[growth_[g].newest];
        close_line_.bind(1, v.agent)
            .bind(2, as_i64(v.record.session_id))
            .bind(3, line.line)
            .bind(4, line.rate)
            .bind(5, as_i64(line.units))
            .bind(6, line.amount_micros)
            .bind(7, now)
            .run();
      }
      for (const auto& [account, micros] : debits_) {
        debit_.bind(1, account).bind(2, micros);
        const int64_t balance = debit_.step() ? debit_.i64(0) : 0;
        debit_.reset();
        if (c.debits != nullptr) c.debits->balances.push_back({account, balance});
      }
    }
  }

  uint32_t committed_datagram_seq(uint64_t login_session) override {
    return read_seq(login_session).first;
  }

  // ---- command mailbox ----

  std::vector<PendingCommand> pending_commands(size_t limit) override {
    Statement s(db_, "SELECT id, agent, command FROM commands WHERE delivered_unix = 0 "
                     "ORDER BY id LIMIT ?1");
    s.bind(1, static_cast<int64_t>(limit));
    std::vector<PendingCommand> out;
    while (s.step()) {
      PendingCommand c;
      c.id = s.i64(0);
      c.agent = s.i64(1);
      const auto bytes = s.blob(2);
      pb_istream_t in = pb_istream_from_buffer(bytes.data(), bytes.size());
      if (!pb_decode(&in, gatemeter_Command_fields, &c.command)) continue;
      c.command.id = static_cast<uint64_t>(c.id);  // what the agent confirms
      out.push_back(c);
    }
    return out;
  }

  std::optional<int64_t> command_delivered_unix(int64_t id) override {
    Statement s(db_, "SELECT delivered_unix FROM commands WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return s.i64(0);
  }

  int64_t queue_command(int64_t agent, const gatemeter_Command& command, int64_t now) override {
    uint8_t buf[gatemeter_Command_size];
    pb_ostream_t out = pb_ostream_from_buffer(buf, sizeof buf);
    if (!pb_encode(&out, gatemeter_Command_fields, &command))
      throw StoreError("command does not encode");
    Statement s(db_, "INSERT INTO commands(agent, command, created_unix) VALUES(?1, ?2, ?3)");
    s.bind(1, agent).bind(2, buf, out.bytes_written).bind(3, now).run();
    return sqlite3_last_insert_rowid(db_);
  }

  // ---- reports ----

  std::vector<SubscriberSession> sessions(const std::string& agent_id) override {
    Statement s(db_, (std::string("SELECT") + session_columns +
                      " WHERE ?1 = '' OR a.agent_id = ?1 ORDER BY a.agent_id, s.session_id")
                         .c_str());
    s.bind(1, agent_id);
    std::vector<SubscriberSession> out;
    while (s.step()) out.push_back(session_of(s));
    return out;
  }

  std::optional<SubscriberSession> session(const std::string& agent_id, uint64_t id) override {
    Statement s(db_, (std::string("SELECT") + session_columns +
                      " WHERE a.agent_id = ?1 AND s.session_id = ?2")
                         .c_str());
    s.bind(1, agent_id).bind(2, as_i64(id));
    if (!s.step()) return std::nullopt;
    return session_of(s);
  }

  std::vector<RefusalCount> refusals() override {
    Statement s(db_, "SELECT reason, count FROM refusals ORDER BY reason");
    std::vector<RefusalCount> out;
    while (s.step()) out.push_back({s.text(0), as_u64(s.i64(1))});
    return out;
  }

 private:
  // BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half-way
  // for want of it; anything thrown before commit() rolls back.
  class Transaction {
   public:
    explicit Transaction(SqliteStore& s) : s_(s) { s_.exec("BEGIN IMMEDIATE"); }
    ~Transaction() {
      if (!done_) sqlite3_exec(s_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
      s_.exec("COMMIT");
      done_ = true;
    }

   private:
    SqliteStore& s_;
    bool done_ = false;
  };

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw StoreError("sqlite: " + why);
    }
  }

  // Inside a transaction: the agent's open logins are closed, and so is their committed seq,
  // so no census commits another datagram of them.
  void close_logins_of(int64_t agent, int64_t now) {
    Statement seqs(db_, "UPDATE login_session_seq SET closed = 1 WHERE login_session IN "
                        "(SELECT id FROM login_sessions WHERE agent = ?1 AND closed_unix = 0)");
    seqs.bind(1, agent).run();
    Statement logins(db_, "UPDATE login_sessions SET closed_unix = ?2 "
                          "WHERE agent = ?1 AND closed_unix = 0");
    logins.bind(1, agent).bind(2, now).run();
  }

  // What the store holds for each session of this commit, as the start of its growth. In key
  // order, and a run of one agent's sessions whose ids lie close together (a gateway's live
  // sessions, reporting in one datagram) is read by one range scan, whose cursor steps from
  // row to row, instead of a descent of the B-tree per session: a read per session is what
  // the newest-wins rule in C++ costs over the upsert it replaced, and most of it is the
  // descent. Sessions far apart are read one by one.
  void read_held(const CensusCommit& c) {
    const auto agent = [&](uint32_t g) { return c.records[growth_[g].first].agent; };
    const auto id = [&](uint32_t g) { return as_i64(c.records[growth_[g].first].record.session_id); };
    held_order_.resize(growth_.size());
    for (uint32_t g = 0; g < growth_.size(); ++g) held_order_[g] = g;
    std::sort(held_order_.begin(), held_order_.end(), [&](uint32_t x, uint32_t y) {
      return std::pair(agent(x), id(x)) < std::pair(agent(y), id(y));
    });
    constexpr uint64_t density = 4;  // a run spans at most 4 ids per session read
    constexpr size_t shortest_run = 8;
    for (size_t a = 0; a < held_order_.size();) {
      const uint32_t first = held_order_[a];
      size_t b = a + 1;
      // Ids compare as stored (signed); the span of a sorted run is their unsigned difference.
      while (b < held_order_.size() && agent(held_order_[b]) == agent(first) &&
             static_cast<uint64_t>(id(held_order_[b])) - static_cast<uint64_t>(id(first)) <
                 density * (b - a + 1))
        ++b;
      if (b - a < shortest_run) {
        for (size_t k = a; k < b; ++k) read_one(growth_[held_order_[k]], agent(held_order_[k]), id(held_order_[k]));
      } else {
        for (size_t k = a; k < b; ++k) growth_[held_order_[k]].created = true;
        read_range_.bind(1, agent(first)).bind(2, id(first)).bind(3, id(held_order_[b - 1]));
        size_t k = a;
        while (read_range_.step()) {
          const int64_t row = read_range_.i64(0);
          while (k < b && id(held_order_[k]) < row) ++k;
          if (k == b) break;
          if (id(held_order_[k]) == row) fill_held(growth_[held_order_[k]], read_range_, 1);
        }
        read_range_.reset();
      }
      a = b;
    }
  }

  void read_one(SessionGrowth& g, int64_t agent, int64_t id) {
    read_totals_.bind(1, agent).bind(2, id);
    g.created = !read_totals_.step();
    if (!g.created) fill_held(g, read_totals_, 0);
    read_totals_.reset();
  }

  // The row's columns from `col` on, in held_columns' order.
  static void fill_held(SessionGrowth& g, Statement& s, int col) {
    g.created = false;
    g.held_seq = static_cast<uint32_t>(s.i64(col));
    g.before = g.after = totals_of(s, col + 1);
    g.charge.account = s.i64(col + 5);
    g.charge.amount_micros = s.i64(col + 6);
    g.charge.line = static_cast<uint32_t>(s.i64(col + 7));
    g.charge.line_rate = s.i64(col + 8);
    g.charge.line_units = as_u64(s.i64(col + 9));
    g.charge.line_amount_micros = s.i64(col + 10);
    g.state_before = static_cast<int32_t>(s.i64(col + 11));
  }

  // identity: the record that created the session; newest: the newest applied.
  void insert_session(const VerifiedRecord& identity, const VerifiedRecord& newest,
                      const SessionGrowth& g, int64_t now) {
    const UsageRecord& id = identity.record;
    const UsageRecord& r = newest.record;
    const char* at = std::strchr(id.subscriber, '@');  // from_wire guaranteed one
    const bool stopped = g.stop != no_growth;
    insert_session_.bind(1, newest.agent)
        .bind(2, as_i64(r.session_id))
        .bind(3, as_i64(newest.login_session))
        .bind_text(4, id.subscriber)
        .bind_text(5, at ? at + 1 : "")
        .bind_text(6, id.service)
        .bind(7, id.billing)
        .bind(8, as_i64(id.start_unix))
        .bind(9, r.seq)
        .bind(10, r.kind)
        .bind(11, g.after.charged_s)
        .bind(12, g.after.free_s)
        .bind(13, as_i64(g.after.octets_in))
        .bind(14, as_i64(g.after.octets_out))
        .bind(15, stopped ? 1 : 0)
        // The cause of the newest STOP applied, else the creating record's, as a record-by-record
        // upsert would leave it.
        .bind(16, stopped ? g.stop_cause : id.cause)
        .bind(17, now);
    bind_charge(insert_session_, 18, g.charge);
    insert_session_.run();
  }

  void update_session(const VerifiedRecord& newest, const SessionGrowth& g, int64_t now) {
    const UsageRecord& r = newest.record;
    const bool stopped = g.stop != no_growth;
    update_session_.bind(1, newest.agent)
        .bind(2, as_i64(r.session_id))
        .bind(3, as_i64(newest.login_session))
        .bind(4, r.seq)
        .bind(5, r.kind)
        .bind(6, g.after.charged_s)
        .bind(7, g.after.free_s)
        .bind(8, as_i64(g.after.octets_in))
        .bind(9, as_i64(g.after.octets_out))
        .bind(10, stopped ? 1 : 0)
        .bind(11, stopped ? g.stop_cause : 0)
        .bind(12, now);
    bind_charge(update_session_, 13, g.charge);
    update_session_.run();
  }

  static void bind_charge(Statement& st, int first, const StoredCharge& charge) {
    st.bind(first, charge.account)
        .bind(first + 1, charge.amount_micros)
        .bind(first + 2, charge.line)
        .bind(first + 3, charge.line_rate)
        .bind(first + 4, as_i64(charge.line_units))
        .bind(first + 5, charge.line_amount_micros);
  }


  void add_refusals(const std::vector<RefusalCount>& refusals, int64_t now) {
    if (refusals.empty()) return;
    Statement s(db_,
                "INSERT INTO refusals(reason, count, last_unix) VALUES(?1, ?2, ?3) "
                "ON CONFLICT(reason) DO UPDATE SET count = count + excluded.count, "
                "last_unix = excluded.last_unix");
    for (const RefusalCount& r : refusals) {
      s.bind(1, r.reason).bind(2, as_i64(r.count)).bind(3, now);
      s.run();
    }
  }

  // {committed seq, open}; a login unknown here is closed.
  std::pair<uint32_t, bool> read_seq(uint64_t login_session) {
    read_seq_.bind(1, as_i64(login_session));
    std::pair<uint32_t, bool> r{0, false};
    if (read_seq_.step()) r = {static_cast<uint32_t>(read_seq_.i64(0)), read_seq_.i64(1) == 0};
    read_seq_.reset();
    return r;
  }

  // The replay rule (datagram_acceptance.h), inside the commit's transaction, which holds the
  // database's write lock: no other node commits in between.
  void judge_datagrams(std::vector<VerifiedDatagram>& ds) {
    for (const LoginGroup& g : group_by_login(ds, order_)) {
      // Usually every datagram is new: one update by rowid, which succeeds only if so.
      raise_seq_.bind(1, as_i64(g.login_session)).bind(2, g.highest).bind(3, g.lowest).run();
      if (sqlite3_changes(db_) == 1) {
        judge_login_group(ds, order_, g, 0, true);
        continue;
      }
      const auto [committed, open] = read_seq(g.login_session);
      const uint32_t last = judge_login_group(ds, order_, g, committed, open);
      if (last > committed) write_seq_.bind(1, as_i64(g.login_session)).bind(2, last).run();
    }
  }

  static int restart_long_log(void* self, sqlite3* db, const char* name, int frames) {
    if (frames >= static_cast<SqliteStore*>(self)->wal_restart_frames_)
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    return SQLITE_OK;  // the commit stands whatever the checkpoint did (busy: the next tries)
  }

  int64_t query_i64(const char* sql) {
    Statement s(db_, sql);
    return s.step() ? s.i64(0) : -1;
  }

  static UsageTotals totals_of(const Statement& s, int first) {
    return {static_cast<uint32_t>(s.i64(first)), static_cast<uint32_t>(s.i64(first + 1)),
            as_u64(s.i64(first + 2)), as_u64(s.i64(first + 3))};
  }

  static Agent agent_of(const Statement& s) {
    Agent a;
    a.id = s.i64(0);
    a.agent_id = s.text(1);
    a.sealed_credential = s.blob(2);
    a.enabled = s.i64(3) != 0;
    a.components = s.text(4);
    a.created_unix = s.i64(5);
    a.last_login_unix = s.i64(6);
    return a;
  }

  static LoginSession login_of(const Statement& s) {
    LoginSession l;
    l.id = as_u64(s.i64(0));
    l.agent = s.i64(1);
    l.agent_id = s.text(2);
    l.sealed_tag_key = s.blob(3);
    l.boot_count = static_cast<uint32_t>(s.i64(4));
    l.started_unix = s.i64(5);
    l.expires_unix = s.i64(6);
    l.closed_unix = s.i64(7);
    return l;
  }

  static SubscriberSession session_of(const Statement& s) {
    SubscriberSession r;
    r.agent_id = s.text(0);
    r.session_id = as_u64(s.i64(1));
    r.login_session = as_u64(s.i64(2));
    r.subscriber = s.text(3);
    r.realm = s.text(4);
    r.service = s.text(5);
    r.billing = static_cast<int32_t>(s.i64(6));
    r.start_unix = as_u64(s.i64(7));
    r.last_seq = static_cast<uint32_t>(s.i64(8));
    r.totals = totals_of(s, 9);
    r.state = static_cast<SessionState>(s.i64(13));
    r.stop_cause = static_cast<int32_t>(s.i64(14));
    r.updated_unix = s.i64(15);
    return r;
  }

  sqlite3* db_ = nullptr;
  int version_ = 0;
  int wal_restart_frames_ = 32768;
  // Closes db_ when the object goes, also when its constructor throws (a refused open must
  // not keep the file, its locks and its cache). Declared before the statements, so it runs
  // after they are finalized.
  struct CloseOnExit {
    sqlite3*& db;
    ~CloseOnExit() { sqlite3_close(db); }
  } close_on_exit_{db_};
  std::unique_ptr<Checkpointer> checkpointer_;
  Statement insert_session_;
  Statement raise_seq_, read_seq_, write_seq_, confirm_, read_totals_, read_range_;
  Statement update_session_, close_line_, debit_, feed_, end_authorisation_, presence_;
  std::vector<FeedRow> feed_rows_;
  // Ended roaming sessions kept for settlement (roaming_keeper.h); off unless asked.
  RoamingKeeper roaming_;
  std::vector<EndedOfAgent> roaming_ended_;
  // The commit's scratch (session_growth.h), kept to spare allocations.
  std::vector<SessionGrowth> growth_;
  std::vector<uint32_t> growth_of_;   // each record's session in growth_ (no_growth: refused)
  std::vector<uint32_t> held_order_;  // growth_ in key order (read_held)
  struct SessionKeyHash {
    size_t operator()(const std::pair<int64_t, uint64_t>& k) const {
      return std::hash<uint64_t>()(k.second * 0x9e3779b97f4a7c15ull ^ static_cast<uint64_t>(k.first));
    }
  };
  std::unordered_map<std::pair<int64_t, uint64_t>, size_t, SessionKeyHash> growth_index_;
  std::map<int64_t, int64_t> debits_;
  std::vector<std::pair<size_t, ClosedLine>> closed_;
  // Billing's tables, in SQL both stores share (billing_tables.h), on this connection.
  std::unique_ptr<sqlite::SqlSession> sql_;
  std::unique_ptr<BillingTables> billing_;
  std::unique_ptr<SweepTables> sweep_;
  std::unique_ptr<RadiusTables> radius_;
  std::unique_ptr<SettlementTables> settlement_;
  std::vector<uint32_t> order_;  // judge_datagrams()' scratch, kept to spare an allocation
};

}  // namespace

const char* session_state_name(SessionState s) {
  switch (s) {
    case SessionState::open: return "open";
    case SessionState::stopped: return "stopped";
    case SessionState::closed_by_restart: return "closed_by_restart";
  }
  return "invalid";
}

std::unique_ptr<Store> open_sqlite_store(const std::string& path, StoreOptions options) {
  return std::make_unique<SqliteStore>(path, options);
}

}  // namespace gm::host
