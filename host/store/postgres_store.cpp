// The PostgreSQL usage store: one database for census nodes on several hosts.
//
// Durability: every connection runs with synchronous_commit on, set explicitly and read back
// (pg_connection.h), against a server with fsync on; so COMMIT returns only once the
// transaction's WAL is flushed to the server's disk, and once a method returns, what it wrote
// survives a kill -9 or a power cut of the database host. (synchronous_commit off would
// acknowledge commits up to three WAL-writer delays before they are on disk; a crash then loses
// records the census had acknowledged, which the protocol forbids.) Throughput comes from
// group commit, one flush per many records, and from sending each part of a commit as one
// statement over arrays (INSERT ... SELECT FROM unnest), not from weakening the flush.
//
// Several nodes: each method is one transaction at READ COMMITTED. What must not interleave is
// serialised by row locks taken in one order everywhere: a login's committed seq row (FOR
// UPDATE, logins ascending) before its sessions' rows (ascending), an agent's row before its
// logins. A deadlock the server breaks anyway (with apply(), which takes no seq row) runs the
// transaction again.
#include "host/store/postgres_store.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <type_traits>

#include "host/store/billing_tables.h"
#include "host/store/radius_tables.h"
#include "host/store/settlement_tables.h"
#include "host/store/sweep_tables.h"
#include "host/store/datagram_acceptance.h"
#include "host/store/session_close.h"
#include "host/store/session_growth.h"
#include "host/store/pg_array.h"
#include "host/store/pg_sql_session.h"
#include "host/store/pg_connection.h"
#include "host/store/postgres_schema.h"
#include "host/store/session_changes.h"

namespace gm::host {

namespace {

using pg::BinaryArray;
using pg::Params;
using pg::Result;

// PostgreSQL's BIGINT is signed: unsigned 64-bit ids and totals are stored as the same bit
// pattern, as in the SQLite store (C++20 defines both conversions as modular).
int64_t as_i64(uint64_t v) { return static_cast<int64_t>(v); }

// The newest-wins rule, enforced by the database, for one row per session (session_changes.h):
// the update happens only when the incoming seq is greater, so a replayed, duplicated or
// reordered record never moves totals back. A STOP sets the state and cause; a record arriving
// after the login service closed the session (agent restart) raises the totals but leaves it
// closed. Rows are locked in array order, which session_changes() sorts.
constexpr const char* upsert_sql = R"sql(
INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, service,
  billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, state, stop_cause,
  updated_unix)
SELECT agent, session_id, login_session, subscriber, realm, service, billing, start_unix, seq,
  kind, charged_s, free_s, octets_in, octets_out, CASE WHEN kind = 3 THEN 1 ELSE 0 END,
  stop_cause, $16::bigint
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
  $7::integer[], $8::bigint[], $9::bigint[], $10::integer[], $11::bigint[], $12::bigint[],
  $13::bigint[], $14::bigint[], $15::integer[])
  AS r(agent, session_id, login_session, subscriber, realm, service, billing, start_unix, seq,
       kind, charged_s, free_s, octets_in, octets_out, stop_cause)
ON CONFLICT (agent, session_id) DO UPDATE SET
  login_session = excluded.login_session, seq = excluded.seq, kind = excluded.kind,
  charged_s = excluded.charged_s, free_s = excluded.free_s, octets_in = excluded.octets_in,
  octets_out = excluded.octets_out,
  state = CASE WHEN excluded.kind = 3 THEN 1 ELSE subscriber_sessions.state END,
  stop_cause = CASE WHEN excluded.kind = 3 THEN excluded.stop_cause
                    ELSE subscriber_sessions.stop_cause END,
  updated_unix = excluded.updated_unix
WHERE excluded.seq > subscriber_sessions.seq
)sql";

// The same, with billing's charge of each session (commit_rater.h), worked out before it runs.
// A session whose row the commit did not find (its first record) has account 0 here; the
// billing service may have linked it since (link_session's row, seq 0, committed after this
// commit's read: there was no row to lock), and that link stays.
constexpr const char* upsert_rated_sql = R"sql(
INSERT INTO subscriber_sessions(agent, session_id, login_session, subscriber, realm, service,
  billing, start_unix, seq, kind, charged_s, free_s, octets_in, octets_out, state, stop_cause,
  updated_unix, account, amount_micros, line, line_rate, line_units, line_amount_micros)
SELECT agent, session_id, login_session, subscriber, realm, service, billing, start_unix, seq,
  kind, charged_s, free_s, octets_in, octets_out, CASE WHEN kind = 3 THEN 1 ELSE 0 END,
  stop_cause, $16::bigint, account, amount, line, line_rate, line_units, line_amount
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[],
  $7::integer[], $8::bigint[], $9::bigint[], $10::integer[], $11::bigint[], $12::bigint[],
  $13::bigint[], $14::bigint[], $15::integer[], $17::bigint[], $18::bigint[], $19::integer[],
  $20::bigint[], $21::bigint[], $22::bigint[])
  AS r(agent, session_id, login_session, subscriber, realm, service, billing, start_unix, seq,
       kind, charged_s, free_s, octets_in, octets_out, stop_cause, account, amount, line,
       line_rate, line_units, line_amount)
