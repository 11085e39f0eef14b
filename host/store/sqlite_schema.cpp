#include "host/store/sqlite_schema.h"

#include <iterator>
#include <string>

#include "host/store/store_types.h"

namespace gm::host::sqlite {

namespace {

// Each step takes the database from version i to i + 1. Never edit a step that has shipped;
// add one. Step 1 is written with IF NOT EXISTS so a store made before versions existed (it has
// these tables and no schema_version) becomes version 1 unchanged.
constexpr const char* steps[] = {
    // 1: agents, logins, sessions, refusals, commands (issue 5), committed datagram seqs.
    R"sql(
CREATE TABLE IF NOT EXISTS agents(
  id INTEGER PRIMARY KEY,
  agent_id TEXT NOT NULL UNIQUE,
  credential BLOB NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  components TEXT NOT NULL DEFAULT '',
  created_unix INTEGER NOT NULL,
  last_login_unix INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS login_sessions(
  serial INTEGER PRIMARY KEY AUTOINCREMENT,
  id INTEGER NOT NULL UNIQUE,
  agent INTEGER NOT NULL REFERENCES agents(id),
  tag_key BLOB NOT NULL,
  started_unix INTEGER NOT NULL,
  closed_unix INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS login_sessions_open ON login_sessions(agent) WHERE closed_unix = 0;
CREATE TABLE IF NOT EXISTS login_session_seq(
  login_session INTEGER PRIMARY KEY,
  committed_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscriber_sessions(
  agent INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  login_session INTEGER NOT NULL,
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
  state INTEGER NOT NULL,
  stop_cause INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, session_id)) WITHOUT ROWID;
DROP INDEX IF EXISTS subscriber_sessions_open;
CREATE TABLE IF NOT EXISTS refusals(
  reason TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_unix INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS commands(
  id INTEGER PRIMARY KEY,
  agent INTEGER NOT NULL REFERENCES agents(id),
  command BLOB NOT NULL,
  created_unix INTEGER NOT NULL,
  delivered_unix INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS commands_pending ON commands(id) WHERE delivered_unix = 0;
)sql",
    // 2: tag keys sealed under the vault, boot counts (renewal), lifetimes, closed logins
    // refused at commit. Version 1 held tag keys in clear: they are wiped and those logins
    // closed, so their agents log in again (they do so when the census stops answering).
    R"sql(
ALTER TABLE login_sessions RENAME COLUMN tag_key TO sealed_tag_key;
ALTER TABLE login_sessions ADD COLUMN boot_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE login_sessions ADD COLUMN expires_unix INTEGER NOT NULL DEFAULT 0;
UPDATE login_sessions SET closed_unix = CAST(strftime('%s', 'now') AS INTEGER)
  WHERE closed_unix = 0;
UPDATE login_sessions SET sealed_tag_key = x'';
ALTER TABLE login_session_seq ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
UPDATE login_session_seq SET closed = 1;
CREATE INDEX login_sessions_closed ON login_sessions(closed_unix) WHERE closed_unix <> 0;
CREATE INDEX login_sessions_agent ON login_sessions(agent, serial);
)sql",
    // 3: billing (host/billing/BILLING.md): accounts, subscribers, top-ups; rates, services,
    // realms, offers, gateway zones (the catalog, its version bumped by every change); each
    // session's account and running charge (its current bill line), closed lines; the billing
    // service's authorisations; gateways' presence; the network management feed.
    R"sql(
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind INTEGER NOT NULL,
  plan TEXT NOT NULL DEFAULT '',
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  balance_micros INTEGER NOT NULL DEFAULT 0,
  low_balance_micros INTEGER NOT NULL DEFAULT 0,
  at_zero INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_unix INTEGER NOT NULL);
CREATE TABLE subscribers(
  name TEXT PRIMARY KEY,
  account INTEGER NOT NULL REFERENCES accounts(id));
CREATE INDEX subscribers_account ON subscribers(account);
CREATE TABLE top_ups(
  key TEXT PRIMARY KEY,
  account INTEGER NOT NULL REFERENCES accounts(id),
  amount_micros INTEGER NOT NULL,
  balance_after_micros INTEGER NOT NULL,
  created_unix INTEGER NOT NULL);
CREATE TABLE rates(
  id INTEGER PRIMARY KEY,
  plan TEXT NOT NULL,
  service_type TEXT NOT NULL,
  band TEXT NOT NULL,
  zone TEXT NOT NULL,
  provider TEXT NOT NULL,
  unit TEXT NOT NULL,
  price_micros INTEGER NOT NULL,
  increment INTEGER NOT NULL,
  minimum_micros INTEGER NOT NULL,
  effective_from_unix INTEGER NOT NULL,
  created_unix INTEGER NOT NULL,
  UNIQUE(plan, service_type, band, zone, provider, effective_from_unix));
CREATE TABLE services(
  name TEXT PRIMARY KEY,
  service_type TEXT NOT NULL);
CREATE TABLE realms(
  name TEXT PRIMARY KEY,
  provider TEXT NOT NULL DEFAULT '',
  outage_policy INTEGER NOT NULL DEFAULT 0,
  approval_url TEXT NOT NULL DEFAULT '',
  temporary_s INTEGER NOT NULL DEFAULT 0);
CREATE TABLE offers(
  scope TEXT NOT NULL,
  option INTEGER NOT NULL,
  label TEXT NOT NULL,
  terms TEXT NOT NULL,
  PRIMARY KEY(scope, option));
CREATE TABLE gateway_zones(
  agent INTEGER PRIMARY KEY REFERENCES agents(id),
  zone TEXT NOT NULL);
CREATE TABLE billing_catalog(version INTEGER NOT NULL, time_bands TEXT NOT NULL DEFAULT '');
INSERT INTO billing_catalog(version) VALUES(1);
CREATE TABLE charge_lines(
  agent INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  line INTEGER NOT NULL,
  rate INTEGER NOT NULL,
  units INTEGER NOT NULL,
  amount_micros INTEGER NOT NULL,
  closed_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, session_id, line)) WITHOUT ROWID;
CREATE TABLE authorisations(
  agent INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  account INTEGER NOT NULL DEFAULT 0,
  subscriber TEXT NOT NULL,
  option INTEGER NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  request INTEGER NOT NULL,
  response BLOB NOT NULL,
  decision INTEGER NOT NULL,
  granted_micros INTEGER NOT NULL DEFAULT 0,
  remote INTEGER NOT NULL DEFAULT 0,
  temporary_until_unix INTEGER NOT NULL DEFAULT 0,
  live INTEGER NOT NULL DEFAULT 1,
  created_unix INTEGER NOT NULL,
  updated_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, session_id)) WITHOUT ROWID;
CREATE INDEX authorisations_live ON authorisations(account) WHERE live = 1;
CREATE INDEX authorisations_asking ON authorisations(temporary_until_unix) WHERE remote = 1;
CREATE TABLE presence(
  agent INTEGER PRIMARY KEY,
  last_seen_unix INTEGER NOT NULL,
  lost_unix INTEGER NOT NULL DEFAULT 0);
CREATE TABLE feed(
  id INTEGER PRIMARY KEY,
  agent INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  event TEXT NOT NULL,
  created_unix INTEGER NOT NULL,
  written_unix INTEGER NOT NULL DEFAULT 0,
  posted_unix INTEGER NOT NULL DEFAULT 0);
CREATE INDEX feed_unwritten ON feed(id) WHERE written_unix = 0;
CREATE INDEX feed_unposted ON feed(id) WHERE posted_unix = 0;
ALTER TABLE subscriber_sessions ADD COLUMN account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriber_sessions ADD COLUMN amount_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriber_sessions ADD COLUMN line INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriber_sessions ADD COLUMN line_rate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriber_sessions ADD COLUMN line_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriber_sessions ADD COLUMN line_amount_micros INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: which live authorisations hold a final grant (the top-up step's question, answered by
    // an index rather than by decoding every live answer each round). Rows from before are
    // marked if approved and live: the step decodes each answer anyway and skips the others.
    R"sql(
ALTER TABLE authorisations ADD COLUMN final_grant INTEGER NOT NULL DEFAULT 0;
UPDATE authorisations SET final_grant = 1 WHERE live = 1 AND decision = 1;
CREATE INDEX authorisations_final ON authorisations(account) WHERE live = 1 AND final_grant = 1;
)sql",
    // 5: the billing service's low-balance warning, once per crossing: when a live session was
    // told (0: not since its account was last above its threshold).
    R"sql(
ALTER TABLE authorisations ADD COLUMN low_balance_unix INTEGER NOT NULL DEFAULT 0;
)sql",
    // 6: the feed's leases (host/billing/BILLING.md, "The network management feed"): which
    // billing node delivers each destination (the JSON-lines file, the webhook), and until when.
    R"sql(
CREATE TABLE feed_lease(
  sink TEXT PRIMARY KEY,
  holder TEXT NOT NULL DEFAULT '',
  expires_unix INTEGER NOT NULL DEFAULT 0);
INSERT INTO feed_lease(sink) VALUES('file'), ('webhook');
)sql",
    // 7: a session's authorisation ends in the transaction that ends the session (the census's
    // commit of its STOP, a restart, the sweep); sessions that ended before this version
    // left theirs live for the billing service's scan, which no longer runs: ended here once.
    R"sql(
