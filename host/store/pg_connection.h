// A connection to PostgreSQL as the store uses it: libpq behind RAII, every failure a StoreError
// naming the store (never its password), each statement prepared once per connection, and the
// session settings that make a commit a promise about the disk.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "host/store/pg_array.h"
#include "host/store/store_types.h"

namespace gm::host::pg {

// A statement failed. Its SQLSTATE tells a deadlock or a serialization failure, which running
// the transaction again resolves, from everything else.
struct Error : StoreError {
  Error(const std::string& what, std::string state)
      : StoreError(what), sqlstate(std::move(state)) {}
  bool retryable() const { return sqlstate == "40P01" || sqlstate == "40001"; }
  std::string sqlstate;
};

// Rows in text format (integers as decimal, bytea as hex).
class Result {
 public:
  explicit Result(PGresult* r) : r_(r) {}
  ~Result() { PQclear(r_); }
  Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const { return PQntuples(r_); }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
  }
  int64_t i64(int row, int col) const;
  uint64_t u64(int row, int col) const { return static_cast<uint64_t>(i64(row, col)); }
  std::vector<uint8_t> bytes(int row, int col) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  uint64_t affected() const;
  PGresult* get() const { return r_; }

 private:
  PGresult* r_;
};

// A statement's parameters: integers as text, bytea and arrays in binary. Byte strings and
// arrays are referred to, not copied: they must outlive the call they are passed to.
class Params {
 public:
  Params& add(int64_t v);
  Params& add(std::string_view text);  // made valid UTF-8 (valid_text)
  Params& add_bytes(const void* data, size_t n);
  Params& add(BinaryArray& array);

 private:
  friend class Connection;
  struct Value {
    std::string own;
    const char* ref = nullptr;
    size_t ref_len = 0;
    int format = 0;
  };
  std::vector<Value> values_;
};

class Connection {
 public:
  // Connects and sets the session up (check_durable_commits). described: the store's spec for
  // messages (describe_store).
  Connection(std::string conninfo, std::string described);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& described() const { return described_; }

  // Starts a transaction. If the server dropped the connection since the last call (restarted,
  // failed over, network), first a new one, so a census outlives that: nothing was in flight.
  void begin(const char* sql = "BEGIN");
  // One statement, prepared on its first use on this connection.
  Result exec(const std::string& sql, const Params& params = {});
  // One statement that writes nothing, in a transaction of its own: after a lost connection,
  // run again on a new one.
  Result read(const std::string& sql, const Params& params = {});
  // Statements without parameters, in one round trip (BEGIN, SET, DDL).
  void run(const std::string& sql);
  // Throws unless the server committed (it answers ROLLBACK for a failed transaction). With
  // synchronous_commit on, the commit's WAL is flushed to disk when this returns.
  void commit();
  void rollback_quietly() noexcept;

  // Refuses the connection unless a commit is acknowledged only once durable: synchronous_commit
  // on (set by the constructor; read back, because anything between us and the server, such as
  // a pooler, could lose it) and fsync on at the server (else "on" promises nothing).
  void check_durable_commits();

 private:
  void connect();
  void reconnect_if_lost();
  bool lost() const { return PQstatus(conn_.get()) != CONNECTION_OK; }
  void set_up_session();
  [[noreturn]] void fail(const std::string& what, PGresult* r = nullptr);

  std::string conninfo_, described_, password_;
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::unique_ptr<PGconn, Finish> conn_;  // also closed when the constructor throws
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  std::vector<const char*> values_;                        // exec()'s scratch
  std::vector<int> lengths_, formats_;
};

}  // namespace gm::host::pg