ON CONFLICT (agent, session_id) DO UPDATE SET
  login_session = excluded.login_session, seq = excluded.seq, kind = excluded.kind,
  charged_s = excluded.charged_s, free_s = excluded.free_s, octets_in = excluded.octets_in,
  octets_out = excluded.octets_out,
  state = CASE WHEN excluded.kind = 3 THEN 1 ELSE subscriber_sessions.state END,
  stop_cause = CASE WHEN excluded.kind = 3 THEN excluded.stop_cause
                    ELSE subscriber_sessions.stop_cause END,
  updated_unix = excluded.updated_unix,
  account = CASE WHEN excluded.account <> 0 THEN excluded.account
                 ELSE subscriber_sessions.account END,
  amount_micros = excluded.amount_micros, line = excluded.line,
  line_rate = excluded.line_rate, line_units = excluded.line_units,
  line_amount_micros = excluded.line_amount_micros
WHERE excluded.seq > subscriber_sessions.seq
)sql";

constexpr const char* feed_sql =
    "INSERT INTO feed(agent, session_id, event, created_unix) "
    "VALUES($1::bigint, $2::bigint, $3::text, $4::bigint)";

// The sessions this commit ended: their authorisations hold no money from it on.
constexpr const char* end_authorisations_sql = R"sql(
UPDATE authorisations a SET live = 0, updated_unix = $3::bigint
FROM unnest($1::bigint[], $2::bigint[]) AS e(agent, session_id)
WHERE a.agent = e.agent AND a.session_id = e.session_id AND a.live = 1
)sql";

constexpr const char* presence_sql = R"sql(
INSERT INTO presence(agent, last_seen_unix) SELECT a, $2::bigint FROM unnest($1::bigint[]) AS a
ON CONFLICT (agent) DO UPDATE SET last_seen_unix = excluded.last_seen_unix, lost_unix = 0
)sql";

constexpr const char* close_line_sql =
    "INSERT INTO charge_lines(agent, session_id, line, rate, units, amount_micros, closed_unix) "
    "VALUES($1::bigint, $2::bigint, $3::integer, $4::bigint, $5::bigint, $6::bigint, $7::bigint)";

// Each account once, in the order given (ascending ids), in the commit's transaction.
constexpr const char* debit_sql = R"sql(
UPDATE accounts SET balance_micros = balance_micros - k.amount
FROM unnest($1::bigint[], $2::bigint[]) AS k(id, amount)
WHERE accounts.id = k.id
RETURNING accounts.id, accounts.balance_micros
)sql";

// What the commit's sessions held before it, their rows locked (in the upsert's order) until
// the commit ends: the deltas' "before".
constexpr const char* lock_sessions_sql = R"sql(
SELECT agent, session_id, seq, charged_s, free_s, octets_in, octets_out, account, amount_micros,
  line, line_rate, line_units, line_amount_micros, state
FROM unnest($1::bigint[], $2::bigint[]) AS k(agent, session_id)
  JOIN subscriber_sessions s USING (agent, session_id)
ORDER BY agent, session_id FOR UPDATE OF s
)sql";

// The replay rule's rows: each login's committed seq, locked until the commit ends, so no other
// node judges a datagram of these logins in between. Logins ascending on every node: no
// deadlock between two commits.
constexpr const char* lock_seqs_sql = R"sql(
SELECT login_session, committed_seq, closed FROM login_session_seq
WHERE login_session = ANY($1::bigint[]) ORDER BY login_session FOR UPDATE
)sql";

constexpr const char* raise_seqs_sql = R"sql(
UPDATE login_session_seq SET committed_seq = k.seq
FROM unnest($1::bigint[], $2::bigint[]) AS k(login_session, seq)
WHERE login_session_seq.login_session = k.login_session
)sql";

// Only the agent the command is for can confirm it (another agent's id matches nothing).
constexpr const char* confirm_sql = R"sql(
UPDATE commands SET delivered_unix = $3::bigint
FROM unnest($1::bigint[], $2::bigint[]) AS k(id, agent)
WHERE commands.id = k.id AND commands.agent = k.agent AND commands.delivered_unix = 0
)sql";

constexpr const char* refusals_sql = R"sql(
INSERT INTO refusals(reason, count, last_unix)
SELECT reason, count, $3::bigint FROM unnest($1::text[], $2::bigint[]) AS k(reason, count)
ON CONFLICT (reason) DO UPDATE SET count = refusals.count + excluded.count,
  last_unix = excluded.last_unix
)sql";

// Inside a transaction: the agent's open logins are closed, and so is their committed seq, so
// no census commits another datagram of them.
constexpr const char* close_logins_sql = R"sql(
WITH closed AS (
  UPDATE login_sessions SET closed_unix = $2::bigint
  WHERE agent = $1::bigint AND closed_unix = 0 RETURNING id)