UPDATE authorisations SET live = 0 WHERE live = 1 AND EXISTS (SELECT 1 FROM subscriber_sessions s
  WHERE s.agent = authorisations.agent AND s.session_id = authorisations.session_id
  AND s.state <> 0);
)sql",
    // 8: the catalog version at which each account's plan, kind or time zone last changed, so a
    // node's catalog copy reloads only the accounts that changed (host/billing/catalog_cache.h).
    // Accounts from before carry 0: every copy reads all of them on its first load anyway. And
    // the live sessions warned of a low balance, so the billing service's round finds them
    // without reading every live authorisation (sweep_tables.cpp).
    R"sql(
ALTER TABLE accounts ADD COLUMN catalog_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX accounts_catalog ON accounts(catalog_version);
CREATE INDEX authorisations_warned ON authorisations(low_balance_unix)
  WHERE live = 1 AND low_balance_unix > 0;
)sql",
    // 9: RADIUS (host/radius/): which store session each NAS's (Acct-Session-Id, start) names,
    // so an id a rebooted NAS reuses names a new session.
    R"sql(
CREATE TABLE radius_sessions(
  agent INTEGER NOT NULL REFERENCES agents(id),
  acct_session_id TEXT NOT NULL,
  start_unix INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  created_unix INTEGER NOT NULL,
  PRIMARY KEY(agent, acct_session_id, start_unix)) WITHOUT ROWID;
)sql",
    // 10: the RADIUS routing server's queue (host/radius/RADIUS.md): each request as received,
    // kept until the central server acknowledged it.
    R"sql(
