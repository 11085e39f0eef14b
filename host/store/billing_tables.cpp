#include "host/store/billing_tables.h"

#include <algorithm>
#include <cstdint>

#include "host/store/command_row.h"
#include "host/store/session_link.h"

namespace gm::host {

namespace {

constexpr const char* account_columns =
    "SELECT id, name, kind, plan, time_zone, balance_micros, low_balance_micros, at_zero, "
    "enabled, created_unix FROM accounts ";

// The version bump_version() just raised, inside the same transaction. From that bump to the
// commit both databases keep every other writer of the catalog row waiting (PostgreSQL its row
// lock, SQLite its write lock), so accounts commit in the order of their versions, and a node
// that has read version V sees every account stamped V or below.
constexpr const char* current_version = "(SELECT version FROM billing_catalog)";

AccountRow account_of(const sql::Row& r) {
  AccountRow a;
  a.id = r.i64(0);
  a.name = r.text(1);
  a.kind = static_cast<AccountKind>(r.i64(2));
  a.plan = r.text(3);
  a.time_zone = r.text(4);
  a.balance_micros = r.i64(5);
  a.low_balance_micros = r.i64(6);
  a.at_zero = static_cast<AtZero>(r.i64(7));
  a.enabled = r.i64(8) != 0;
  a.created_unix = r.i64(9);
  return a;
}

// Both databases order text their own way (PostgreSQL by collation): sort here, bytewise.
template <typename T, typename Key>
std::vector<T> sorted(std::vector<T> v, Key key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  return v;
}

}  // namespace

// ---- accounts ----

int64_t BillingTables::add_account(const AccountRow& a) {
  int64_t id = 0;
  try {
    db_.write([&] {
      bump_version();  // each node's copy learns the account's plan and time zone
      id = db_.query("INSERT INTO accounts(name, kind, plan, time_zone, balance_micros, "
                     "low_balance_micros, at_zero, enabled, created_unix, catalog_version) "
                     "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, " +
                         std::string(current_version) + ") RETURNING id",
                     {a.name, int64_t{static_cast<int32_t>(a.kind)}, a.plan, a.time_zone,
                      a.balance_micros, a.low_balance_micros,
                      int64_t{static_cast<int32_t>(a.at_zero)}, int64_t{a.enabled ? 1 : 0},
                      a.created_unix})
               .at(0)
               .i64(0);
    });
  } catch (const StoreError& e) {
    if (db_.unique_violation(e)) throw BillingConflict("account " + a.name + " exists already");
    throw;
  }
  return id;
}

void BillingTables::update_account(const AccountRow& a) {
  db_.write([&] {
    bump_version();  // plan and time zone choose rates: every node's copy must know
    const int64_t changed =
        db_.run("UPDATE accounts SET kind = $2, plan = $3, time_zone = $4, "
                "low_balance_micros = $5, at_zero = $6, enabled = $7, catalog_version = " +
                    std::string(current_version) + " WHERE name = $1",
                {a.name, int64_t{static_cast<int32_t>(a.kind)}, a.plan, a.time_zone,
                 a.low_balance_micros, int64_t{static_cast<int32_t>(a.at_zero)},
                 int64_t{a.enabled ? 1 : 0}});
    if (changed == 0) throw BillingConflict("no account " + a.name);
  });
}

std::optional<AccountRow> BillingTables::find_account(const std::string& name) {
  const auto rows = db_.query(std::string(account_columns) + "WHERE name = $1", {name});
  if (rows.empty()) return std::nullopt;
  return account_of(rows[0]);
}

std::vector<AccountRow> BillingTables::list_accounts() {
  std::vector<AccountRow> out;
  for (const sql::Row& r : db_.query(account_columns)) out.push_back(account_of(r));
  return sorted(std::move(out), [](const AccountRow& a) { return a.name; });
}

std::vector<AccountTerms> BillingTables::accounts_changed_since(int64_t version) {
  std::vector<AccountTerms> out;
  for (const sql::Row& r :
       db_.query("SELECT id, kind, plan, time_zone, catalog_version FROM accounts "
                 "WHERE catalog_version > $1 ORDER BY id",
                 {version}))
    out.push_back({r.i64(0), static_cast<AccountKind>(r.i64(1)), r.text(2), r.text(3), r.i64(4)});
  return out;
}

void BillingTables::add_subscriber(const SubscriberRow& s) {
  db_.write([&] {
    const auto account = db_.query("SELECT id FROM accounts WHERE name = $1", {s.account});
    if (account.empty()) throw BillingConflict("no account " + s.account);
    const auto held = db_.query(
        "SELECT a.name FROM subscribers s JOIN accounts a ON a.id = s.account WHERE s.name = $1",
        {s.name});
    if (!held.empty()) {
      if (held[0].text(0) == s.account) return;  // already so
      throw BillingConflict("subscriber " + s.name + " belongs to account " + held[0].text(0));
    }
    db_.run("INSERT INTO subscribers(name, account) VALUES($1, $2)", {s.name, account[0].i64(0)});
  });
}

bool BillingTables::remove_subscriber(const std::string& name) {
  int64_t removed = 0;
  db_.write([&] { removed = db_.run("DELETE FROM subscribers WHERE name = $1", {name}); });
  return removed != 0;
}

bool BillingTables::set_subscriber_password(const std::string& name, const std::string& hash) {
  int64_t changed = 0;
  db_.write([&] {
    changed = db_.run("UPDATE subscribers SET password_hash = $1 WHERE name = $2", {hash, name});
  });
  return changed != 0;
}

std::string BillingTables::subscriber_password_hash(const std::string& name) {
  const auto rows = db_.query("SELECT password_hash FROM subscribers WHERE name = $1", {name});
  return rows.empty() ? "" : rows[0].text(0);
}

std::optional<SubscriberRow> BillingTables::find_subscriber(const std::string& name) {
  const auto rows = db_.query(
      "SELECT s.name, a.name FROM subscribers s JOIN accounts a ON a.id = s.account "
      "WHERE s.name = $1",
      {name});
  if (rows.empty()) return std::nullopt;
  return SubscriberRow{rows[0].text(0), rows[0].text(1)};
}

std::vector<SubscriberRow> BillingTables::list_subscribers() {
  std::vector<SubscriberRow> out;
  for (const sql::Row& r :
       db_.query("SELECT s.name, a.name FROM subscribers s JOIN accounts a ON a.id = s.account"))
    out.push_back({r.text(0), r.text(1)});
  return sorted(std::move(out), [](const SubscriberRow& s) { return s.name; });
}

TopUpResult BillingTables::top_up(const std::string& key, const std::string& account,
                                  int64_t amount, int64_t now) {
  if (key.empty()) throw BillingConflict("a top-up needs an idempotency key");
  if (amount <= 0) throw BillingConflict("a top-up must be above zero");
  TopUpResult result;
  db_.write([&] {
    const auto acct = db_.query("SELECT id FROM accounts WHERE name = $1", {account});
    if (acct.empty()) throw BillingConflict("no account " + account);
    const int64_t id = acct[0].i64(0);
    const auto seen = db_.query(
        "SELECT account, amount_micros, balance_after_micros FROM top_ups WHERE key = $1", {key});
    if (!seen.empty()) {
      if (seen[0].i64(0) != id || seen[0].i64(1) != amount)
        throw BillingConflict("top-up key " + key + " was used for another account or amount");
      result = {TopUpOutcome::repeated, seen[0].i64(2)};
      return;
    }
    // The balance moves in the same statement that reads it: a debit committing beside this
    // waits for the row, and neither is lost.
    const int64_t balance =
        db_.query("UPDATE accounts SET balance_micros = balance_micros + $2 WHERE id = $1 "
                  "RETURNING balance_micros",
                  {id, amount})
            .at(0)
            .i64(0);
    db_.run("INSERT INTO top_ups(key, account, amount_micros, balance_after_micros, created_unix) "
            "VALUES($1, $2, $3, $4, $5)",
            {key, id, amount, balance, now});
    result = {TopUpOutcome::applied, balance};
  });
  return result;
}

std::vector<ChargedLine> BillingTables::charged_lines(const std::string& account, int64_t from,
                                                     int64_t to) {
  const auto acct = db_.query("SELECT id FROM accounts WHERE name = $1", {account});
  if (acct.empty()) throw BillingConflict("no account " + account);
  // Closed lines, then each session's current line (line 0: never charged, left out).
  const std::string sessions =
      "FROM subscriber_sessions s JOIN agents a ON a.id = s.agent "
      "WHERE s.account = $1 AND s.start_unix >= $2 AND s.start_unix < $3";
  std::vector<ChargedLine> out;
  auto read = [&](const std::string& sql) {
    for (const sql::Row& r : db_.query(sql, {acct[0].i64(0), from, to})) {
      ChargedLine l;
      l.agent_id = r.text(0);
      l.session_id = static_cast<uint64_t>(r.i64(1));
      l.subscriber = r.text(2);
      l.service = r.text(3);
      l.start_unix = r.i64(4);
      l.line = static_cast<uint32_t>(r.i64(5));
      l.rate = r.i64(6);
      l.units = static_cast<uint64_t>(r.i64(7));
      l.amount_micros = r.i64(8);
      l.unit = r.text(9);
      l.price_micros = r.i64(10);
      out.push_back(std::move(l));
    }
  };
  read("SELECT a.agent_id, s.session_id, s.subscriber, s.service, s.start_unix, c.line, c.rate, "
       "c.units, c.amount_micros, r.unit, r.price_micros "
       "FROM charge_lines c JOIN subscriber_sessions s ON s.agent = c.agent AND "
       "s.session_id = c.session_id JOIN agents a ON a.id = s.agent JOIN rates r ON r.id = c.rate "
       "WHERE s.account = $1 AND s.start_unix >= $2 AND s.start_unix < $3");
  read("SELECT a.agent_id, s.session_id, s.subscriber, s.service, s.start_unix, s.line, "
       "s.line_rate, s.line_units, s.line_amount_micros, r.unit, r.price_micros " +
       sessions.substr(0, sessions.find(" WHERE")) +
       " JOIN rates r ON r.id = s.line_rate" + sessions.substr(sessions.find(" WHERE")) +
       " AND s.line <> 0");
  std::sort(out.begin(), out.end(), [](const ChargedLine& a, const ChargedLine& b) {
    if (a.start_unix != b.start_unix) return a.start_unix < b.start_unix;
    if (a.agent_id != b.agent_id) return a.agent_id < b.agent_id;
    if (a.session_id != b.session_id) return a.session_id < b.session_id;
    return a.line < b.line;
  });
  return out;
}

// ---- catalog ----

void BillingTables::bump_version() {
  db_.run("UPDATE billing_catalog SET version = version + 1");
}

void BillingTables::set_time_bands(const std::string& text) {
  db_.write([&] {
    db_.run("UPDATE billing_catalog SET time_bands = $1", {text});
    bump_version();
  });
}

std::string BillingTables::time_bands() {
  return db_.query("SELECT time_bands FROM billing_catalog").at(0).text(0);
}

int64_t BillingTables::catalog_version() {
  return db_.query("SELECT version FROM billing_catalog").at(0).i64(0);
}

int64_t BillingTables::add_rate(const RateRow& r) {
  int64_t id = 0;
  db_.write([&] {
    const auto same = db_.query(
        "SELECT id FROM rates WHERE plan = $1 AND service_type = $2 AND band = $3 AND zone = $4 "
        "AND provider = $5 AND effective_from_unix = $6",
        {r.plan, r.service_type, r.band, r.zone, r.provider, r.effective_from_unix});
    if (!same.empty())
      throw BillingConflict("rate " + std::to_string(same[0].i64(0)) +
                            " has the same plan, service type, band, zone, provider and start");
    id = db_.query("INSERT INTO rates(plan, service_type, band, zone, provider, unit, "
                   "price_micros, increment, minimum_micros, effective_from_unix, created_unix) "
                   "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                   {r.plan, r.service_type, r.band, r.zone, r.provider, r.unit, r.price_micros,
                    r.increment, r.minimum_micros, r.effective_from_unix, r.created_unix})
             .at(0)
             .i64(0);
    bump_version();
  });
  return id;
}

