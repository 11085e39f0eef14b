#include "host/store/settlement_tables.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "host/store/billing_types.h"

namespace gm::host {

namespace {

settlement::RawRecord raw_of(sql::Row& r) {
  settlement::RawRecord o;
  o.entry_id = r.i64(0);
  o.user_name = r.take_text(1);
  o.user_domain = r.take_text(2);
  o.status_type = r.take_text(3);
  o.session_id = r.take_text(4);
  o.session_time_s = r.i64(5);
  o.delay_time_s = r.i64(6);
  o.nas_id = r.take_text(7);
  o.local_server = r.take_text(8);
  o.home_server = r.take_text(9);
  o.stop_gmt_unix = r.i64(10);
  o.stop_local = r.take_text(11);
  o.time_zone = r.take_text(12);
  o.create_unix = r.i64(13);
  o.history_unix = r.i64(14);
  o.record_status = static_cast<int32_t>(r.i64(15));
  o.pair_status = static_cast<int32_t>(r.i64(16));
  o.refusal = r.take_text(17);
  return o;
}

settlement::HistoryRecord history_of(sql::Row& r) {
  settlement::HistoryRecord h;
  h.entry_id = r.i64(0);
  h.user = r.take_text(1);
  h.realm = r.take_text(2);
  h.service = r.take_text(3);
  h.session_id = r.take_text(4);
  h.session_time_s = static_cast<uint32_t>(r.i64(5));
  h.stop_unix = r.i64(6);
  h.stop_local = r.take_text(7);
  h.time_zone = r.take_text(8);
  h.home_provider = r.take_text(9);
  h.home_country = r.take_text(10);
  h.serving_provider = r.take_text(11);
  h.serving_country = r.take_text(12);
  h.nas_id = r.take_text(13);
  return h;
}

// "(stop, entry) > (after)" spelled out: both databases read it as one range on the index.
constexpr const char* after_key =
    "(stop > $3 OR (stop = $3 AND entry_id > $4))";

}  // namespace

void SettlementTables::set_provider(const settlement::Provider& p) {
  db_.write([&] {
    db_.run("INSERT INTO settlement_providers(id, country) VALUES($1, $2) "
            "ON CONFLICT(id) DO UPDATE SET country = excluded.country",
            {p.id, p.country});
  });
}

namespace {

// A server's or a realm's provider: both name a member, and a name no member has is refused.
void set_member_name(sql::Session& db, const char* upsert, const std::string& name,
                     const std::string& provider) {
  db.write([&] {
    if (db.query("SELECT 1 FROM settlement_providers WHERE id = $1", {provider}).empty())
      throw BillingConflict("no provider " + provider);
    db.run(upsert, {name, provider});
  });
}

}  // namespace

void SettlementTables::set_server(const std::string& server, const std::string& provider) {
  set_member_name(db_,
                  "INSERT INTO settlement_servers(server, provider) VALUES($1, $2) "
                  "ON CONFLICT(server) DO UPDATE SET provider = excluded.provider",
                  server, provider);
}

void SettlementTables::set_realm(const std::string& realm, const std::string& provider) {
  set_member_name(db_,
                  "INSERT INTO settlement_realms(realm, provider) VALUES($1, $2) "
                  "ON CONFLICT(realm) DO UPDATE SET provider = excluded.provider",
                  realm, provider);
}

settlement::ProviderDirectory SettlementTables::directory() {
  settlement::ProviderDirectory d;
  for (const sql::Row& r : db_.query("SELECT id, country FROM settlement_providers"))
    d.providers[r.text(0)] = {r.text(0), r.text(1)};
  for (const sql::Row& r : db_.query("SELECT server, provider FROM settlement_servers"))
    d.server_provider[r.text(0)] = r.text(1);
  for (const sql::Row& r : db_.query("SELECT realm, provider FROM settlement_realms"))
    d.realm_provider[r.text(0)] = r.text(1);
  return d;
}

void SettlementTables::set_provider_password(const std::string& provider,
                                             const std::string& hash) {
  db_.write([&] {
    if (db_.run("UPDATE settlement_providers SET password_hash = $2 WHERE id = $1",
                {provider, hash}) == 0)
      throw BillingConflict("no provider " + provider);
  });
}

std::optional<std::string> SettlementTables::provider_password_hash(const std::string& provider) {
  const auto rows =
      db_.query("SELECT password_hash FROM settlement_providers WHERE id = $1", {provider});
  if (rows.empty()) return std::nullopt;
  return rows[0].text(0);
}

int64_t insert_raw(sql::Session& db, const settlement::RawRecord& r, int64_t now) {
  return db
      .query("INSERT INTO settlement_raw(user_name, user_domain, status_type, session_id, "
             "session_time_s, delay_time_s, nas_id, local_server, home_server, stop, "
             "stop_local, time_zone, create_unix) "
             "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
             "RETURNING entry_id",
             {r.user_name, r.user_domain, r.status_type, r.session_id, r.session_time_s,
              r.delay_time_s, r.nas_id, r.local_server, r.home_server, r.stop_gmt_unix,
              r.stop_local, r.time_zone, now})
      .at(0)
      .i64(0);
}

std::vector<int64_t> SettlementTables::append_raw(const std::vector<settlement::RawRecord>& records,
                                                  int64_t now) {
  std::vector<int64_t> ids;
  db_.write([&] {
    ids.clear();
    for (const settlement::RawRecord& r : records) ids.push_back(insert_raw(db_, r, now));
  });
  return ids;
}

std::vector<settlement::RawRecord> SettlementTables::raw_between(int64_t from, int64_t to,
                                                                 StopKey after, size_t limit) {
  std::vector<settlement::RawRecord> out;
  for (sql::Row& r : db_.query(
           "SELECT entry_id, user_name, user_domain, status_type, session_id, session_time_s, "
           "delay_time_s, nas_id, local_server, home_server, stop, stop_local, time_zone, "
           "create_unix, history_unix, record_status, pair_status, refusal FROM settlement_raw "
           "WHERE stop >= $1 AND stop < $2 AND " +
               std::string(after_key) + " ORDER BY stop, entry_id LIMIT $5",
           {from, to, after.stop_unix, after.entry_id, static_cast<int64_t>(limit)}))
    out.push_back(raw_of(r));
  return out;
}

namespace {

// A period's verdicts are written in statements of many rows, not one each: per row, a
// statement costs more than the B-tree work it does (SQLite) or a round trip (PostgreSQL).
constexpr size_t ids_per_statement = 500;
constexpr size_t history_rows_per_statement = 64;  // x 15 columns: under either database's limit

// "$first, $first+1, ..." for n values.
std::string placeholders(size_t first, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? ", $" : "$") + std::to_string(first + i);
  return out;
}

constexpr const char* history_columns =
    "INSERT INTO settlement_history(entry_id, user_name, realm, service, session_id, "
    "session_time_s, stop, stop_local, time_zone, home_provider, home_country, "
    "serving_provider, serving_country, nas_id, late) VALUES";

std::string history_insert(size_t rows) {
  std::string sql = history_columns;
  for (size_t r = 0; r < rows; ++r) sql += (r ? ", (" : " (") + placeholders(1 + r * 15, 15) + ")";
  return sql;
}

void add_history_values(std::vector<sql::Value>& v, const CleanedRecord& c) {
  const settlement::HistoryRecord& h = *c.history;
  v.insert(v.end(), {c.entry_id, h.user, h.realm, h.service, h.session_id,
                     int64_t{h.session_time_s}, h.stop_unix, h.stop_local, h.time_zone,
                     h.home_provider, h.home_country, h.serving_provider, h.serving_country,
                     h.nas_id, int64_t{c.late ? 1 : 0}});
}

}  // namespace

