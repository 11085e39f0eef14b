#include "shared/frame/frame_tag.h"

#include <mbedtls/sha256.h>

#include <cstring>

// HMAC (RFC 2104) and HKDF (RFC 5869) are written here over mbedTLS's SHA-256 block functions
// rather than taken from mbedtls_md_hmac / mbedtls_hkdf: those allocate their contexts with
// mbedtls_calloc, and shared/ must not touch a heap. Every context here lives on the stack.

namespace gm::frame {

namespace {

constexpr size_t block = 64;
constexpr size_t digest = 32;

struct Hmac {
  mbedtls_sha256_context inner, outer;

  bool start(const uint8_t* key, size_t key_len) {
    uint8_t k[block] = {};
    if (key_len > block) {
      if (mbedtls_sha256_ret(key, key_len, k, 0) != 0) return false;
    } else {
      std::memcpy(k, key, key_len);
    }
    uint8_t ipad[block], opad[block];
    for (size_t i = 0; i < block; ++i) {
      ipad[i] = static_cast<uint8_t>(k[i] ^ 0x36);
      opad[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
    }
    mbedtls_sha256_init(&inner);
    mbedtls_sha256_init(&outer);
    return mbedtls_sha256_starts_ret(&inner, 0) == 0 &&
           mbedtls_sha256_update_ret(&inner, ipad, block) == 0 &&
           mbedtls_sha256_starts_ret(&outer, 0) == 0 &&
           mbedtls_sha256_update_ret(&outer, opad, block) == 0;
  }
  bool update(const uint8_t* data, size_t len) {
    return mbedtls_sha256_update_ret(&inner, data, len) == 0;
  }
  bool finish(uint8_t (&out)[digest]) {
    uint8_t h[digest];
    const bool ok = mbedtls_sha256_finish_ret(&inner, h) == 0 &&
                    mbedtls_sha256_update_ret(&outer, h, digest) == 0 &&
                    mbedtls_sha256_finish_ret(&outer, out) == 0;
    mbedtls_sha256_free(&inner);
    mbedtls_sha256_free(&outer);
    return ok;
  }
};

constexpr char tag_info[] = "gatemeter frame tag v1";

}  // namespace

bool derive_tag_key(const uint8_t* session_key, size_t session_key_len, TagKey& out) {
  // HKDF-Extract with an empty salt (= 32 zero bytes), then one block of HKDF-Expand.
  const uint8_t salt[digest] = {};
  uint8_t prk[digest];
  Hmac h;
  if (!h.start(salt, sizeof salt) || !h.update(session_key, session_key_len) || !h.finish(prk))
    return false;
  const uint8_t counter = 1;
  uint8_t okm[digest];
  if (!h.start(prk, sizeof prk) ||
      !h.update(reinterpret_cast<const uint8_t*>(tag_info), sizeof tag_info - 1) ||
      !h.update(&counter, 1) || !h.finish(okm))
    return false;
  static_assert(sizeof out.bytes == digest);
  std::memcpy(out.bytes, okm, digest);
  return true;
}

bool compute_tag(const TagKey& key, const uint8_t* data, size_t len, uint8_t (&tag)[tag_size]) {
  Hmac h;
  uint8_t full[digest];
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