std::vector<RateRow> BillingTables::list_rates() {
  std::vector<RateRow> out;
  for (const sql::Row& r :
       db_.query("SELECT id, plan, service_type, band, zone, provider, unit, price_micros, "
                 "increment, minimum_micros, effective_from_unix, created_unix FROM rates "
                 "ORDER BY id")) {
    RateRow x;
    x.id = r.i64(0);
    x.plan = r.text(1);
    x.service_type = r.text(2);
    x.band = r.text(3);
    x.zone = r.text(4);
    x.provider = r.text(5);
    x.unit = r.text(6);
    x.price_micros = r.i64(7);
    x.increment = r.i64(8);
    x.minimum_micros = r.i64(9);
    x.effective_from_unix = r.i64(10);
    x.created_unix = r.i64(11);
    out.push_back(std::move(x));
  }
  return out;
}

void BillingTables::set_service(const ServiceRow& s) {
  db_.write([&] {
    db_.run("INSERT INTO services(name, service_type) VALUES($1, $2) ON CONFLICT(name) DO "
            "UPDATE SET service_type = excluded.service_type",
            {s.name, s.service_type});
    bump_version();
  });
}

std::vector<ServiceRow> BillingTables::list_services() {
  std::vector<ServiceRow> out;
  for (const sql::Row& r : db_.query("SELECT name, service_type FROM services"))
    out.push_back({r.text(0), r.text(1)});
  return sorted(std::move(out), [](const ServiceRow& s) { return s.name; });
}

