// The SQLite usage store: the embedded default.
//
// Durability: journal_mode=WAL with synchronous=FULL. In WAL mode a commit appends the
// transaction's pages to the -wal file and, with FULL, fsyncs that file before COMMIT
// returns; so once apply() returns, the records are on stable storage and survive a kill -9
// or a power cut of the host. (synchronous=NORMAL would fsync only at checkpoints: a power
// cut could then lose commits the census had already acknowledged, which the protocol
// forbids.) Throughput comes from group commit — one fsync per many records — not from
// weakening the sync.
#include <pb_decode.h>
#include <pb_encode.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "host/store/usage_store.h"

namespace gm::host {

const char* session_state_name(SessionState s) {
  switch (s) {
    case SessionState::open: return "open";
    case SessionState::stopped: return "stopped";
    case SessionState::closed_by_restart: return "closed_by_restart";
  }
  return "invalid";
}

namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS agents(
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL UNIQUE,
  credential BLOB NOT NULL,          -- sealed by CredentialVault (AES-256-GCM), never plain
  enabled INTEGER NOT NULL DEFAULT 1,
  components TEXT NOT NULL DEFAULT '',
  created_unix INTEGER NOT NULL,
  last_login_unix INTEGER NOT NULL DEFAULT 0);

CREATE TABLE IF NOT EXISTS login_sessions(
  serial INTEGER PRIMARY KEY AUTOINCREMENT,
  id INTEGER NOT NULL UNIQUE,        -- the 64-bit login-session id (bit pattern as signed)
  agent INTEGER NOT NULL REFERENCES agents(id),
  tag_key BLOB NOT NULL,             -- HKDF of the session key; the key itself is not stored
  started_unix INTEGER NOT NULL,
  closed_unix INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS login_sessions_open ON login_sessions(agent) WHERE closed_unix = 0;

-- The highest datagram (frame) sequence committed for each login session, by any census node:
-- a datagram at or below it is refused as `replayed` and changes nothing, so neither a census
-- that just started (its replay window is empty) nor another node that never saw the original
-- answers a replay. Written with the login session (open_login_session), raised in the same
-- transaction that commits the datagrams (commit_datagrams). A table of its own rather than a
-- column of login_sessions: the census's per-commit update is then one lookup by rowid, and
-- older stores gain it with CREATE TABLE. No foreign key (one lookup less per commit); rows are
-- a few bytes per login and are kept, so a late datagram of a closed login is still refused.
CREATE TABLE IF NOT EXISTS login_session_seq(
  login_session INTEGER PRIMARY KEY, -- login_sessions.id (bit pattern as signed)
  committed_seq INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS subscriber_sessions(
  agent INTEGER NOT NULL,
  session_id INTEGER NOT NULL,       -- the agent's 64-bit session id (bit pattern as signed)
  login_session INTEGER NOT NULL,    -- the login session of the newest applied record
  subscriber TEXT NOT NULL,
  realm TEXT NOT NULL,
  service TEXT NOT NULL,
  billing INTEGER NOT NULL,
  start_unix INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  charged_s INTEGER NOT NULL,
  free_s INTEGER NOT NULL,
  octets_in INTEGER NOT NULL,
  octets_out INTEGER NOT NULL,
  state INTEGER NOT NULL,            -- SessionState
  stop_cause INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, session_id)) WITHOUT ROWID;
-- No index on state: every upsert sets it, so an index on it would be rewritten for every
-- record (twice the B-tree work on the census's hot path). Closing an agent's open sessions at
-- login walks that agent's range of the primary key instead.
DROP INDEX IF EXISTS subscriber_sessions_open;

CREATE TABLE IF NOT EXISTS refusals(
  reason TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_unix INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS commands(
  id INTEGER PRIMARY KEY,
  agent INTEGER NOT NULL REFERENCES agents(id),
  command BLOB NOT NULL,             -- the nanopb-encoded gatemeter.Command (its id is this id)
  created_unix INTEGER NOT NULL,
  delivered_unix INTEGER NOT NULL DEFAULT 0);  -- when the agent's confirmation was committed
CREATE INDEX IF NOT EXISTS commands_pending ON commands(id) WHERE delivered_unix = 0;
)sql";

// The newest-wins rule, enforced by the database: the update happens only when the incoming
// seq is greater, so a replayed, duplicated or reordered record never moves totals back. A
// STOP sets the state and cause; an interim arriving after the login service closed the
// session (agent restart) raises the totals but leaves it closed.
constexpr const char* upsert_sql = R"sql(
INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, service,
  billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, state, stop_cause,
  updated_unix)
VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
  CASE WHEN ?10 = 3 THEN 1 ELSE 0 END, ?15, ?16)
ON CONFLICT(agent, session_id) DO UPDATE SET
  login_session = excluded.login_session, seq = excluded.seq, kind = excluded.kind,
  charged_s = excluded.charged_s, free_s = excluded.free_s, octets_in = excluded.octets_in,
  octets_out = excluded.octets_out,
  state = CASE WHEN excluded.kind = 3 THEN 1 ELSE subscriber_sessions.state END,
  stop_cause = CASE WHEN excluded.kind = 3 THEN excluded.stop_cause
                    ELSE subscriber_sessions.stop_cause END,
  updated_unix = excluded.updated_unix
WHERE excluded.seq > subscriber_sessions.seq
)sql";