void SettlementTables::record_cleaning(const std::vector<CleanedRecord>& records, int64_t now) {
  // The raw rows by verdict (most of a page shares one), the history rows to replace and to add.
  std::map<std::tuple<int32_t, std::string, bool>, std::vector<int64_t>> verdicts;
  std::vector<int64_t> replaced;
  std::vector<const CleanedRecord*> kept;
  for (const CleanedRecord& c : records) {
    verdicts[{static_cast<int32_t>(c.status), c.refusal, c.history.has_value()}].push_back(
        c.entry_id);
    if (c.had_history) replaced.push_back(c.entry_id);
    if (c.history) kept.push_back(&c);
  }
  // `sql_head` + an IN list of `ids`, in chunks; the last chunk is padded with its own last id
  // (harmless in an IN list) so that every statement has one of two shapes.
  const auto each_in_chunks = [&](const std::string& sql_head, std::vector<sql::Value> fixed,
                                  const std::vector<int64_t>& ids) {
    for (size_t at = 0; at < ids.size(); at += ids_per_statement) {
      const size_t n = std::min(ids_per_statement, ids.size() - at);
      const size_t width = n == ids_per_statement ? ids_per_statement : (n <= 16 ? 16 : ids_per_statement);
      std::vector<sql::Value> v = fixed;
      for (size_t i = 0; i < width; ++i) v.emplace_back(ids[at + std::min(i, n - 1)]);
      db_.run(sql_head + "(" + placeholders(fixed.size() + 1, width) + ")", v);
    }
  };
  db_.write([&] {
    for (const auto& [verdict, ids] : verdicts) {
      const auto& [status, refusal, clean] = verdict;
      each_in_chunks("UPDATE settlement_raw SET record_status = $1, refusal = $2, "
                     "history_unix = $3 WHERE entry_id IN ",
                     {int64_t{status}, refusal, clean ? now : int64_t{0}}, ids);
    }
    if (!replaced.empty())
      each_in_chunks("DELETE FROM settlement_history WHERE entry_id IN ", {}, replaced);
    size_t at = 0;
    static const std::string many = history_insert(history_rows_per_statement);
    static const std::string one = history_insert(1);
    std::vector<sql::Value> v;
    for (; at + history_rows_per_statement <= kept.size(); at += history_rows_per_statement) {
      v.clear();
      for (size_t i = 0; i < history_rows_per_statement; ++i) add_history_values(v, *kept[at + i]);
      db_.run(many, v);
    }
    for (; at < kept.size(); ++at) {
      v.clear();
      add_history_values(v, *kept[at]);
      db_.run(one, v);
    }
  });
}