void BillingTables::set_realm(const RealmRow& r) {
  db_.write([&] {
    db_.run("INSERT INTO realms(name, provider, outage_policy, approval_url, temporary_s) "
            "VALUES($1, $2, $3, $4, $5) ON CONFLICT(name) DO UPDATE SET "
            "provider = excluded.provider, outage_policy = excluded.outage_policy, "
            "approval_url = excluded.approval_url, temporary_s = excluded.temporary_s",
            {r.name, r.provider, int64_t{r.outage_policy}, r.approval_url, r.temporary_s});
    bump_version();
  });
}

std::vector<RealmRow> BillingTables::list_realms() {
  std::vector<RealmRow> out;
  for (const sql::Row& r :
       db_.query("SELECT name, provider, outage_policy, approval_url, temporary_s FROM realms"))
    out.push_back({r.text(0), r.text(1), static_cast<int32_t>(r.i64(2)), r.text(3), r.i64(4)});
  return sorted(std::move(out), [](const RealmRow& r) { return r.name; });
}

void BillingTables::set_offer(const OfferRow& o) {
  db_.write([&] {
    db_.run("INSERT INTO offers(scope, option, label, terms) VALUES($1, $2, $3, $4) "
            "ON CONFLICT(scope, option) DO UPDATE SET label = excluded.label, "
            "terms = excluded.terms",
            {o.scope, int64_t{o.option}, o.label, o.terms});
    bump_version();
  });
}

