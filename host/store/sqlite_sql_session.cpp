#include "host/store/sqlite_sql_session.h"

#include <cstdlib>
#include <cstring>

namespace gm::host::sqlite {

namespace {

// Thrown for a constraint violation, so unique_violation() can tell it apart.
struct ConstraintError : StoreError {
  ConstraintError(const std::string& what, int code) : StoreError(what), extended(code) {}
  int extended;
};

[[noreturn]] void fail(sqlite3* db, std::string_view sql) {
  const int code = sqlite3_extended_errcode(db);
  const std::string what = "sqlite: " + std::string(sqlite3_errmsg(db)) + " (in: " +
                           std::string(sql.substr(0, 60)) + ")";
  if ((code & 0xff) == SQLITE_CONSTRAINT) throw ConstraintError(what, code);
  throw StoreError(what);
}

}  // namespace

sqlite3_stmt* SqlSession::prepared(std::string_view sql, const std::vector<sql::Value>& params) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK)
      fail(db_, sql);
    Prepared p{{s, sqlite3_finalize}, {}};
    // By name: "$2" may come before "$1" in the text, and SQLite numbers by first appearance.
    for (int i = 1; i <= sqlite3_bind_parameter_count(s); ++i) {
      const char* name = sqlite3_bind_parameter_name(s, i);
      if (name == nullptr || name[0] != '$') continue;
      const int k = std::atoi(name + 1);
      if (k < 1) continue;
      if (p.index.size() < static_cast<size_t>(k)) p.index.resize(static_cast<size_t>(k), 0);
      p.index[static_cast<size_t>(k) - 1] = i;
    }
    it = cache_.emplace(std::string(sql), std::move(p)).first;
  }
  sqlite3_stmt* s = it->second.statement.get();
  const std::vector<int>& where = it->second.index;
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  // SQLITE_STATIC: `params` outlives every step of this statement (query and run step it to the
  // end before they return), and the next use resets and rebinds it first; copying each value
  // into SQLite would cost more than the statement itself on wide multi-row statements.
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = i < where.size() ? where[i] : 0;
    if (index == 0) continue;  // not used by this statement
    int rc;
    if (const auto* v = std::get_if<int64_t>(&params[i])) {
      rc = sqlite3_bind_int64(s, index, *v);
    } else if (const auto* b = std::get_if<sql::Bytes>(&params[i])) {
      rc = sqlite3_bind_blob(s, index, b->data(), static_cast<int>(b->size()), SQLITE_STATIC);
    } else {
      const std::string& t = std::get<std::string>(params[i]);
      rc = sqlite3_bind_text(s, index, t.data(), static_cast<int>(t.size()), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) fail(db_, sql);
  }
  return s;
}

std::vector<sql::Row> SqlSession::query(std::string_view sql,
                                        const std::vector<sql::Value>& params) {
  sqlite3_stmt* s = prepared(sql, params);
  std::vector<sql::Row> rows;
  for (;;) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      sqlite3_reset(s);
      fail(db_, sql);
    }
    sql::Row row;
    const int n = sqlite3_column_count(s);
    row.values.reserve(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) {
      const int type = sqlite3_column_type(s, c);
      if (type == SQLITE_INTEGER) {
        row.values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(s, c)));
      } else if (type == SQLITE_BLOB) {
        const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s, c));
        row.values.emplace_back(sql::Bytes(p, p + sqlite3_column_bytes(s, c)));
      } else {
        const auto* p = sqlite3_column_text(s, c);
        row.values.emplace_back(p ? std::string(reinterpret_cast<const char*>(p),
                                                static_cast<size_t>(sqlite3_column_bytes(s, c)))
                                  : std::string());
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_reset(s);
  return rows;
}

int64_t SqlSession::run(std::string_view sql, const std::vector<sql::Value>& params) {
  query(sql, params);
  return sqlite3_changes64(db_);
}

void SqlSession::write(const std::function<void()>& body) {
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
    fail(db_, "BEGIN IMMEDIATE");
  try {
    body();
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    fail(db_, "COMMIT");
  }
}

bool SqlSession::unique_violation(const std::exception& error) const {
  const auto* e = dynamic_cast<const ConstraintError*>(&error);
  return e != nullptr &&
         (e->extended == SQLITE_CONSTRAINT_UNIQUE || e->extended == SQLITE_CONSTRAINT_PRIMARYKEY);
}

}  // namespace gm::host::sqlite