std::vector<settlement::HistoryRecord> SettlementTables::history_between(int64_t from, int64_t to,
                                                                         StopKey after,
                                                                         size_t limit,
                                                                         HistorySet set) {
  // Each set reads one index: (stop, entry_id), or the partial ones of schema 13.
  const char* which =
      set == HistorySet::regular    ? "stop >= $1 AND stop < $2 AND late = 0"
      : set == HistorySet::adjusted ? "adjusted_in = $1 AND stop < $2"
                                    : "late = 1 AND adjusted_in IS NULL AND stop >= $1 AND stop < $2";
  std::vector<settlement::HistoryRecord> out;
  for (sql::Row& r : db_.query(
           "SELECT entry_id, user_name, realm, service, session_id, session_time_s, stop, "
           "stop_local, time_zone, home_provider, home_country, serving_provider, "
           "serving_country, nas_id FROM settlement_history WHERE " +
               std::string(which) + " AND " + after_key + " ORDER BY stop, entry_id LIMIT $5",
           {from, to, after.stop_unix, after.entry_id, static_cast<int64_t>(limit)}))
    out.push_back(history_of(r));
  return out;
}

std::vector<int64_t> SettlementTables::undecided_stops(int64_t from, int64_t to, size_t limit) {
  std::vector<int64_t> out;
  for (const sql::Row& r : db_.query("SELECT stop FROM settlement_raw WHERE record_status IN (0, 4) "
                                     "AND stop >= $1 AND stop < $2 ORDER BY stop LIMIT $3",
                                     {from, to, static_cast<int64_t>(limit)}))
    out.push_back(r.i64(0));
  return out;
}