constexpr const char* session_columns = R"sql(
  a.agent_id, s.session_id, s.login_session, s.subscriber, s.realm, s.service, s.billing,
  s.start_unix, s.seq, s.charged_s, s.free_s, s.octets_in, s.octets_out, s.state, s.stop_cause,
  s.updated_unix
  FROM subscriber_sessions s JOIN agents a ON a.id = s.agent)sql";

int64_t as_i64(uint64_t v) {
  int64_t r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}
uint64_t as_u64(int64_t v) {
  uint64_t r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept {
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  Statement(const Statement&) = delete;

  Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind_text(int i, const char* v) {
    return check(sqlite3_bind_text(stmt_, i, v, -1, SQLITE_STATIC));
  }
  Statement& bind(int i, const void* data, size_t n) {
    return check(sqlite3_bind_blob(stmt_, i, data, static_cast<int>(n), SQLITE_TRANSIENT));
  }
  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(std::string("sqlite step: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t i64(int c) const { return sqlite3_column_int64(stmt_, c); }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, c))
             : std::string();
  }
  std::vector<uint8_t> blob(int c) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, c));
    return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, c)) : std::vector<uint8_t>();
  }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK)
      throw StoreError(std::string("sqlite bind: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
    return *this;
  }
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteStore final : public UsageStore {
 public:
  explicit SqliteStore(const std::string& path) {
    // URI names are accepted so a test can pick a VFS ("file:PATH?vfs=NAME"); a plain path
    // is opened as before.
    if (sqlite3_open_v2(
            path.c_str(), &db_,
            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
            nullptr) != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      throw StoreError("cannot open store '" + path + "': " + why);
    }
    // Another connection (login service, censusctl, a second census) may hold the write lock
    // for the length of one transaction: wait for it rather than fail.
    sqlite3_busy_timeout(db_, 10'000);
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
      throw StoreError("store '" + path + "': PRAGMA synchronous reads " + std::to_string(level) +
                       ", not " + want + ": acknowledged records would not be on disk");
    exec("PRAGMA foreign_keys=ON");
    // The hot path is random-key upserts: a large page cache and memory-mapped reads keep
    // the session table's B-tree in memory (TOOLCHAIN-NOTES: a third of the throughput).
    exec("PRAGMA cache_size=-131072");  // 128 MiB
    exec("PRAGMA mmap_size=268435456");
    // The log keeps its peak size. Cutting it back when a checkpoint resets it made the next
    // commit wait ~150 ms on the filesystem (measured with bench_census: that was the census's
    // p99 after every burst); a few hundred MB of disk is the cheaper price.
    exec("PRAGMA journal_size_limit=-1");
    // How long the log may grow before a commit makes it start again (see
    // set_automatic_checkpoints): 32 Ki frames, 128 MiB of 4 KiB pages. bench_census over 5M
    // sessions: at 256 MiB 1-record datagrams fell to 98k/s, at 1 GiB to 92k/s (a long log
    // slows every page lookup), at 64 MiB scattered writes restarted it nearly every commit.
    // A URI may say otherwise (wal_restart_frames=N).
    wal_restart_frames_ = static_cast<int>(sqlite3_uri_int64(sqlite3_db_filename(db_, "main"),
                                                             "wal_restart_frames", 32768));
    if (wal_restart_frames_ < 1) wal_restart_frames_ = 1;
    exec("BEGIN IMMEDIATE");
    exec(schema);
    exec("COMMIT");
    upsert_ = Statement(db_, upsert_sql);
    raise_seq_ = Statement(db_,
                           "UPDATE login_session_seq SET committed_seq = ?2 "
                           "WHERE login_session = ?1 AND committed_seq < ?3");
    read_seq_ =
        Statement(db_, "SELECT committed_seq FROM login_session_seq WHERE login_session = ?1");
    write_seq_ = Statement(db_,
                           "INSERT INTO login_session_seq(login_session, committed_seq) "
                           "VALUES(?1, ?2) ON CONFLICT(login_session) DO UPDATE SET "
                           "committed_seq = excluded.committed_seq");
    confirm_ = Statement(db_,
                         "UPDATE commands SET delivered_unix = ?3 "
                         "WHERE id = ?1 AND agent = ?2 AND delivered_unix = 0");
  }
  ~SqliteStore() override {
    upsert_ = Statement();
    raise_seq_ = Statement();
    read_seq_ = Statement();
    write_seq_ = Statement();
    confirm_ = Statement();
  }

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

  bool set_agent_enabled(const std::string& agent_id, bool enabled) override {
    Statement s(db_, "UPDATE agents SET enabled = ?2 WHERE agent_id = ?1");
    s.bind(1, agent_id).bind(2, enabled ? 1 : 0).run();
    return sqlite3_changes(db_) == 1;
  }

  size_t open_login_session(int64_t agent, uint64_t id, const frame::TagKey& key,
                            const std::string& components, int64_t now) override {
    Transaction t(*this);
    Statement close_subs(db_,
                         "UPDATE subscriber_sessions SET state = 2, stop_cause = ?2, "
                         "updated_unix = ?3 WHERE agent = ?1 AND state = 0");
    close_subs.bind(1, agent).bind(2, gatemeter_StopCause_STOP_AGENT_RESTART).bind(3, now).run();
    const size_t closed = static_cast<size_t>(sqlite3_changes(db_));
    Statement close_logins(db_, "UPDATE login_sessions SET closed_unix = ?2 "
                                "WHERE agent = ?1 AND closed_unix = 0");
    close_logins.bind(1, agent).bind(2, now).run();
    Statement open(db_, "INSERT INTO login_sessions(id, agent, tag_key, started_unix) "
                        "VALUES(?1, ?2, ?3, ?4)");
    open.bind(1, as_i64(id)).bind(2, agent).bind(3, key.bytes, sizeof key.bytes).bind(4, now).run();
    write_seq_.bind(1, as_i64(id)).bind(2, int64_t{0}).run();
    Statement seen(db_, "UPDATE agents SET last_login_unix = ?2, components = ?3 WHERE id = ?1");
    seen.bind(1, agent).bind(2, now).bind(3, components).run();
    t.commit();
    return closed;
  }

  std::vector<LoginSession> open_login_sessions_after(int64_t after) override {
    Statement s(db_, "SELECT l.id, l.agent, a.agent_id, l.tag_key, l.started_unix, l.serial "
                     "FROM login_sessions l JOIN agents a ON a.id = l.agent "
                     "WHERE l.serial > ?1 AND l.closed_unix = 0 ORDER BY l.serial");
    s.bind(1, after);
    std::vector<LoginSession> out;
    while (s.step()) {
      LoginSession l;
      l.id = as_u64(s.i64(0));
      l.agent = s.i64(1);
      l.agent_id = s.text(2);
      const auto key = s.blob(3);
      if (key.size() != sizeof l.tag_key.bytes) continue;  // not written by us: ignore
      std::memcpy(l.tag_key.bytes, key.data(), key.size());
      l.started_unix = s.i64(4);
      l.serial = s.i64(5);
      out.push_back(l);
    }
    return out;
  }

  void apply(const std::vector<VerifiedRecord>& records, const std::vector<RefusalCount>& refusals,
             const std::vector<int64_t>& delivered, int64_t now) override {
    Transaction t(*this);
    for (const VerifiedRecord& v : records) upsert(v, now);
    add_refusals(refusals, now);
    if (!delivered.empty()) {
      Statement s(db_, "UPDATE commands SET delivered_unix = ?2 WHERE id = ?1");
      for (int64_t id : delivered) {
        s.bind(1, id).bind(2, now);
        s.run();
      }
    }
    t.commit();  // fsync of the WAL: durable from here (synchronous=FULL)
  }

  void commit_datagrams(CensusCommit& c, int64_t now) override {
    Transaction t(*this);
    accept_datagrams(c.datagrams);
    for (const VerifiedRecord& v : c.records)
      if (c.datagrams.at(v.datagram).accepted) upsert(v, now);
    for (const CommandConfirmation& k : c.confirmations) {
      const VerifiedDatagram& d = c.datagrams.at(k.datagram);
      // Only the agent the command is for can confirm it (another agent's id matches nothing).
      if (d.accepted) confirm_.bind(1, k.command).bind(2, d.agent).bind(3, now).run();
    }
    add_refusals(c.refusals, now);
    t.commit();  // fsync of the WAL: durable from here (synchronous=FULL)
  }

  uint32_t committed_datagram_seq(uint64_t login_session) override {
    read_seq_.bind(1, as_i64(login_session));
    const uint32_t seq = read_seq_.step() ? static_cast<uint32_t>(read_seq_.i64(0)) : 0;
    read_seq_.reset();
    return seq;
  }

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

  int64_t queue_command(int64_t agent, const gatemeter_Command& command, int64_t now) override {
    uint8_t buf[gatemeter_Command_size];
    pb_ostream_t out = pb_ostream_from_buffer(buf, sizeof buf);
    if (!pb_encode(&out, gatemeter_Command_fields, &command))
      throw StoreError("command does not encode");
    Statement s(db_, "INSERT INTO commands(agent, command, created_unix) VALUES(?1, ?2, ?3)");
    s.bind(1, agent).bind(2, buf, out.bytes_written).bind(3, now).run();
    return sqlite3_last_insert_rowid(db_);
  }

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

  // Off (the census's committer): no commit copies the log back itself; a thread of the
  // census's own calls checkpoint() (PASSIVE) instead. But the log starts again from its
  // beginning only when a writer finds all of it copied, and a committer that never pauses
  // never does: under sustained load the log grew by every commit's pages (3 GB in
  // bench_census's 60 s phase, without end). So once a commit leaves more than
  // wal_restart_frames in the log, that commit (already durable, its lock released) runs a
  // RESTART checkpoint: it copies what the passive thread left, little since it keeps up,
  // and the next commit writes from the start. One short wait of the committer, now and then,
  // buys a log of bounded size.
  void set_automatic_checkpoints(bool on) override {
    if (on) {
      exec("PRAGMA wal_autocheckpoint=1000");  // SQLite's own hook replaces ours
      return;
    }
    exec("PRAGMA wal_autocheckpoint=0");
    sqlite3_wal_hook(db_, &SqliteStore::restart_long_log, this);
  }

  // PASSIVE: copies what it can without waiting for the writer or readers, so it runs beside
  // the committer.
  void checkpoint() override {
    const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      throw StoreError(std::string("sqlite checkpoint: ") + sqlite3_errmsg(db_));
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

  void upsert(const VerifiedRecord& v, int64_t now) {
    const UsageRecord& r = v.record;
    const char* at = std::strchr(r.subscriber, '@');  // from_wire guaranteed one
    upsert_.bind(1, v.agent)
        .bind(2, as_i64(r.session_id))
        .bind(3, as_i64(v.login_session))
        .bind_text(4, r.subscriber)
        .bind_text(5, at ? at + 1 : "")
        .bind_text(6, r.service)
        .bind(7, r.billing)
        .bind(8, as_i64(r.start_unix))
        .bind(9, r.seq)
        .bind(10, r.kind)
        .bind(11, r.totals.charged_s)
        .bind(12, r.totals.free_s)
        .bind(13, as_i64(r.totals.octets_in))
        .bind(14, as_i64(r.totals.octets_out))
        .bind(15, r.cause)
        .bind(16, now);
    upsert_.run();
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

  // The replay rule across census nodes and restarts, inside the commit's transaction (which
  // holds the database's write lock, so no other node commits in between). Per login session,
  // a datagram is accepted only if its seq is above login_session_seq.committed_seq, which then
  // rises to the highest accepted. A legitimate datagram refused here because a later one of
  // the same login was committed first (reordered, or slower through another node) loses
  // nothing: it is not acknowledged, so the agent resends its records in a new datagram with a
  // higher seq, and its confirmations ride in every datagram until one is acknowledged.
  void accept_datagrams(std::vector<VerifiedDatagram>& ds) {
    order_.resize(ds.size());
    for (uint32_t i = 0; i < ds.size(); ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
      return ds[a].login_session != ds[b].login_session ? ds[a].login_session < ds[b].login_session
                                                        : ds[a].seq < ds[b].seq;
    });
    for (size_t begin = 0; begin < order_.size();) {
      const uint64_t login = ds[order_[begin]].login_session;
      size_t end = begin;
      while (end < order_.size() && ds[order_[end]].login_session == login) ++end;
      const uint32_t lowest = ds[order_[begin]].seq, highest = ds[order_[end - 1]].seq;
      // Usually every datagram is new: one update by rowid, which succeeds only if so.
      raise_seq_.bind(1, as_i64(login)).bind(2, highest).bind(3, lowest).run();
      uint32_t committed = 0;
      const bool all_new = sqlite3_changes(db_) == 1;
      if (!all_new) committed = committed_datagram_seq(login);
      uint32_t last = committed;
      for (size_t k = begin; k < end; ++k) {
        VerifiedDatagram& d = ds[order_[k]];
        d.accepted = d.seq > last;  // also refuses the same seq twice in one commit
        if (d.accepted) last = d.seq;
      }
      if (!all_new && last > committed) write_seq_.bind(1, as_i64(login)).bind(2, last).run();
      begin = end;
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
    r.totals = {static_cast<uint32_t>(s.i64(9)), static_cast<uint32_t>(s.i64(10)),
                as_u64(s.i64(11)), as_u64(s.i64(12))};
    r.state = static_cast<SessionState>(s.i64(13));
    r.stop_cause = static_cast<int32_t>(s.i64(14));
    r.updated_unix = s.i64(15);
    return r;
  }

  sqlite3* db_ = nullptr;
  int wal_restart_frames_ = 32768;
  // Closes db_ when the object goes, also when its constructor throws (a refused open must
  // not keep the file, its locks and its cache). Declared before the statements, so it runs
  // after they are finalized.
  struct CloseOnExit {
    sqlite3*& db;
    ~CloseOnExit() { sqlite3_close(db); }
  } close_on_exit_{db_};
  Statement upsert_;
  Statement raise_seq_, read_seq_, write_seq_, confirm_;
  std::vector<uint32_t> order_;  // accept_datagrams()' scratch, kept to spare an allocation
};

}  // namespace

std::unique_ptr<UsageStore> open_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace gm::host
