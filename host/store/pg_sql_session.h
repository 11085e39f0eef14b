// sql::Session over a PostgreSQL connection the caller owns (the store's).
#pragma once

#include "host/store/pg_connection.h"
#include "host/store/sql_session.h"

namespace gm::host::pg {

class SqlSession final : public sql::Session {
 public:
  explicit SqlSession(Connection& db) : db_(db) {}
  std::vector<sql::Row> query(std::string_view sql, const std::vector<sql::Value>& params) override;
  int64_t run(std::string_view sql, const std::vector<sql::Value>& params) override;
  void write(const std::function<void()>& body) override;
  bool unique_violation(const std::exception& error) const override;
  const char* for_update() const override { return " FOR UPDATE"; }
  bool serialised_writers() const override { return false; }

 private:
  Result exec(std::string_view sql, const std::vector<sql::Value>& params);

  Connection& db_;
  bool in_write_ = false;
};

}  // namespace gm::host::pg
