// One-dimensional arrays in PostgreSQL's binary wire format, the parameters of the PostgreSQL
// store's batched statements (INSERT ... SELECT FROM unnest($1::bigint[], ...)). Binary, so a
// text element needs no quoting: a subscriber may hold quotes, backslashes, commas and braces,
// which a text array literal would have to escape, and one mistake there would split a value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gm::host::pg {

// Builtin type OIDs (src/include/catalog/pg_type.dat; fixed since PostgreSQL 7): libpq-dev does
// not ship the server's catalog headers.
inline constexpr uint32_t int4_oid = 23;
inline constexpr uint32_t int8_oid = 20;
inline constexpr uint32_t text_oid = 25;

// A text column refuses bytes that are not UTF-8 (and any NUL), and one such value would fail
// the whole commit it rides in, every time the agent resends it. So text bound for the database
// is made valid first: each invalid byte becomes U+FFFD. Valid text comes back unchanged (a
// view of `in`); otherwise the repaired copy is built in `scratch`.
std::string_view valid_text(std::string_view in, std::string& scratch);

class BinaryArray {
 public:
  explicit BinaryArray(uint32_t element_oid) : element_oid_(element_oid) { clear(); }
  void clear();
  void push_int8(int64_t v);
  void push_int4(int32_t v);
  void push_text(std::string_view v);  // made valid (valid_text)
  size_t size() const { return count_; }
  // The parameter's bytes (format 1). Valid until the next push or clear.
  const std::string& bytes();

 private:
  void put32(uint32_t v);
  uint32_t element_oid_;
  uint32_t count_ = 0;
  std::string bytes_;
  std::string scratch_;
};

}  // namespace gm::host::pg