CREATE TABLE radius_queue(
  id INTEGER PRIMARY KEY,
  packet BLOB NOT NULL,
  received_unix INTEGER NOT NULL);
)sql",
    // 11: subscribers' passwords, as Argon2id hashes (host/billing/password_hash.h), for RADIUS
    // Access-Requests of this operator's own realms; '' none set (such a subscriber is refused).
    R"sql(
ALTER TABLE subscribers ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
)sql",
    // 12: settlement (host/settlement/SETTLEMENT.md): the member directory, the raw roaming
    // records as received (the seed's seventeen fields), the history cleaning made of them,
    // and the settlement tariffs (rules and the operator's handling fee).
    R"sql(
CREATE TABLE settlement_providers(id TEXT PRIMARY KEY, country TEXT NOT NULL);
CREATE TABLE settlement_servers(
  server TEXT PRIMARY KEY,
  provider TEXT NOT NULL REFERENCES settlement_providers(id));
CREATE TABLE settlement_realms(
  realm TEXT PRIMARY KEY,
  provider TEXT NOT NULL REFERENCES settlement_providers(id));
CREATE TABLE settlement_raw(
  entry_id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL,
  user_domain TEXT NOT NULL,
  status_type TEXT NOT NULL,
  session_id TEXT NOT NULL,
  session_time_s INTEGER NOT NULL,
  delay_time_s INTEGER NOT NULL,
  nas_id TEXT NOT NULL,
  local_server TEXT NOT NULL,
  home_server TEXT NOT NULL,
  stop INTEGER NOT NULL,
  stop_local TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  create_unix INTEGER NOT NULL,
  history_unix INTEGER NOT NULL DEFAULT 0,
  record_status INTEGER NOT NULL DEFAULT 0,
  pair_status INTEGER NOT NULL DEFAULT 0,
  refusal TEXT NOT NULL DEFAULT '');
