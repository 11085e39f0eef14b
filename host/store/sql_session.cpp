#include "host/store/sql_session.h"

#include "host/store/store_types.h"

namespace gm::host::sql {

int64_t Row::i64(size_t c) const {
  if (c >= values.size()) throw StoreError("sql: no column " + std::to_string(c));
  if (const auto* v = std::get_if<int64_t>(&values[c])) return *v;
  throw StoreError("sql: column " + std::to_string(c) + " is not an integer");
}

std::string Row::take_text(size_t c) {
  if (c >= values.size()) throw StoreError("sql: no column " + std::to_string(c));
  if (auto* v = std::get_if<std::string>(&values[c])) return std::move(*v);
  throw StoreError("sql: column " + std::to_string(c) + " is not text");
}

const std::string& Row::text(size_t c) const {
  if (c >= values.size()) throw StoreError("sql: no column " + std::to_string(c));
  if (const auto* v = std::get_if<std::string>(&values[c])) return *v;
  throw StoreError("sql: column " + std::to_string(c) + " is not text");
}

const Bytes& Row::bytes(size_t c) const {
  if (c >= values.size()) throw StoreError("sql: no column " + std::to_string(c));
  if (const auto* v = std::get_if<Bytes>(&values[c])) return *v;
  throw StoreError("sql: column " + std::to_string(c) + " is not a byte string");
}

}  // namespace gm::host::sql