bool BillingTables::remove_offer(const std::string& scope, int32_t option) {
  int64_t removed = 0;
  db_.write([&] {
    removed = db_.run("DELETE FROM offers WHERE scope = $1 AND option = $2", {scope, int64_t{option}});
    if (removed != 0) bump_version();
  });
  return removed != 0;
}

std::vector<OfferRow> BillingTables::list_offers() {
  std::vector<OfferRow> out;
  for (const sql::Row& r : db_.query("SELECT scope, option, label, terms FROM offers"))
    out.push_back({r.text(0), static_cast<int32_t>(r.i64(1)), r.text(2), r.text(3)});
  std::sort(out.begin(), out.end(), [](const OfferRow& a, const OfferRow& b) {
    return a.scope != b.scope ? a.scope < b.scope : a.option < b.option;
  });
  return out;
}

void BillingTables::set_zone(const ZoneRow& z) {
  db_.write([&] {
    const auto agent = db_.query("SELECT id FROM agents WHERE agent_id = $1", {z.agent_id});
    if (agent.empty()) throw BillingConflict("no agent " + z.agent_id);
    db_.run("INSERT INTO gateway_zones(agent, zone) VALUES($1, $2) ON CONFLICT(agent) DO "
            "UPDATE SET zone = excluded.zone",
            {agent[0].i64(0), z.zone});
    bump_version();
  });
}

std::vector<ZoneRow> BillingTables::list_zones() {
  std::vector<ZoneRow> out;
  for (const sql::Row& r : db_.query("SELECT a.agent_id, z.zone, z.agent FROM gateway_zones z "
                                     "JOIN agents a ON a.id = z.agent"))
    out.push_back({r.text(0), r.text(1), r.i64(2)});
  return sorted(std::move(out), [](const ZoneRow& z) { return z.agent_id; });
}

// ---- authorisations ----

void BillingTables::link_session(const SessionLink& l, int64_t now) {
  db_.write([&] { link_in_transaction(l, now); });
}

void BillingTables::link_in_transaction(const SessionLink& l, int64_t now) {
  link_session_in(db_, l, now);
}