CREATE INDEX settlement_raw_stop ON settlement_raw(stop, entry_id);
CREATE TABLE settlement_history(
  entry_id INTEGER PRIMARY KEY REFERENCES settlement_raw(entry_id),
  user_name TEXT NOT NULL,
  realm TEXT NOT NULL,
  service TEXT NOT NULL,
  session_id TEXT NOT NULL,
  session_time_s INTEGER NOT NULL,
  stop INTEGER NOT NULL,
  stop_local TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  home_provider TEXT NOT NULL,
  home_country TEXT NOT NULL,
  serving_provider TEXT NOT NULL,
  serving_country TEXT NOT NULL,
  nas_id TEXT NOT NULL);
CREATE INDEX settlement_history_stop ON settlement_history(stop, entry_id);
CREATE TABLE settlement_rules(
  id TEXT PRIMARY KEY,
  side INTEGER NOT NULL,
  serving_country TEXT NOT NULL,
  serving_provider TEXT NOT NULL,
  home_provider TEXT NOT NULL,
  from_s INTEGER NOT NULL,
  to_s INTEGER NOT NULL,
  first_date TEXT NOT NULL,
  last_date TEXT NOT NULL,
  weekdays INTEGER NOT NULL,
  price_per_minute INTEGER NOT NULL);
CREATE TABLE settlement_fee(per_connection INTEGER NOT NULL, per_minute INTEGER NOT NULL);
INSERT INTO settlement_fee VALUES(0, 0);
)sql",
    // 13: settlement period close (host/settlement/period_close.h): a history record cleaned
    // after its period closed is late and carried by the next close (adjusted_in); each closed
    // period keeps its totals per group, its members and its reports' checksums, so its reports
    // never change; undecided raw records are found without a scan.
    R"sql(
ALTER TABLE settlement_history ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE settlement_history ADD COLUMN adjusted_in INTEGER;
CREATE INDEX settlement_history_pending ON settlement_history(stop, entry_id)
  WHERE late = 1 AND adjusted_in IS NULL;
CREATE INDEX settlement_history_adjusted ON settlement_history(adjusted_in, stop, entry_id)
  WHERE adjusted_in IS NOT NULL;
CREATE INDEX settlement_raw_undecided ON settlement_raw(stop) WHERE record_status IN (0, 4);
CREATE TABLE settlement_periods(
  from_unix INTEGER PRIMARY KEY,
  to_unix INTEGER NOT NULL,
  closed_unix INTEGER NOT NULL,
  records INTEGER NOT NULL,
  adjustments INTEGER NOT NULL);
CREATE TABLE settlement_period_members(
  from_unix INTEGER NOT NULL REFERENCES settlement_periods(from_unix),
  provider TEXT NOT NULL,
  country TEXT NOT NULL,
  PRIMARY KEY(from_unix, provider));
