#include "host/store/pg_sql_session.h"

#include <libpq-fe.h>


namespace gm::host::pg {

namespace {

constexpr int max_attempts = 5;

}  // namespace

Result SqlSession::exec(std::string_view sql, const std::vector<sql::Value>& params) {
  Params p;
  for (const sql::Value& v : params) {
    if (const auto* i = std::get_if<int64_t>(&v))
      p.add(*i);
    else if (const auto* b = std::get_if<sql::Bytes>(&v))
      p.add_bytes(b->data(), b->size());  // referred to: params outlives the call
    else
      p.add(std::string_view(std::get<std::string>(v)));
  }
  // Outside a write, a statement is its own transaction, run again on a new connection if the
  // old one was lost.
  return in_write_ ? db_.exec(std::string(sql), p) : db_.read(std::string(sql), p);
}

std::vector<sql::Row> SqlSession::query(std::string_view sql,
                                        const std::vector<sql::Value>& params) {
  const Result r = exec(sql, params);
  std::vector<sql::Row> rows;
  const int columns = PQnfields(r.get());
  for (int i = 0; i < r.rows(); ++i) {
    sql::Row row;
    row.values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      const Oid type = PQftype(r.get(), c);
      // int2, int4, int8: integers; bytea: bytes; everything else as its text.
      if (type == 20 || type == 21 || type == 23)
        row.values.emplace_back(r.i64(i, c));
      else if (type == 17)
        row.values.emplace_back(r.bytes(i, c));
      else
        row.values.emplace_back(std::string(r.text(i, c)));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t SqlSession::run(std::string_view sql, const std::vector<sql::Value>& params) {
  return static_cast<int64_t>(exec(sql, params).affected());
}

void SqlSession::write(const std::function<void()>& body) {
  for (int attempt = 1;; ++attempt) {
    db_.begin("BEGIN ISOLATION LEVEL READ COMMITTED");
    in_write_ = true;
    try {
      body();
      db_.commit();
      in_write_ = false;
      return;
    } catch (const Error& e) {
      in_write_ = false;
      db_.rollback_quietly();
      if (!e.retryable() || attempt == max_attempts) throw;
    } catch (...) {
      in_write_ = false;
      db_.rollback_quietly();
      throw;
    }
  }
}

bool SqlSession::unique_violation(const std::exception& error) const {
  const auto* e = dynamic_cast<const Error*>(&error);
  return e != nullptr && e->sqlstate == "23505";
}

}  // namespace gm::host::pg