namespace {

constexpr const char* authorisation_columns =
    "SELECT agent, session_id, account, subscriber, option, address, request, response, "
    "decision, granted_micros, remote, temporary_until_unix, live, created_unix, updated_unix, "
    "final_grant FROM authorisations ";

StoredAuthorisation authorisation_of(const sql::Row& r) {
  StoredAuthorisation a;
  a.agent = r.i64(0);
  a.session_id = static_cast<uint64_t>(r.i64(1));
  a.account = r.i64(2);
  a.subscriber = r.text(3);
  a.option = static_cast<int32_t>(r.i64(4));
  a.address = r.text(5);
  a.request = static_cast<uint32_t>(r.i64(6));
  a.response = r.bytes(7);
  a.decision = static_cast<int32_t>(r.i64(8));
  a.granted_micros = r.i64(9);
  a.remote = static_cast<int32_t>(r.i64(10));
  a.temporary_until_unix = r.i64(11);
  a.live = r.i64(12) != 0;
  a.created_unix = r.i64(13);
  a.updated_unix = r.i64(14);
  a.final_grant = r.i64(15) != 0;
  return a;
}

}  // namespace

std::optional<AuthorisationWrite> BillingTables::authorise(
    const AuthorisationLookup& k,
    const std::function<std::optional<AuthorisationWrite>(const AuthorisationRead&)>& decide,
    int64_t now) {
  std::optional<AuthorisationWrite> out;
  db_.write([&] { out = authorise_in_transaction(k, decide, now); });
  return out;
}

std::vector<std::optional<AuthorisationWrite>> BillingTables::authorise_all(
    const std::vector<AuthorisationLookup>& lookups,
    const std::function<std::optional<AuthorisationWrite>(size_t, const AuthorisationRead&)>&
        decide,
    int64_t now) {
  std::vector<std::optional<AuthorisationWrite>> out;
  db_.write([&] {
    out.assign(lookups.size(), std::nullopt);  // afresh if PostgreSQL runs the body again
    for (size_t i = 0; i < lookups.size(); ++i)
      out[i] = authorise_in_transaction(
          lookups[i], [&](const AuthorisationRead& read) { return decide(i, read); }, now);
  });
  return out;
}