UPDATE login_session_seq SET closed = 1 WHERE login_session IN (SELECT id FROM closed)
)sql";

// Agent ids, reasons: byte order, as SQLite's BINARY collation sorts them, whatever the
// database's locale.
constexpr const char* agent_columns =
    "SELECT id, agent_id, credential, enabled, components, created_unix, last_login_unix "
    "FROM agents ";

constexpr const char* session_columns = R"sql(
SELECT a.agent_id, s.session_id, s.login_session, s.subscriber, s.realm, s.service, s.billing,
  s.start_unix, s.seq, s.charged_s, s.free_s, s.octets_in, s.octets_out, s.state, s.stop_cause,
  s.updated_unix
FROM subscriber_sessions s JOIN agents a ON a.id = s.agent
)sql";

constexpr const char* login_columns =
    "SELECT l.id, l.agent, a.agent_id, l.sealed_tag_key, l.boot_count, l.started_unix, "
    "l.expires_unix, l.closed_unix FROM login_sessions l JOIN agents a ON a.id = l.agent ";

// One row per session for upsert_sql: the identity of one record and the values of another
// (session_changes.h says which).
struct SessionRows {
  BinaryArray agent{pg::int8_oid}, session_id{pg::int8_oid}, login_session{pg::int8_oid};
  BinaryArray subscriber{pg::text_oid}, realm{pg::text_oid}, service{pg::text_oid};
  BinaryArray billing{pg::int4_oid}, start_unix{pg::int8_oid}, seq{pg::int8_oid};
  BinaryArray kind{pg::int4_oid}, charged_s{pg::int8_oid}, free_s{pg::int8_oid};
  BinaryArray octets_in{pg::int8_oid}, octets_out{pg::int8_oid}, stop_cause{pg::int4_oid};
  BinaryArray account{pg::int8_oid}, amount{pg::int8_oid}, line{pg::int4_oid};
  BinaryArray line_rate{pg::int8_oid}, line_units{pg::int8_oid}, line_amount{pg::int8_oid};

  void clear() {
    for (BinaryArray* a : all()) a->clear();
    for (BinaryArray* a : charges()) a->clear();
  }
  size_t size() const { return agent.size(); }
  // cause: stored only if the row creates the session and is not a STOP (a STOP's own cause
  // is), as SQLite's first insert stores its record's cause.
  void push(const VerifiedRecord& identity, const VerifiedRecord& values, int32_t cause,
            const UsageTotals& totals, const StoredCharge& charge) {
    const UsageRecord& id = identity.record;
    const UsageRecord& r = values.record;
    const char* at = std::strchr(id.subscriber, '@');  // from_wire guaranteed one
    agent.push_int8(values.agent);
    session_id.push_int8(as_i64(r.session_id));
    login_session.push_int8(as_i64(values.login_session));
    subscriber.push_text(id.subscriber);
    realm.push_text(at ? at + 1 : "");
    service.push_text(id.service);
    billing.push_int4(id.billing);
    start_unix.push_int8(as_i64(id.start_unix));
    seq.push_int8(r.seq);
    kind.push_int4(r.kind);
    charged_s.push_int8(totals.charged_s);
    free_s.push_int8(totals.free_s);
    octets_in.push_int8(as_i64(totals.octets_in));
    octets_out.push_int8(as_i64(totals.octets_out));
    stop_cause.push_int4(r.kind == gatemeter_RecordKind_RECORD_STOP ? r.cause : cause);
    account.push_int8(charge.account);
    amount.push_int8(charge.amount_micros);
    line.push_int4(static_cast<int32_t>(charge.line));
    line_rate.push_int8(charge.line_rate);
    line_units.push_int8(as_i64(charge.line_units));
    line_amount.push_int8(charge.line_amount_micros);
  }
  // rated: the charge columns are written too (upsert_rated_sql).
  void upsert(pg::Connection& db, int64_t now, bool rated) {
    Params p;
    for (BinaryArray* a : all()) p.add(*a);
    p.add(now);
    if (rated)
      for (BinaryArray* a : charges()) p.add(*a);
    db.exec(rated ? upsert_rated_sql : upsert_sql, p);
  }

 private:
  std::array<BinaryArray*, 6> charges() {
    return {&account, &amount, &line, &line_rate, &line_units, &line_amount};
  }
  std::array<BinaryArray*, 15> all() {
    return {&agent,     &session_id, &login_session, &subscriber, &realm,
            &service,   &billing,    &start_unix,    &seq,        &kind,
            &charged_s, &free_s,     &octets_in,     &octets_out, &stop_cause};
  }
};

class PostgresStore final : public Store {
 public:
  PostgresStore(const std::string& conninfo, const std::string& described,
                const StoreOptions& options)
      : db_(conninfo, described),
        sql_(db_),
        roaming_(options.roaming),
        billing_(sql_),
        sweep_(sql_, roaming_),
        radius_(sql_),
        settlement_(sql_) {
    version_ = pg::migrate_schema(db_);
  }

