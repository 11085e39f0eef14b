// sql::Session over a SQLite connection the caller owns (the store's).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
  bool serialised_writers() const override { return true; }

 private:
  sqlite3_stmt* prepared(std::string_view sql, const std::vector<sql::Value>& params);

  struct Prepared {
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement;
    std::vector<int> index;  // index[k - 1]: where the statement takes $k (0: it does not)
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_;
  // Prepared once per text, as the hot path's statements are, with where each $k goes.
  std::unordered_map<std::string, Prepared, TextHash, std::equal_to<>> cache_;
};

}  // namespace gm::host::sqlite