std::optional<AuthorisationWrite> BillingTables::authorise_in_transaction(
    const AuthorisationLookup& k,
    const std::function<std::optional<AuthorisationWrite>(const AuthorisationRead&)>& decide,
    int64_t now) {
  std::optional<AuthorisationWrite> out;
  const int64_t session = static_cast<int64_t>(k.session_id);
  {
    AuthorisationRead read;
    // 1. Which account: the session's own once it has one, else the one named, else the
    //    subscriber's. Where writers are serialised (SQLite) the stored row read here stays
    //    as read until the commit, so it is read once; elsewhere again, under the lock.
    int64_t account = 0;
    const bool serialised = db_.serialised_writers();
    const auto held =
        serialised ? db_.query(std::string(authorisation_columns) +
                                   "WHERE agent = $1 AND session_id = $2",
                               {k.agent, session})
                   : db_.query("SELECT account FROM authorisations WHERE agent = $1 AND "
                               "session_id = $2",
                               {k.agent, session});
    if (!held.empty()) account = held[0].i64(serialised ? 2 : 0);
    // 2. Lock it: every transaction that sizes a grant from this account's money waits here
    //    for the one before it to commit (the census's debit too). A named account is found
    //    and locked by one statement.
    std::vector<sql::Row> row;
    if (account == 0 && !k.account.empty()) {
      row = db_.query(std::string(account_columns) + "WHERE name = $1" + db_.for_update(),
                      {k.account});
    } else {
      if (account == 0 && !k.subscriber.empty()) {
        const auto owner =
            db_.query("SELECT account FROM subscribers WHERE name = $1", {k.subscriber});
        if (!owner.empty()) account = owner[0].i64(0);
      }
      if (account != 0)
        row = db_.query(std::string(account_columns) + "WHERE id = $1" + db_.for_update(),
                        {account});
    }
    if (!row.empty()) read.account = account_of(row[0]);
    // 3. Read under the lock: the stored answer (idempotence), the others' holdings, the usage.
    if (serialised) {
      if (!held.empty()) read.stored = authorisation_of(held[0]);
    } else {
      const auto stored = db_.query(std::string(authorisation_columns) +
                                        "WHERE agent = $1 AND session_id = $2" + db_.for_update(),
                                    {k.agent, session});
      if (!stored.empty()) read.stored = authorisation_of(stored[0]);
    }
    read.agent_id = k.agent_id;
    if (read.agent_id.empty()) {
      const auto agent = db_.query("SELECT agent_id FROM agents WHERE id = $1", {k.agent});
      if (!agent.empty()) read.agent_id = agent[0].text(0);
    }
    if (read.account) {
      for (const sql::Row& r : db_.query(
               "SELECT a.agent, a.session_id, a.granted_micros, COALESCE(s.amount_micros, 0) "
               "FROM authorisations a LEFT JOIN subscriber_sessions s ON s.agent = a.agent AND "
               "s.session_id = a.session_id WHERE a.live = 1 AND a.account = $1",
               {read.account->id})) {
        LiveReservation x{r.i64(0), static_cast<uint64_t>(r.i64(1)), r.i64(2), r.i64(3)};
        if (x.agent == k.agent && x.session_id == k.session_id) continue;
        read.others.push_back(x);
      }
    }
    const auto usage = db_.query(
        "SELECT service, charged_s, octets_in + octets_out, amount_micros, line_rate, line_units, "
        "state FROM subscriber_sessions WHERE agent = $1 AND session_id = $2",
        {k.agent, session});
    if (!usage.empty()) {
      const sql::Row& u = usage[0];
      read.usage = {u.text(0),  static_cast<uint64_t>(u.i64(1)), static_cast<uint64_t>(u.i64(2)),
                    u.i64(3),   u.i64(4),
                    static_cast<uint64_t>(u.i64(5)), u.i64(6) != 0};
    }

    // 4. Decide, and write what was decided in the same transaction.
    out = decide(read);
    if (!out) return out;
    const StoredAuthorisation& a = out->authorisation;
    db_.run("INSERT INTO authorisations(agent, session_id, account, subscriber, option, address, "
            "request, response, decision, granted_micros, remote, temporary_until_unix, live, "
            "created_unix, updated_unix, final_grant) "
            "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) "
            "ON CONFLICT(agent, session_id) DO UPDATE SET account = excluded.account, "
            "subscriber = excluded.subscriber, option = excluded.option, "
            "address = excluded.address, request = excluded.request, "
            "response = excluded.response, decision = excluded.decision, "
            "granted_micros = excluded.granted_micros, remote = excluded.remote, "
            "temporary_until_unix = excluded.temporary_until_unix, live = excluded.live, "
            "updated_unix = excluded.updated_unix, final_grant = excluded.final_grant",
            {k.agent, session, a.account, a.subscriber, int64_t{a.option}, a.address,
             int64_t{a.request}, sql::Bytes(a.response), int64_t{a.decision}, a.granted_micros,
             int64_t{a.remote}, a.temporary_until_unix, int64_t{a.live ? 1 : 0}, now,
             int64_t{a.live && a.final_grant ? 1 : 0}});
    if (out->link) link_in_transaction(*out->link, now);
    if (out->command) insert_command(db_, k.agent, *out->command, now);
  }
  return out;
}

std::optional<StoredAuthorisation> BillingTables::find_authorisation(int64_t agent,
                                                                     uint64_t session_id) {
  const auto rows = db_.query(std::string(authorisation_columns) +
                                  "WHERE agent = $1 AND session_id = $2",
                              {agent, static_cast<int64_t>(session_id)});
  if (rows.empty()) return std::nullopt;
  return authorisation_of(rows[0]);
}

std::vector<StoredAuthorisation> BillingTables::live_authorisations(int64_t account) {
  std::vector<StoredAuthorisation> out;
  const auto rows =
      account == 0 ? db_.query(std::string(authorisation_columns) +
                               "WHERE live = 1 AND account <> 0 ORDER BY account, agent, session_id")
                   : db_.query(std::string(authorisation_columns) +
                                   "WHERE live = 1 AND account = $1 ORDER BY agent, session_id",
                               {account});
  for (const sql::Row& r : rows) out.push_back(authorisation_of(r));
  return out;
}

std::vector<StoredAuthorisation> BillingTables::final_grants() {
  std::vector<StoredAuthorisation> out;
  for (const sql::Row& r :
       db_.query(std::string(authorisation_columns) +
                 "WHERE live = 1 AND final_grant = 1 ORDER BY account, agent, session_id"))
    out.push_back(authorisation_of(r));
  return out;
}

