#include "tests/bench/money_check.h"

#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

namespace gm::bench {

namespace {

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
      throw std::runtime_error("money: cannot open " + path);
    sqlite3_busy_timeout(db, 10'000);
  }
  ~Db() { sqlite3_close(db); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string why = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("money: " + why + " in: " + sql.substr(0, 80));
    }
  }
  int64_t value(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("money: ") + sqlite3_errmsg(db));
    const int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return v;
  }
};

constexpr int64_t opening_balance = 1'000'000'000'000;  // a million units: never runs dry here

}  // namespace

MoneyBaseline link_sessions_to_accounts(const std::string& path, int64_t accounts, int64_t price) {
  const auto began = std::chrono::steady_clock::now();
  Db d(path);
  MoneyBaseline b;
  b.price_micros = price;
  b.accounts = accounts;
  d.exec("BEGIN IMMEDIATE");
  d.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(accounts) +
         ") INSERT INTO accounts(name, kind, balance_micros, created_unix) "
         "SELECT 'bench-' || i, 1, " + std::to_string(opening_balance) + ", 0 FROM n");
  d.exec("INSERT INTO rates(plan, service_type, band, zone, provider, unit, price_micros, "
         "increment, minimum_micros, effective_from_unix, created_unix) VALUES('', '*', '*', "
         "'*', '*', 'second', " + std::to_string(price) + ", 1, 0, 0, 0)");
  d.exec("UPDATE billing_catalog SET version = version + 1");
  // Sessions spread over the accounts by id: each account has sessions of many agents.
  d.exec("UPDATE subscriber_sessions SET account = (SELECT min(id) FROM accounts) + "
         "((session_id % " + std::to_string(accounts) + ") + " + std::to_string(accounts) +
         ") % " + std::to_string(accounts));
  d.exec("COMMIT");
  d.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  b.balances = d.value("SELECT sum(balance_micros) FROM accounts");
  b.charged_s = d.value("SELECT sum(charged_s) FROM subscriber_sessions WHERE account <> 0");
  b.sessions = d.value("SELECT count(*) FROM subscriber_sessions WHERE account <> 0");
  b.link_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  return b;
}

MoneyCheck check_money(const std::string& path, const MoneyBaseline& b) {
  Db d(path);
  MoneyCheck c;
  const int64_t charged = d.value("SELECT sum(charged_s) FROM subscriber_sessions WHERE account <> 0");
  c.expected_micros = (charged - b.charged_s) * b.price_micros;
  c.debited_micros = b.balances - d.value("SELECT sum(balance_micros) FROM accounts");
  c.charged_micros = d.value("SELECT sum(amount_micros) FROM subscriber_sessions");
  return c;
}

}  // namespace gm::bench
