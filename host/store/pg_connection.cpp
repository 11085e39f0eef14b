#include "host/store/pg_connection.h"

#include <charconv>
#include <cstring>

namespace gm::host::pg {

namespace {

// PostgreSQL 10: identity columns (the store also needs ON CONFLICT, 9.5, and unnest of several
// arrays, 9.4).
constexpr int oldest_server = 100000;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// What names a statement in a message: its first line, shortened.
std::string label(std::string_view sql) {
  while (!sql.empty() && (sql.front() == '\n' || sql.front() == ' ')) sql.remove_prefix(1);
  sql = sql.substr(0, std::min(sql.find('\n'), size_t{60}));
  return std::string(sql);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// ---- results ----

int64_t Result::i64(int row, int col) const {
  const std::string_view t = text(row, col);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size())
    throw StoreError("postgresql: expected an integer in column " + std::to_string(col) +
                     ", got '" + std::string(t) + "'");
  return v;
}

std::vector<uint8_t> Result::bytes(int row, int col) const {
  // bytea_output is hex (set_up_session): "\x" and two digits a byte.
  const std::string_view t = text(row, col);
  if (t.size() < 2 || t[0] != '\\' || t[1] != 'x' || t.size() % 2 != 0)
    throw StoreError("postgresql: expected hex bytea in column " + std::to_string(col));
  std::vector<uint8_t> out;
  out.reserve((t.size() - 2) / 2);
  for (size_t i = 2; i < t.size(); i += 2) {
    const int hi = hex_digit(t[i]), lo = hex_digit(t[i + 1]);
    if (hi < 0 || lo < 0) throw StoreError("postgresql: bad hex in bytea column");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

uint64_t Result::affected() const {
  const char* n = PQcmdTuples(r_);
  return n && *n ? std::strtoull(n, nullptr, 10) : 0;
}

// ---- parameters ----

Params& Params::add(int64_t v) {
  values_.push_back({std::to_string(v)});
  return *this;
}

Params& Params::add(std::string_view text) {
  std::string scratch;
  const std::string_view valid = valid_text(text, scratch);
  values_.push_back({std::string(valid)});
  return *this;
}

Params& Params::add_bytes(const void* data, size_t n) {
  // A zero-length binary value still needs a non-null pointer (null means SQL NULL).
  static const char nothing = 0;
  values_.push_back({{}, n ? static_cast<const char*>(data) : &nothing, n, 1});
  return *this;
}

Params& Params::add(BinaryArray& array) {
  const std::string& b = array.bytes();
  values_.push_back({{}, b.data(), b.size(), 1});
  return *this;
}

// ---- the connection ----

Connection::Connection(std::string conninfo, std::string described)
    : conninfo_(std::move(conninfo)), described_(std::move(described)) {
  // The password, if the string names one, so that no libpq message can carry it out.
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo_.c_str(), &err);
  if (options == nullptr) {
    // libpq quotes the part it could not read, which may be the password: say less.
    std::string why = err && conninfo_.find("password") == std::string::npos ? ": " + trimmed(err)
                                                                             : std::string();
    PQfreemem(err);
    throw StoreError("cannot open store '" + described_ +
                     "': the connection string does not parse" + why);
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o)
    if (std::strcmp(o->keyword, "password") == 0 && o->val != nullptr) password_ = o->val;
  PQconninfoFree(options);
  connect();
}

Connection::~Connection() = default;

void Connection::fail(const std::string& what, PGresult* r) {
  std::string why = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_.get()));
  if (why.empty()) why = trimmed(PQerrorMessage(conn_.get()));
  for (size_t at; !password_.empty() && (at = why.find(password_)) != std::string::npos;)
    why.replace(at, password_.size(), "***");
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  throw Error("store '" + described_ + "': " + what + ": " + why, state ? state : "");
}

void Connection::connect() {
  prepared_.clear();
  conn_.reset(PQconnectdb(conninfo_.c_str()));
  if (!conn_) throw StoreError("cannot open store '" + described_ + "': out of memory");
  if (PQstatus(conn_.get()) != CONNECTION_OK) fail("cannot connect");
  // Notices (CREATE ... IF NOT EXISTS that exists, ROLLBACK outside a transaction) are not
  // errors; libpq would print them on stderr.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
  if (PQserverVersion(conn_.get()) < oldest_server)
    throw StoreError("store '" + described_ + "': the server runs PostgreSQL " +
                     std::to_string(PQserverVersion(conn_.get())) + ", older than 10");
  set_up_session();
}

void Connection::set_up_session() {
  // Explicit, whatever the server, database or role default: the store's promise rests on
  // synchronous_commit; text is exchanged as UTF-8 (valid_text) and bytea as hex (Result).
  run("SET synchronous_commit = on; SET client_encoding = 'UTF8'; SET bytea_output = 'hex'");
  check_durable_commits();
}

void Connection::check_durable_commits() {
  Result r(PQexec(conn_.get(),
                  "SELECT current_setting('synchronous_commit'), current_setting('fsync')"));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) fail("reading synchronous_commit", r.get());
  const std::string sync(r.text(0, 0)), fsync(r.text(0, 1));
  if (sync != "on")
    throw StoreError("store '" + described_ + "': synchronous_commit reads '" + sync +
                     "', not 'on': acknowledged records would not be on disk");
  if (fsync != "on")
    throw StoreError("store '" + described_ +
                     "': the server runs with fsync off: acknowledged records would not be on "
                     "disk");
}

void Connection::reconnect_if_lost() {
  if (lost()) connect();
}

void Connection::begin(const char* sql) {
  reconnect_if_lost();
  try {
    run(sql);
  } catch (const Error&) {
    // libpq learns that the server went away only when it next sends something: this BEGIN.
    if (!lost()) throw;
    connect();
    run(sql);
  }
}

Result Connection::read(const std::string& sql, const Params& params) {
  reconnect_if_lost();
  try {
    return exec(sql, params);
  } catch (const Error&) {
    if (!lost()) throw;
    connect();
    return exec(sql, params);
  }
}

Result Connection::exec(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    // Named statements are the session's: they outlive a rolled-back transaction.
    std::string name = "gm" + std::to_string(prepared_.size());
    Result r(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(label(sql), r.get());
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const size_t n = params.values_.size();
  values_.resize(n);
  lengths_.resize(n);
  formats_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Params::Value& v = params.values_[i];
    values_[i] = v.ref ? v.ref : v.own.c_str();
    lengths_[i] = static_cast<int>(v.ref ? v.ref_len : v.own.size());
    formats_[i] = v.format;
  }
  Result r(PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(n), values_.data(),
                          lengths_.data(), formats_.data(), 0));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(label(sql), r.get());
  return r;
}

void Connection::run(const std::string& sql) {
  Result r(PQexec(conn_.get(), sql.c_str()));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(label(sql), r.get());
}

void Connection::commit() {
  Result r(PQexec(conn_.get(), "COMMIT"));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail("COMMIT", r.get());
  if (std::strcmp(PQcmdStatus(r.get()), "COMMIT") != 0)
    throw Error("store '" + described_ + "': the server rolled the transaction back", "");
}

void Connection::rollback_quietly() noexcept {
  if (PQstatus(conn_.get()) != CONNECTION_OK || PQtransactionStatus(conn_.get()) == PQTRANS_IDLE)
    return;
  PQclear(PQexec(conn_.get(), "ROLLBACK"));
}

}  // namespace gm::host::pg