  int schema_version() override { return version_; }
  bool serialised_writers() const override { return false; }
  AccountBook& account_book() override { return billing_; }
  BillingCatalog& catalog() override { return billing_; }
  AuthorisationLedger& authorisations() override { return billing_; }
  FeedOutbox& feed() override { return billing_; }
  SessionSweep& sweep() override { return sweep_; }
  RadiusLedger& radius() override { return radius_; }
  SettlementLedger& settlement() override { return settlement_; }
  ActiveSessions& active_sessions() override { return billing_; }

  // ---- agent directory ----

  bool add_agent(const std::string& agent_id, const std::vector<uint8_t>& sealed,
                 int64_t now) override {
    return transaction([&] {
      Params p;
      p.add(agent_id).add_bytes(sealed.data(), sealed.size()).add(now);
      const Result r =
          db_.exec("INSERT INTO agents(agent_id, credential, created_unix) "
                   "VALUES($1::text, $2::bytea, $3::bigint) ON CONFLICT (agent_id) DO NOTHING",
                   p);
      return r.affected() == 1;
    });
  }

  std::optional<Agent> find_agent(const std::string& agent_id) override {
    const Result r =
        read(std::string(agent_columns) + "WHERE agent_id = $1::text", Params().add(agent_id));
    if (r.rows() == 0) return std::nullopt;
    return agent_of(r, 0);
  }

  std::vector<Agent> list_agents() override {
    const Result r = read(std::string(agent_columns) + "ORDER BY agent_id COLLATE \"C\"");
    std::vector<Agent> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(agent_of(r, i));
    return out;
  }

  bool set_agent_enabled(const std::string& agent_id, bool enabled, int64_t now) override {
    return transaction([&] {
      // Locks the agent's row: a login service opening a login for it waits (open_login_session).
      const Result r =
          db_.exec("UPDATE agents SET enabled = $2::integer WHERE agent_id = $1::text RETURNING id",
                   Params().add(agent_id).add(int64_t{enabled ? 1 : 0}));
      if (r.rows() != 1) return false;
      if (!enabled) db_.exec(close_logins_sql, Params().add(r.i64(0, 0)).add(now));
      return true;
    });
  }

  // ---- login ledger ----

  LoginOpened open_login_session(const NewLogin& l) override {
    return transaction([&] {
      // One login of an agent at a time, across login services: the newest login read here is
      // still the newest when this one is written.
      db_.exec("SELECT 1 FROM agents WHERE id = $1::bigint FOR UPDATE", Params().add(l.agent));
      LoginOpened o;
      const Result newest = db_.exec(
          "SELECT boot_count FROM login_sessions WHERE agent = $1::bigint "
          "ORDER BY serial DESC LIMIT 1",
          Params().add(l.agent));
      o.renewal = l.continuing && newest.rows() == 1 && newest.i64(0, 0) == l.boot_count;
      db_.exec(close_logins_sql, Params().add(l.agent).add(l.now_unix));
      if (!o.renewal) {
        // Its roaming sessions kept for settlement, if asked (roaming_keeper.h).
        o.sessions_closed = close_restarted_sessions(
            sql_, l.agent, gatemeter_StopCause_STOP_AGENT_RESTART, l.now_unix, roaming_);
        // Their authorisations with them: a rebooted gateway holds no session.
        db_.exec("UPDATE authorisations SET live = 0, updated_unix = $2::bigint "
                 "WHERE agent = $1::bigint AND live = 1",
                 Params().add(l.agent).add(l.now_unix));
      }
      db_.exec(
          "INSERT INTO login_sessions(id, agent, sealed_tag_key, boot_count, started_unix, "
          "expires_unix) VALUES($1::bigint, $2::bigint, $3::bytea, $4::bigint, $5::bigint, "
          "$6::bigint)",
          Params()
              .add(as_i64(l.id))
              .add(l.agent)
              .add_bytes(l.sealed_tag_key.data(), l.sealed_tag_key.size())
              .add(int64_t{l.boot_count})
              .add(l.now_unix)
              .add(l.expires_unix));
      db_.exec(
          "INSERT INTO login_session_seq(login_session, committed_seq) VALUES($1::bigint, 0) "
          "ON CONFLICT (login_session) DO UPDATE SET committed_seq = 0",
          Params().add(as_i64(l.id)));
      db_.exec(
          "UPDATE agents SET last_login_unix = $2::bigint, components = $3::text "
          "WHERE id = $1::bigint",
          Params().add(l.agent).add(l.now_unix).add(l.components));
      return o;
    });
  }

  std::optional<LoginSession> find_open_login(uint64_t id, int64_t now) override {
    const Result r = read(std::string(login_columns) +
                              "WHERE l.id = $1::bigint AND l.closed_unix = 0 AND "
                              "l.expires_unix > $2::bigint AND a.enabled = 1",
                          Params().add(as_i64(id)).add(now));
    if (r.rows() == 0) return std::nullopt;
    return login_of(r, 0);
  }