std::vector<StoredAuthorisation> BillingTables::pending_inquiries(size_t limit) {
  std::vector<StoredAuthorisation> out;
  for (const sql::Row& r : db_.query(std::string(authorisation_columns) +
                                         "WHERE remote = 1 ORDER BY temporary_until_unix, agent, "
                                         "session_id LIMIT $1",
                                     {static_cast<int64_t>(limit)}))
    out.push_back(authorisation_of(r));
  return out;
}

bool BillingTables::end_authorisation(int64_t agent, uint64_t session_id, int64_t now) {
  int64_t changed = 0;
  db_.write([&] {
    changed = db_.run("UPDATE authorisations SET live = 0, updated_unix = $3 "
                      "WHERE agent = $1 AND session_id = $2 AND live = 1",
                      {agent, static_cast<int64_t>(session_id), now});
  });
  return changed != 0;
}

std::vector<GatewayPresence> BillingTables::presence() {
  std::vector<GatewayPresence> out;
  for (const sql::Row& r : db_.query("SELECT a.agent_id, p.last_seen_unix, p.lost_unix "
                                     "FROM presence p JOIN agents a ON a.id = p.agent"))
    out.push_back({r.text(0), r.i64(1), r.i64(2)});
  return sorted(std::move(out), [](const GatewayPresence& p) { return p.agent_id; });
}

// ---- feed ----

namespace {
const char* feed_column(FeedSink sink) {
  return sink == FeedSink::file ? "written_unix" : "posted_unix";
}
const char* sink_name(FeedSink sink) {
  return sink == FeedSink::file ? "file" : "webhook";
}
}  // namespace

std::vector<FeedEvent> BillingTables::undelivered(FeedSink sink, size_t limit) {
  std::vector<FeedEvent> out;
  for (const sql::Row& r :
       db_.query(std::string("SELECT f.id, a.agent_id, f.session_id, f.event, f.created_unix "
                             "FROM feed f JOIN agents a ON a.id = f.agent WHERE f.") +
                     feed_column(sink) + " = 0 ORDER BY f.id LIMIT $1",
                 {static_cast<int64_t>(limit)}))
    out.push_back({r.i64(0), r.text(1), static_cast<uint64_t>(r.i64(2)), r.text(3), r.i64(4)});
  return out;
}

void BillingTables::mark_delivered(FeedSink sink, const std::vector<int64_t>& ids, int64_t now) {
  if (ids.empty()) return;
  db_.write([&] {
    for (int64_t id : ids)
      db_.run(std::string("UPDATE feed SET ") + feed_column(sink) + " = $2 WHERE id = $1",
              {id, now});
  });
}

int64_t BillingTables::backlog(FeedSink sink) {
  return db_.query(std::string("SELECT count(*) FROM feed WHERE ") + feed_column(sink) + " = 0")
      .at(0)
      .i64(0);
}

FeedLease BillingTables::lease(FeedSink sink) {
  const auto rows =
      db_.query("SELECT holder, expires_unix FROM feed_lease WHERE sink = $1", {sink_name(sink)});
  if (rows.empty()) throw StoreError(std::string("no feed_lease row for ") + sink_name(sink));
  return {rows[0].text(0), rows[0].i64(1)};
}

bool BillingTables::swap_lease(FeedSink sink, const FeedLease& expected, const FeedLease& next) {
  int64_t changed = 0;
  db_.write([&] {
    changed = db_.run("UPDATE feed_lease SET holder = $4, expires_unix = $5 "
                      "WHERE sink = $1 AND holder = $2 AND expires_unix = $3",
                      {sink_name(sink), expected.holder, expected.expires_unix, next.holder,
                       next.expires_unix});
  });
  return changed == 1;
}

int64_t BillingTables::prune(int64_t created_before, int64_t in_use_since, size_t scan) {
  int64_t deleted = 0;
  db_.write([&] {
    const auto in_use = [&](FeedSink sink) -> int64_t {
      const FeedLease l = lease(sink);
      return !l.holder.empty() || l.expires_unix >= in_use_since ? 1 : 0;
    };
    deleted = db_.run(
        "DELETE FROM feed WHERE id IN (SELECT o.id FROM (SELECT id, created_unix, written_unix, "
        "posted_unix FROM feed ORDER BY id LIMIT $4) o WHERE o.created_unix < $1 "
        "AND (o.written_unix <> 0 OR $2 = 0) AND (o.posted_unix <> 0 OR $3 = 0))",
        {created_before, in_use(FeedSink::file), in_use(FeedSink::webhook),
         static_cast<int64_t>(scan)});
  });
  return deleted;
}

