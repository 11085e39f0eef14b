// One SQL text for both databases, for the tables off the census's hot path (billing's catalog
// and accounts): `$1, $2, ...` placeholders (PostgreSQL's, which SQLite reads as named
// parameters), integer, text and byte-string values, rows read by column. What differs between the two
// (locking, retries, types) stays behind this; the hot path keeps its own tuned statements.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gm::host::sql {

// Bytes: a BLOB (SQLite) or BYTEA (PostgreSQL) column or parameter.
using Bytes = std::vector<uint8_t>;
using Value = std::variant<int64_t, std::string, Bytes>;

struct Row {
  std::vector<Value> values;
  int64_t i64(size_t c) const;
  const std::string& text(size_t c) const;
  std::string take_text(size_t c);  // moved out: the row is read once (large pages)
  const Bytes& bytes(size_t c) const;
};

class Session {
 public:
  virtual ~Session() = default;
  // One statement (RETURNING included); its rows.
  virtual std::vector<Row> query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // One statement; how many rows it changed.
  virtual int64_t run(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // body in one write transaction (SQLite BEGIN IMMEDIATE, PostgreSQL BEGIN), committed when it
  // returns, rolled back when it throws. PostgreSQL runs it again, from the start, after a
  // deadlock or a serialisation failure, so body must set its outputs afresh each time.
  virtual void write(const std::function<void()>& body) = 0;
  // Whether `error` (thrown by query or run) was a unique or primary key violation.
  virtual bool unique_violation(const std::exception& error) const = 0;
  // What a SELECT inside write() appends to lock the rows it reads until the commit:
  // " FOR UPDATE" on PostgreSQL; "" on SQLite, whose BEGIN IMMEDIATE already serialises every
  // writer (and which has no FOR UPDATE).
  virtual const char* for_update() const = 0;
  // Whether a write transaction holds the database alone (SQLite), so what it read stays as
  // read until it commits, locked or not.
  virtual bool serialised_writers() const = 0;
};

}  // namespace gm::host::sql