std::vector<ClosedPeriod> SettlementTables::closed_periods() {
  std::vector<ClosedPeriod> out;
  for (const sql::Row& r : db_.query("SELECT from_unix, to_unix, closed_unix, records, adjustments "
                                     "FROM settlement_periods ORDER BY from_unix"))
    out.push_back({r.i64(0), r.i64(1), r.i64(2), r.i64(3), r.i64(4)});
  return out;
}

void SettlementTables::close_period(const PeriodClosing& c) {
  const ClosedPeriod& p = c.period;
  db_.write([&] {
    if (!db_.query("SELECT 1 FROM settlement_periods WHERE from_unix < $2 AND to_unix > $1",
                   {p.from_unix, p.to_unix})
             .empty())
      throw BillingConflict("the period is closed already");
    // What is marked must be what was totalled: a clean between the totalling and this
    // transaction would otherwise slip a record in unreported, or report one twice.
    const int64_t own = db_.query("SELECT count(*) FROM settlement_history WHERE stop >= $1 AND "
                                  "stop < $2 AND late = 0",
                                  {p.from_unix, p.to_unix})
                            .at(0)
                            .i64(0);
    int64_t marked = db_.run("UPDATE settlement_history SET adjusted_in = $1 "
                             "WHERE late = 1 AND adjusted_in IS NULL AND stop < $1",
                             {p.from_unix});
    if (c.first)
      marked += db_.run("UPDATE settlement_history SET late = 1, adjusted_in = $1 "
                        "WHERE late = 0 AND stop < $1",
                        {p.from_unix});
    if (own != p.records || marked != p.adjustments)
      throw BillingConflict("the period's history changed while it was being closed (" +
                            std::to_string(own) + " records and " + std::to_string(marked) +
                            " adjustments now, " + std::to_string(p.records) + " and " +
                            std::to_string(p.adjustments) + " totalled); close it again");
    db_.run("INSERT INTO settlement_periods(from_unix, to_unix, closed_unix, records, "
            "adjustments) VALUES($1, $2, $3, $4, $5)",
            {p.from_unix, p.to_unix, p.closed_unix, p.records, p.adjustments});
    for (const settlement::Provider& m : c.members)
      db_.run("INSERT INTO settlement_period_members(from_unix, provider, country) "
              "VALUES($1, $2, $3)",
              {p.from_unix, m.id, m.country});
    for (const auto& [g, t] : c.totals.groups())
      db_.run("INSERT INTO settlement_period_groups(from_unix, adjustment, serving_provider, "
              "serving_country, home_provider, home_country, user_name, connections, seconds, "
              "consumer_micros, provider_micros, fee_connection_micros, fee_time_micros) "
              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
              {p.from_unix, int64_t{g.adjustment ? 1 : 0}, g.serving_provider, g.serving_country,
               g.home_provider, g.home_country, g.user, t.connections, t.seconds,
               t.consumer_micros, t.provider_micros, t.fee_connection_micros, t.fee_time_micros});
    for (const ReportChecksum& k : c.checksums)
      db_.run("INSERT INTO settlement_period_checksums(from_unix, provider, report, checksum) "
              "VALUES($1, $2, $3, $4)",
              {p.from_unix, k.provider, k.report, k.checksum});
  });
}

settlement::PeriodTotals SettlementTables::closed_totals(int64_t from) {
  settlement::PeriodTotals t;
  for (const sql::Row& r : db_.query(
           "SELECT adjustment, serving_provider, serving_country, home_provider, home_country, "
           "user_name, connections, seconds, consumer_micros, provider_micros, "
           "fee_connection_micros, fee_time_micros FROM settlement_period_groups "
           "WHERE from_unix = $1",
           {from}))
    t.add_group({r.i64(0) != 0, r.text(1), r.text(2), r.text(3), r.text(4), r.text(5)},
                {r.i64(6), r.i64(7), r.i64(8), r.i64(9), r.i64(10), r.i64(11)});
  return t;
}

std::vector<settlement::Provider> SettlementTables::closed_members(int64_t from) {
  std::vector<settlement::Provider> out;
  for (const sql::Row& r : db_.query("SELECT provider, country FROM settlement_period_members "
                                     "WHERE from_unix = $1 ORDER BY provider",
                                     {from}))
    out.push_back({r.text(0), r.text(1)});
  return out;
}