CREATE TABLE settlement_period_groups(
  from_unix INTEGER NOT NULL REFERENCES settlement_periods(from_unix),
  adjustment INTEGER NOT NULL,
  serving_provider TEXT NOT NULL,
  serving_country TEXT NOT NULL,
  home_provider TEXT NOT NULL,
  home_country TEXT NOT NULL,
  user_name TEXT NOT NULL,
  connections INTEGER NOT NULL,
  seconds INTEGER NOT NULL,
  consumer_micros INTEGER NOT NULL,
  provider_micros INTEGER NOT NULL,
  fee_connection_micros INTEGER NOT NULL,
  fee_time_micros INTEGER NOT NULL,
  PRIMARY KEY(from_unix, adjustment, serving_provider, serving_country, home_provider,
              home_country, user_name));
CREATE TABLE settlement_period_checksums(
  from_unix INTEGER NOT NULL REFERENCES settlement_periods(from_unix),
  provider TEXT NOT NULL,
  report TEXT NOT NULL,
  checksum TEXT NOT NULL,
  PRIMARY KEY(from_unix, provider, report));
)sql",
    // 14: settlement members' own access and the disbursement of money
    // (host/settlement/SETTLEMENT.md): a provider's password hash for its report downloads and
    // its credit line; the operator's disbursement terms; money received from and paid to
    // providers (a reference once per provider and direction); each provider's exposure as
    // last computed, which the RADIUS servers read to refuse an over-limit provider's realms.
    R"sql(
ALTER TABLE settlement_providers ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE settlement_providers ADD COLUMN credit_line_micros INTEGER NOT NULL DEFAULT 0;
CREATE TABLE settlement_terms(
  policy INTEGER NOT NULL,
  payment_days INTEGER NOT NULL,
  payout_days INTEGER NOT NULL);
INSERT INTO settlement_terms VALUES(0, 15, 30);
CREATE TABLE settlement_money(
  id INTEGER PRIMARY KEY,
  direction INTEGER NOT NULL,
  provider TEXT NOT NULL REFERENCES settlement_providers(id),
  amount_micros INTEGER NOT NULL,
  unix INTEGER NOT NULL,
  reference TEXT NOT NULL,
  UNIQUE(direction, provider, reference));
CREATE TABLE settlement_exposure(
  provider TEXT PRIMARY KEY REFERENCES settlement_providers(id),
  balance_micros INTEGER NOT NULL,
  open_net_micros INTEGER NOT NULL,
  credit_line_micros INTEGER NOT NULL,
  available_micros INTEGER NOT NULL,
  refused INTEGER NOT NULL,
  computed_unix INTEGER NOT NULL);
)sql",
};
constexpr int latest = static_cast<int>(std::size(steps));

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw StoreError("sqlite schema: " + why);
  }
}

int read_version(sqlite3* db) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &s, nullptr) != SQLITE_OK)
    throw StoreError(std::string("sqlite schema: ") + sqlite3_errmsg(db));
  const int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  sqlite3_finalize(s);
  return v;
}

}  // namespace

int latest_schema_version() { return latest; }

int migrate_schema(sqlite3* db) {
  for (;;) {
    // BEGIN IMMEDIATE: two processes opening a new store at once migrate it one after the other.
    exec(db, "BEGIN IMMEDIATE");
    exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)");
    const int version = read_version(db);
    if (version > latest) {
      exec(db, "ROLLBACK");
      throw StoreError("the store is at schema version " + std::to_string(version) +
                       ", newer than this build knows (" + std::to_string(latest) +
                       "): run a newer gatemeter");
    }
    if (version == latest) {
      exec(db, "COMMIT");
      return version;
    }
    exec(db, steps[version]);
    exec(db, "DELETE FROM schema_version");
    exec(db, ("INSERT INTO schema_version(version) VALUES(" + std::to_string(version + 1) + ")")
                 .c_str());
    exec(db, "COMMIT");
  }
}

}  // namespace gm::host::sqlite