  std::vector<LoginSession> open_logins(int64_t now) override {
    const Result r = read(std::string(login_columns) +
                              "WHERE l.closed_unix = 0 AND l.expires_unix > $1::bigint AND "
                              "a.enabled = 1 ORDER BY l.serial",
                          Params().add(now));
    std::vector<LoginSession> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(login_of(r, i));
    return out;
  }

  std::vector<uint64_t> logins_closed_since(int64_t since) override {
    const Result r = read(
        "SELECT id FROM login_sessions WHERE closed_unix <> 0 AND "
        "closed_unix >= $1::bigint ORDER BY closed_unix, serial",
        Params().add(since));
    std::vector<uint64_t> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.u64(i, 0));
    return out;
  }

  // ---- usage ledger ----

  void apply(const std::vector<VerifiedRecord>& records, const std::vector<RefusalCount>& refusals,
             int64_t now) override {
    // The rule wants a commit to work on; no datagrams, deltas or rating here.
    CensusCommit c;
    c.records = records;
    transaction([&] {
      included_.resize(records.size());
      for (uint32_t i = 0; i < records.size(); ++i) included_[i] = i;
      write_records(c, now);
      add_refusals(refusals, now);
    });  // COMMIT with synchronous_commit on: durable from here
  }

  void commit_datagrams(CensusCommit& c, int64_t now) override { commit(c, now, true); }
  void commit_records(CensusCommit& c, int64_t now) override { commit(c, now, false); }

  void commit(CensusCommit& c, int64_t now, bool replay_rule) {
    transaction([&] {
      if (replay_rule)
        judge_datagrams(c.datagrams);
      else
        for (VerifiedDatagram& d : c.datagrams) d.verdict = DatagramVerdict::accepted;
      included_.clear();
      for (uint32_t i = 0; i < c.records.size(); ++i)
        if (c.datagrams.at(c.records[i].datagram).accepted()) included_.push_back(i);
      c.deltas.clear();
      if (c.debits != nullptr) *c.debits = CommitDebits{};
      write_records(c, now);
      write_presence(c.present, now);
      confirm_commands(c, now);
      add_refusals(c.refusals, now);
      if (c.debits != nullptr && c.debits->counters_backwards != 0)
        add_refusals({{"counters_backwards", c.debits->counters_backwards}}, now);
    });  // COMMIT with synchronous_commit on: durable from here
  }

  uint32_t committed_datagram_seq(uint64_t login_session) override {
    const Result r =
        read("SELECT committed_seq FROM login_session_seq WHERE login_session = $1::bigint",
             Params().add(as_i64(login_session)));
    return r.rows() == 0 ? 0 : static_cast<uint32_t>(r.i64(0, 0));
  }

  // ---- command mailbox ----

  std::vector<PendingCommand> pending_commands(size_t limit) override {
    const Result r = read(
        "SELECT id, agent, command FROM commands WHERE delivered_unix = 0 "
        "ORDER BY id LIMIT $1::bigint",
        Params().add(static_cast<int64_t>(limit)));
    std::vector<PendingCommand> out;
    for (int i = 0; i < r.rows(); ++i) {
      PendingCommand c;
      c.id = r.i64(i, 0);
      c.agent = r.i64(i, 1);
      const auto bytes = r.bytes(i, 2);
      pb_istream_t in = pb_istream_from_buffer(bytes.data(), bytes.size());
      if (!pb_decode(&in, gatemeter_Command_fields, &c.command)) continue;
      c.command.id = static_cast<uint64_t>(c.id);  // what the agent confirms
      out.push_back(c);
    }
    return out;
  }

  std::optional<int64_t> command_delivered_unix(int64_t id) override {
    const Result r =
        read("SELECT delivered_unix FROM commands WHERE id = $1::bigint", Params().add(id));
    if (r.rows() == 0) return std::nullopt;
    return r.i64(0, 0);
  }

  int64_t queue_command(int64_t agent, const gatemeter_Command& command, int64_t now) override {
    uint8_t buf[gatemeter_Command_size];
    pb_ostream_t out = pb_ostream_from_buffer(buf, sizeof buf);
    if (!pb_encode(&out, gatemeter_Command_fields, &command))
      throw StoreError("command does not encode");
    return transaction([&] {
      Params p;
      p.add(agent).add_bytes(buf, out.bytes_written).add(now);
      const Result r = db_.exec("INSERT INTO commands(agent, command, created_unix) "
                                "VALUES($1::bigint, $2::bytea, $3::bigint) RETURNING id",
                                p);
      return r.i64(0, 0);
    });
  }

  // ---- reports ----

  std::vector<SubscriberSession> sessions(const std::string& agent_id) override {
    const Result r = read(std::string(session_columns) +
                              "WHERE $1::text = '' OR a.agent_id = $1::text "
                              "ORDER BY a.agent_id COLLATE \"C\", s.session_id",
                          Params().add(agent_id));
    std::vector<SubscriberSession> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(session_of(r, i));
    return out;
  }

  std::optional<SubscriberSession> session(const std::string& agent_id, uint64_t id) override {
    const Result r = read(
        std::string(session_columns) + "WHERE a.agent_id = $1::text AND s.session_id = $2::bigint",
        Params().add(agent_id).add(as_i64(id)));
    if (r.rows() == 0) return std::nullopt;
    return session_of(r, 0);
  }

  std::vector<RefusalCount> refusals() override {
    const Result r = read("SELECT reason, count FROM refusals ORDER BY reason COLLATE \"C\"");
    std::vector<RefusalCount> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({std::string(r.text(i, 0)), r.u64(i, 1)});
    return out;
  }

 private:
  static constexpr int max_attempts = 5;

  // One transaction: BEGIN, the body, COMMIT; rolled back if anything throws, and run again
  // (from the start: the body sets every output afresh) if the server broke a deadlock or a
  // serialisation conflict by aborting it.
  template <typename Body>
  auto transaction(Body&& body) -> decltype(body()) {
    for (int attempt = 1;; ++attempt) {
      db_.begin("BEGIN ISOLATION LEVEL READ COMMITTED");
      try {
        if constexpr (std::is_void_v<decltype(body())>) {
          body();
          db_.commit();
          return;
        } else {
          auto result = body();
          db_.commit();
          return result;
        }
      } catch (const pg::Error& e) {
        db_.rollback_quietly();
        if (!e.retryable() || attempt == max_attempts) throw;
      } catch (...) {
        db_.rollback_quietly();
        throw;
      }
    }
  }

  // A read: one statement, its own transaction.
  Result read(const std::string& sql, const Params& params = {}) { return db_.read(sql, params); }

  // The replay rule (datagram_acceptance.h) over the locked seq rows.
  void judge_datagrams(std::vector<VerifiedDatagram>& ds) {
    const std::vector<LoginGroup> groups = group_by_login(ds, order_);
    if (groups.empty()) return;
    logins_.clear();
    for (const LoginGroup& g : groups) logins_.push_int8(as_i64(g.login_session));
    const Result held = db_.exec(lock_seqs_sql, Params().add(logins_));
    // {login, committed seq, open}, ascending like the groups; a login unknown here is closed.
    held_.clear();
    for (int i = 0; i < held.rows(); ++i)
      held_.push_back({held.u64(i, 0), static_cast<uint32_t>(held.i64(i, 1)), held.i64(i, 2) == 0});
    std::sort(held_.begin(), held_.end(),
              [](const Held& a, const Held& b) { return a.login < b.login; });
    logins_.clear();
    seqs_.clear();
    for (const LoginGroup& g : groups) {
      const auto it =
          std::lower_bound(held_.begin(), held_.end(), g.login_session,
                           [](const Held& h, uint64_t login) { return h.login < login; });
      const bool known = it != held_.end() && it->login == g.login_session;
      const uint32_t committed = known ? it->committed : 0;
      const uint32_t last = judge_login_group(ds, order_, g, committed, known && it->open);
      if (last > committed) {
        logins_.push_int8(as_i64(g.login_session));
        seqs_.push_int8(last);
      }
    }
    if (logins_.size() > 0) db_.exec(raise_seqs_sql, Params().add(logins_).add(seqs_));
  }

  // Applies records[i] for i in included_, newest-wins, one row per session. The sessions' rows
  // are read and locked first, so the rule is worked out here exactly as the SQLite store's
  // record-by-record upserts leave it (session_growth.h), the deltas and the charges with it.
  void write_records(CensusCommit& c, int64_t now) {
    const std::vector<VerifiedRecord>& records = c.records;
    if (included_.empty()) return;
    session_changes(records, included_, changes_);
    read_held();
    // Each change's growth, its records applied in index order.
    growth_.assign(changes_.size(), SessionGrowth{});
    growth_index_.clear();
    for (size_t i = 0; i < changes_.size(); ++i) {
      SessionGrowth& g = growth_[i];
      const Before& b = before_[i];
      g.first = changes_[i].first;
      g.created = !b.held;
      g.held_seq = b.seq;
      g.before = g.after = b.totals;
      g.charge = b.charge;
      g.state_before = b.state;
      growth_index_[{changes_[i].agent, changes_[i].session_id}] = i;
    }
    std::vector<uint32_t> in_order = included_;
    std::sort(in_order.begin(), in_order.end());
    for (uint32_t i : in_order)
      grow(growth_[growth_index_.at({records[i].agent, records[i].record.session_id})],
           records[i], i);
    debits_.clear();
    closed_.clear();
    rate_growth(c, growth_, now, debits_, closed_);
    feed_rows_.clear();
    roaming_ended_.clear();
    ended_sessions(c, growth_, now, feed_rows_, roaming_.on() ? &roaming_ended_ : nullptr);
    for (const FeedRow& f : feed_rows_)
      db_.exec(feed_sql, Params().add(f.agent).add(as_i64(f.session_id)).add(f.event).add(now));
    // A raw settlement record of each roaming session ended, in this transaction: exactly once,
    // as the STOP ends an open session once, its row locked FOR UPDATE (roaming_keeper.h).
    for (const EndedOfAgent& e : roaming_ended_) roaming_.keep(sql_, e.agent, e.session, now);
    if (!feed_rows_.empty()) {
      BinaryArray agents(pg::int8_oid), sessions(pg::int8_oid);
      for (const FeedRow& f : feed_rows_) {
        agents.push_int8(f.agent);
        sessions.push_int8(as_i64(f.session_id));
      }
      db_.exec(end_authorisations_sql, Params().add(agents).add(sessions).add(now));
    }
    const bool rated = c.rater != nullptr;
    if (std::any_of(changes_.begin(), changes_.end(),
                    [](const SessionChange& k) { return k.stop != no_record; })) {
      rows_.clear();
      for (size_t i = 0; i < changes_.size(); ++i) {
        const SessionChange& k = changes_[i];
        if (k.stop != no_record)
          rows_.push(records[k.first], records[k.stop], 0, records[k.stop].record.totals,
                     growth_[i].charge);
      }
      rows_.upsert(db_, now, rated);
    }
    rows_.clear();
    for (size_t i = 0; i < changes_.size(); ++i) {
      const SessionChange& k = changes_[i];
      // The counters as the rule leaves them (the database keeps the larger of each anyway).
      const UsageTotals totals =
          growth_[i].newest == no_growth ? records[k.newest].record.totals : growth_[i].after;
      rows_.push(records[k.first], records[k.newest], records[k.first].record.cause, totals,
                 growth_[i].charge);
    }
    rows_.upsert(db_, now, rated);
    if (!rated) return;
    for (const auto& [g, line] : closed_) {
      const SessionChange& k = changes_[g];
      db_.exec(close_line_sql, Params()
                                   .add(k.agent)
                                   .add(as_i64(k.session_id))
                                   .add(int64_t{line.line})
                                   .add(line.rate)
                                   .add(as_i64(line.units))
                                   .add(line.amount_micros)
                                   .add(now));
    }
    if (debits_.empty()) return;
    // Accounts in ascending id on every node (debits_ is ordered): no deadlock between commits.
    BinaryArray accounts(pg::int8_oid), amounts(pg::int8_oid);
    for (const auto& [account, micros] : debits_) {
      accounts.push_int8(account);
      amounts.push_int8(micros);
    }
    const Result r = db_.exec(debit_sql, Params().add(accounts).add(amounts));
    if (c.debits != nullptr)
      for (int row = 0; row < r.rows(); ++row)
        c.debits->balances.push_back({r.i64(row, 0), r.i64(row, 1)});
  }

  // What each of changes_ holds now, into before_ (same order), its row locked.
  void read_held() {
    keys_agent_.clear();
    keys_session_.clear();
    for (const SessionChange& c : changes_) {
      keys_agent_.push_int8(c.agent);
      keys_session_.push_int8(as_i64(c.session_id));
    }
    const Result r = db_.exec(lock_sessions_sql, Params().add(keys_agent_).add(keys_session_));
    before_.assign(changes_.size(), Before{});
    // Both in the database's order of (agent, session_id): one walk matches them.
    size_t i = 0;
    for (int row = 0; row < r.rows(); ++row) {
      const int64_t agent = r.i64(row, 0);
      const uint64_t session = r.u64(row, 1);
      while (i < changes_.size() &&
             (changes_[i].agent != agent || changes_[i].session_id != session))
        ++i;
      if (i == changes_.size()) throw StoreError("postgresql: a locked session was not asked for");
      Before& b = before_[i];
      b.held = true;
      b.seq = static_cast<uint32_t>(r.i64(row, 2));
      b.totals = totals_of(r, row, 3);
      b.charge.account = r.i64(row, 7);
      b.charge.amount_micros = r.i64(row, 8);
      b.charge.line = static_cast<uint32_t>(r.i64(row, 9));
      b.charge.line_rate = r.i64(row, 10);
      b.charge.line_units = r.u64(row, 11);
      b.charge.line_amount_micros = r.i64(row, 12);
      b.state = static_cast<int32_t>(r.i64(row, 13));
    }
  }

  void write_presence(std::vector<int64_t> agents, int64_t now) {
    if (agents.empty()) return;
    std::sort(agents.begin(), agents.end());  // rows in one order on every node
    agents.erase(std::unique(agents.begin(), agents.end()), agents.end());
    BinaryArray ids(pg::int8_oid);
    for (int64_t a : agents) ids.push_int8(a);
    db_.exec(presence_sql, Params().add(ids).add(now));
  }

  void confirm_commands(const CensusCommit& c, int64_t now) {
    std::vector<std::pair<int64_t, int64_t>> confirmed;  // {command, agent}
    for (const CommandConfirmation& k : c.confirmations) {
      const VerifiedDatagram& d = c.datagrams.at(k.datagram);
      if (d.accepted()) confirmed.push_back({k.command, d.agent});
    }
    if (confirmed.empty()) return;
    std::sort(confirmed.begin(), confirmed.end());  // rows in one order on every node
    BinaryArray ids(pg::int8_oid), agents(pg::int8_oid);
    for (const auto& [id, agent] : confirmed) {
      ids.push_int8(id);
      agents.push_int8(agent);
    }
    db_.exec(confirm_sql, Params().add(ids).add(agents).add(now));
  }

  void add_refusals(const std::vector<RefusalCount>& refusals, int64_t now) {
    if (refusals.empty()) return;
    // One row per reason (an upsert may not reach a row twice), as the database will hold it.
    std::map<std::string, uint64_t> sum;
    std::string scratch;
    for (const RefusalCount& r : refusals)
      sum[std::string(pg::valid_text(r.reason, scratch))] += r.count;
    BinaryArray reasons(pg::text_oid), counts(pg::int8_oid);
    for (const auto& [reason, count] : sum) {
      reasons.push_text(reason);
      counts.push_int8(as_i64(count));
    }
    db_.exec(refusals_sql, Params().add(reasons).add(counts).add(now));
  }

  static UsageTotals totals_of(const Result& r, int row, int first) {
    return {static_cast<uint32_t>(r.i64(row, first)), static_cast<uint32_t>(r.i64(row, first + 1)),
            r.u64(row, first + 2), r.u64(row, first + 3)};
  }

  static Agent agent_of(const Result& r, int i) {
    Agent a;
    a.id = r.i64(i, 0);
    a.agent_id = r.text(i, 1);
    a.sealed_credential = r.bytes(i, 2);
    a.enabled = r.i64(i, 3) != 0;
    a.components = r.text(i, 4);
    a.created_unix = r.i64(i, 5);
    a.last_login_unix = r.i64(i, 6);
    return a;
  }

  static LoginSession login_of(const Result& r, int i) {
    LoginSession l;
    l.id = r.u64(i, 0);
    l.agent = r.i64(i, 1);
    l.agent_id = r.text(i, 2);
    l.sealed_tag_key = r.bytes(i, 3);
    l.boot_count = static_cast<uint32_t>(r.i64(i, 4));
    l.started_unix = r.i64(i, 5);
    l.expires_unix = r.i64(i, 6);
    l.closed_unix = r.i64(i, 7);
    return l;
  }

  static SubscriberSession session_of(const Result& r, int i) {
    SubscriberSession s;
    s.agent_id = r.text(i, 0);
    s.session_id = r.u64(i, 1);
    s.login_session = r.u64(i, 2);
    s.subscriber = r.text(i, 3);
    s.realm = r.text(i, 4);
    s.service = r.text(i, 5);
    s.billing = static_cast<int32_t>(r.i64(i, 6));
    s.start_unix = r.u64(i, 7);
    s.last_seq = static_cast<uint32_t>(r.i64(i, 8));
    s.totals = totals_of(r, i, 9);
    s.state = static_cast<SessionState>(r.i64(i, 13));
    s.stop_cause = static_cast<int32_t>(r.i64(i, 14));
    s.updated_unix = r.i64(i, 15);
    return s;
  }

  struct Held {
    uint64_t login;
    uint32_t committed;
    bool open;
  };
  struct Before {
    bool held = false;
    uint32_t seq = 0;
    UsageTotals totals;
    StoredCharge charge;
    int32_t state = 0;
  };

  pg::Connection db_;
  // Billing's tables, in SQL both stores share (billing_tables.h), on this connection.
  pg::SqlSession sql_;
  // Ended roaming sessions kept for settlement (roaming_keeper.h); off unless asked.
  RoamingKeeper roaming_;
  std::vector<EndedOfAgent> roaming_ended_;
  BillingTables billing_;
  SweepTables sweep_;
  RadiusTables radius_;
  SettlementTables settlement_;
  int version_ = 0;
  // Scratch of the commit path, kept to spare allocations.
  std::vector<uint32_t> order_, included_;
  std::vector<Held> held_;
  std::vector<SessionChange> changes_;
  std::vector<Before> before_;
  std::vector<SessionGrowth> growth_;
  std::map<std::pair<int64_t, uint64_t>, size_t> growth_index_;
  std::map<int64_t, int64_t> debits_;
  std::vector<std::pair<size_t, ClosedLine>> closed_;
  std::vector<FeedRow> feed_rows_;
  BinaryArray logins_{pg::int8_oid}, seqs_{pg::int8_oid};
  BinaryArray keys_agent_{pg::int8_oid}, keys_session_{pg::int8_oid};
  SessionRows rows_;
};

}  // namespace

std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, StoreOptions options) {
  // busy_writer asks nothing of PostgreSQL: the server checkpoints on its own.
  // open_store passes a URI whole ("postgresql://db1/gm") and a key=value string without the
  // store's "postgresql:" prefix.
  const bool uri = conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
  return std::make_unique<PostgresStore>(
      conninfo, describe_store(uri ? conninfo : "postgresql:" + conninfo), options);
}

}  // namespace gm::host