std::vector<ReportChecksum> SettlementTables::closed_checksums(int64_t from) {
  std::vector<ReportChecksum> out;
  for (const sql::Row& r : db_.query("SELECT provider, report, checksum FROM "
                                     "settlement_period_checksums WHERE from_unix = $1 "
                                     "ORDER BY provider, report",
                                     {from}))
    out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

std::vector<RawStatusCount> SettlementTables::raw_counts(int64_t from, int64_t to) {
  std::vector<RawStatusCount> out;
  for (const sql::Row& r : db_.query(
           "SELECT record_status, refusal, count(*) FROM settlement_raw "
           "WHERE stop >= $1 AND stop < $2 GROUP BY record_status, refusal "
           "ORDER BY record_status, refusal",
           {from, to}))
    out.push_back({static_cast<settlement::RecordStatus>(r.i64(0)), r.text(1), r.i64(2)});
  return out;
}

settlement::Tariffs SettlementTables::tariffs() {
  settlement::Tariffs t;
  for (const sql::Row& r : db_.query(
           "SELECT id, side, serving_country, serving_provider, home_provider, from_s, to_s, "
           "first_date, last_date, weekdays, price_per_minute FROM settlement_rules ORDER BY id")) {
    settlement::SettlementRule u;
    u.id = r.text(0);
    u.side = static_cast<settlement::Side>(r.i64(1));
    u.serving_country = r.text(2);
    u.serving_provider = r.text(3);
    u.home_provider = r.text(4);
    u.from_s = static_cast<int32_t>(r.i64(5));
    u.to_s = static_cast<int32_t>(r.i64(6));
    u.first_date = r.text(7);
    u.last_date = r.text(8);
    u.weekdays = static_cast<uint8_t>(r.i64(9));
    u.price_per_minute = r.i64(10);
    t.rules.push_back(std::move(u));
  }
  const auto fee = db_.query("SELECT per_connection, per_minute FROM settlement_fee");
  if (!fee.empty()) t.fee = {fee[0].i64(0), fee[0].i64(1)};
  return t;
}

void SettlementTables::set_rule(const settlement::SettlementRule& u) {
  db_.write([&] {
    db_.run("DELETE FROM settlement_rules WHERE id = $1", {u.id});
    db_.run("INSERT INTO settlement_rules(id, side, serving_country, serving_provider, "
            "home_provider, from_s, to_s, first_date, last_date, weekdays, price_per_minute) "
            "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            {u.id, int64_t{static_cast<int32_t>(u.side)}, u.serving_country, u.serving_provider,
             u.home_provider, int64_t{u.from_s}, int64_t{u.to_s}, u.first_date, u.last_date,
             int64_t{u.weekdays}, u.price_per_minute});
  });
}

bool SettlementTables::remove_rule(const std::string& id) {
  int64_t removed = 0;
  db_.write([&] { removed = db_.run("DELETE FROM settlement_rules WHERE id = $1", {id}); });
  return removed != 0;
}

void SettlementTables::set_fee(const settlement::HandlingFee& fee) {
  db_.write([&] {
    db_.run("UPDATE settlement_fee SET per_connection = $1, per_minute = $2",
            {fee.per_connection, fee.per_minute});
  });
}

settlement::DisbursementTerms SettlementTables::terms() {
  const sql::Row r = db_.query("SELECT policy, payment_days, payout_days FROM settlement_terms").at(0);
  return {static_cast<settlement::DisbursementPolicy>(r.i64(0)), r.i64(1), r.i64(2)};
}

void SettlementTables::set_terms(const settlement::DisbursementTerms& t) {
  db_.write([&] {
    db_.run("UPDATE settlement_terms SET policy = $1, payment_days = $2, payout_days = $3",
            {int64_t{static_cast<int32_t>(t.policy)}, t.payment_days, t.payout_days});
  });
}

