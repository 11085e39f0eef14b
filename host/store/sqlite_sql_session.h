// sql::Session over a SQLite connection the caller owns (the store's).
#pragma once

#include <sqlite3.h>

#include <map>
#include <memory>

#include "host/store/sql_session.h"
#include "host/store/sqlite_statement.h"

namespace gm::host::sqlite {

class SqlSession final : public sql::Session {
 public:
  explicit SqlSession(sqlite3* db) : db_(db) {}
  std::vector<sql::Row> query(std::string_view sql, const std::vector<sql::Value>& params) override;
  int64_t run(std::string_view sql, const std::vector<sql::Value>& params) override;
  void write(const std::function<void()>& body) override;
  bool unique_violation(const std::exception& error) const override;
  const char* for_update() const override { return ""; }

 private:
  sqlite3_stmt* prepared(std::string_view sql, const std::vector<sql::Value>& params);

  sqlite3* db_;
  // Prepared once per text, as the hot path's statements are.
  std::map<std::string, std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>, std::less<>> cache_;
};

}  // namespace gm::host::sqlite
