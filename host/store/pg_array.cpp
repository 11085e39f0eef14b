#include "host/store/pg_array.h"

#include <cstring>

namespace gm::host::pg {

namespace {

// The length of the UTF-8 sequence at s[i] if it is well formed (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF; PostgreSQL's own check), else 0. NUL counts as invalid:
// a text value cannot hold it.
size_t utf8_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned c = byte(i);
  if (c >= 0x01 && c <= 0x7F) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::string_view valid_text(std::string_view in, std::string& scratch) {
  size_t i = 0;
  while (i < in.size()) {
    const size_t n = utf8_length(in, i);
    if (n == 0) break;
    i += n;
  }
  if (i == in.size()) return in;
  scratch.assign(in.substr(0, i));
  while (i < in.size()) {
    const size_t n = utf8_length(in, i);
    if (n == 0) {
      scratch += "\xEF\xBF\xBD";
      ++i;
    } else {
      scratch.append(in.substr(i, n));
      i += n;
    }
  }
  return scratch;
}

// Layout (array_recv): ndim, has-nulls flag, element type, then per dimension its length and
// lower bound; then per element its length and bytes, integers big-endian.
constexpr size_t header_size = 20;

void BinaryArray::clear() {
  count_ = 0;
  bytes_.assign(header_size, '\0');
}

void BinaryArray::put32(uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  bytes_.append(b, 4);
}

void BinaryArray::push_int8(int64_t v) {
  put32(8);
  const auto u = static_cast<uint64_t>(v);
  put32(static_cast<uint32_t>(u >> 32));
  put32(static_cast<uint32_t>(u));
  ++count_;
}

void BinaryArray::push_int4(int32_t v) {
  put32(4);
  put32(static_cast<uint32_t>(v));
  ++count_;
}

void BinaryArray::push_text(std::string_view v) {
  const std::string_view text = valid_text(v, scratch_);
  put32(static_cast<uint32_t>(text.size()));
  bytes_.append(text);
  ++count_;
}

const std::string& BinaryArray::bytes() {
  const uint32_t header[5] = {1, 0, element_oid_, count_, 1};  // an empty one too: dimension 0
  for (size_t k = 0; k < 5; ++k) {
    const uint32_t v = header[k];
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    std::memcpy(bytes_.data() + 4 * k, b, 4);
  }
  return bytes_;
}

}  // namespace gm::host::pg