void SettlementTables::set_credit_line(const std::string& provider, settlement::Micros micros) {
  db_.write([&] {
    if (db_.run("UPDATE settlement_providers SET credit_line_micros = $2 WHERE id = $1",
                {provider, micros}) == 0)
      throw BillingConflict("no provider " + provider);
  });
}

std::map<std::string, settlement::Micros> SettlementTables::credit_lines() {
  std::map<std::string, settlement::Micros> out;
  for (const sql::Row& r : db_.query("SELECT id, credit_line_micros FROM settlement_providers "
                                     "WHERE credit_line_micros <> 0"))
    out[r.text(0)] = r.i64(1);
  return out;
}

namespace {

template <typename T>
std::vector<T> money_of(sql::Session& db, MoneyDirection d) {
  std::vector<T> out;
  for (const sql::Row& r : db.query("SELECT provider, amount_micros, unix, reference FROM "
                                    "settlement_money WHERE direction = $1 ORDER BY id",
                                    {int64_t{static_cast<int32_t>(d)}}))
    out.push_back({r.text(0), r.i64(1), r.i64(2), r.text(3)});
  return out;
}

}  // namespace

std::vector<settlement::Receipt> SettlementTables::receipts() {
  return money_of<settlement::Receipt>(db_, MoneyDirection::receipt);
}

std::vector<settlement::Payment> SettlementTables::payments() {
  return money_of<settlement::Payment>(db_, MoneyDirection::payment);
}

void SettlementTables::record_money(MoneyDirection d, const std::string& provider,
                                    settlement::Micros micros, int64_t unix,
                                    const std::string& reference,
                                    const std::function<void()>& check) {
  db_.write([&] {
    // The terms row is every recorder's lock (SQLite's writers are serialised already).
    db_.query("SELECT policy FROM settlement_terms" + std::string(db_.for_update()));
    if (!db_.query("SELECT 1 FROM settlement_money WHERE direction = $1 AND provider = $2 AND "
                   "reference = $3",
                   {int64_t{static_cast<int32_t>(d)}, provider, reference})
             .empty())
      throw BillingConflict(std::string(d == MoneyDirection::receipt ? "a receipt" : "a payment") +
                            " with reference " + reference + " is recorded for " + provider +
                            " already");
    check();
    db_.run("INSERT INTO settlement_money(direction, provider, amount_micros, unix, reference) "
            "VALUES($1, $2, $3, $4, $5)",
            {int64_t{static_cast<int32_t>(d)}, provider, micros, unix, reference});
  });
}

void SettlementTables::set_exposure(const std::vector<settlement::Exposure>& exposure,
                                    int64_t computed_unix) {
  db_.write([&] {
    db_.run("DELETE FROM settlement_exposure");
    for (const settlement::Exposure& e : exposure)
      db_.run("INSERT INTO settlement_exposure(provider, balance_micros, open_net_micros, "
              "credit_line_micros, available_micros, refused, computed_unix) "
              "VALUES($1, $2, $3, $4, $5, $6, $7)",
              {e.provider, e.balance_micros, e.open_net_micros, e.credit_line_micros,
               e.available_micros, int64_t{e.refused ? 1 : 0}, computed_unix});
  });
}

std::vector<settlement::Exposure> SettlementTables::exposure() {
  std::vector<settlement::Exposure> out;
  for (const sql::Row& r : db_.query("SELECT provider, balance_micros, open_net_micros, "
                                     "credit_line_micros, available_micros, refused FROM "
                                     "settlement_exposure ORDER BY provider"))
    out.push_back({r.text(0), r.i64(1), r.i64(2), r.i64(3), r.i64(4), r.i64(5) != 0});
  return out;
}

std::vector<std::string> SettlementTables::refused_realms() {
  std::vector<std::string> out;
  for (const sql::Row& r : db_.query("SELECT r.realm FROM settlement_realms r JOIN "
                                     "settlement_exposure e ON e.provider = r.provider "
                                     "WHERE e.refused = 1 ORDER BY r.realm"))
    out.push_back(r.text(0));
  return out;
}

}  // namespace gm::host
