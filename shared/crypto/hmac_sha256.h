// HMAC-SHA256 (RFC 2104) over mbedTLS's SHA-256 block functions, with its contexts on the
// stack: mbedtls_md_hmac allocates them with mbedtls_calloc, and shared/ must not touch a heap.
// Used by the frame tag, the tag-key derivation (HKDF) and the login proofs.
#pragma once

#include <mbedtls/sha256.h>

#include <cstddef>
#include <cstdint>

namespace gm {

class HmacSha256 {
 public:
  static constexpr size_t size = 32;

  bool start(const uint8_t* key, size_t key_len);
  bool update(const void* data, size_t len);
  bool finish(uint8_t (&out)[size]);

 private:
  mbedtls_sha256_context inner_, outer_;
};

}  // namespace gm