// ---- the service manager ----

namespace {

// One row per open session, with its agent's name, its authorisation's address, its account,
// its service's type and its current line's rate: primary-key look-ups from the session row.
constexpr const char* active_columns =
    "SELECT a.agent_id, s.session_id, s.subscriber, s.realm, s.service, "
    "COALESCE(sv.service_type, 'data'), s.billing, COALESCE(au.address, ''), "
    "COALESCE(ac.name, ''), COALESCE(ac.balance_micros, 0), s.start_unix, s.updated_unix, "
    "s.charged_s, s.free_s, s.octets_in, s.octets_out, s.amount_micros, s.line_rate, "
    "COALESCE(r.unit, ''), COALESCE(r.price_micros, 0) "
    "FROM subscriber_sessions s JOIN agents a ON a.id = s.agent "
    "LEFT JOIN authorisations au ON au.agent = s.agent AND au.session_id = s.session_id "
    "LEFT JOIN accounts ac ON ac.id = s.account AND s.account <> 0 "
    "LEFT JOIN services sv ON sv.name = s.service "
    "LEFT JOIN rates r ON r.id = s.line_rate AND s.line_rate <> 0 "
    "WHERE s.state = 0 ";

ActiveSession active_of(const sql::Row& r) {
  ActiveSession a;
  a.agent_id = r.text(0);
  a.session_id = static_cast<uint64_t>(r.i64(1));
  a.subscriber = r.text(2);
  a.realm = r.text(3);
  a.service = r.text(4);
  a.service_type = r.text(5);
  a.billing = static_cast<int32_t>(r.i64(6));
  a.address = r.text(7);
  a.account = r.text(8);
  a.balance_micros = r.i64(9);
  a.start_unix = r.i64(10);
  a.updated_unix = r.i64(11);
  a.charged_s = static_cast<uint64_t>(r.i64(12));
  a.free_s = static_cast<uint64_t>(r.i64(13));
  a.octets_in = static_cast<uint64_t>(r.i64(14));
  a.octets_out = static_cast<uint64_t>(r.i64(15));
  a.amount_micros = r.i64(16);
  a.rate_id = r.i64(17);
  a.rate_unit = r.text(18);
  a.rate_price_micros = r.i64(19);
  return a;
}

}  // namespace

std::vector<ActiveSession> BillingTables::active_sessions(const std::optional<SessionKey>& after,
                                                          size_t limit) {
  // Paged by the primary key (agent, session_id) from the key after which the page starts:
  // each page is a range scan of the key, never a sort of every open session. Session ids
  // compare as the signed 64-bit values both databases store.
  int64_t agent = 0, session = INT64_MIN;
  if (after) {
    const auto found = db_.query("SELECT id FROM agents WHERE agent_id = $1", {after->agent_id});
    if (found.empty()) return {};
    agent = found[0].i64(0);
    session = static_cast<int64_t>(after->session_id);
  }
  std::vector<ActiveSession> out;
  for (const sql::Row& r :
       db_.query(std::string(active_columns) +
                     "AND (s.agent, s.session_id) > ($1, $2) "
                     "ORDER BY s.agent, s.session_id LIMIT $3",
                 {agent, session, static_cast<int64_t>(limit)}))
    out.push_back(active_of(r));
  return out;
}

std::optional<ActiveSession> BillingTables::active_session(const SessionKey& key) {
  const auto rows = db_.query(std::string(active_columns) + "AND a.agent_id = $1 AND s.session_id = $2",
                              {key.agent_id, static_cast<int64_t>(key.session_id)});
  if (rows.empty()) return std::nullopt;
  return active_of(rows[0]);
}

std::vector<ActiveSession> BillingTables::account_sessions(const std::string& account,
                                                           size_t limit) {
  // From the account's live authorisations (authorisations_live), each session by its key.
  std::vector<ActiveSession> out;
  for (const sql::Row& r :
       db_.query(std::string(active_columns) +
                     "AND s.account = (SELECT id FROM accounts WHERE name = $1) "
                     "AND (s.agent, s.session_id) IN (SELECT agent, session_id FROM "
                     "authorisations WHERE live = 1 AND account = "
                     "(SELECT id FROM accounts WHERE name = $1)) "
                     "ORDER BY s.agent, s.session_id LIMIT $2",
                 {account, static_cast<int64_t>(limit)}))
    out.push_back(active_of(r));
  return out;
}

}  // namespace gm::host
