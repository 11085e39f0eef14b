#include "shared/frame/frame_tag.h"

#include <cstring>

#include "shared/crypto/hmac_sha256.h"

namespace gm::frame {

namespace {
constexpr char tag_info[] = "gatemeter frame tag v1";
}

bool derive_tag_key(const uint8_t* session_key, size_t session_key_len, TagKey& out) {
  // HKDF-Extract with an empty salt (= 32 zero bytes), then one block of HKDF-Expand.
  const uint8_t salt[HmacSha256::size] = {};
  uint8_t prk[HmacSha256::size];
  HmacSha256 h;
  if (!h.start(salt, sizeof salt) || !h.update(session_key, session_key_len) || !h.finish(prk))
    return false;
  const uint8_t counter = 1;
  uint8_t okm[HmacSha256::size];
  if (!h.start(prk, sizeof prk) || !h.update(tag_info, sizeof tag_info - 1) ||
      !h.update(&counter, 1) || !h.finish(okm))
    return false;
  static_assert(sizeof out.bytes == HmacSha256::size);
  std::memcpy(out.bytes, okm, sizeof out.bytes);
  return true;
}

bool compute_tag(const TagKey& key, const uint8_t* data, size_t len, uint8_t (&tag)[tag_size]) {
  HmacSha256 h;
  uint8_t full[HmacSha256::size];
  if (!h.start(key.bytes, sizeof key.bytes) || !h.update(data, len) || !h.finish(full))
    return false;
  std::memcpy(tag, full, tag_size);
  return true;
}

bool tags_equal(const uint8_t* a, const uint8_t* b) {
  uint8_t diff = 0;
  for (size_t i = 0; i < tag_size; ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace gm::frame
