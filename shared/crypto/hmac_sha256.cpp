#include "shared/crypto/hmac_sha256.h"

#include <cstring>

namespace gm {

namespace {
constexpr size_t block = 64;
}

bool HmacSha256::start(const uint8_t* key, size_t key_len) {
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
  mbedtls_sha256_init(&inner_);
  mbedtls_sha256_init(&outer_);
  return mbedtls_sha256_starts_ret(&inner_, 0) == 0 &&
         mbedtls_sha256_update_ret(&inner_, ipad, block) == 0 &&
         mbedtls_sha256_starts_ret(&outer_, 0) == 0 &&
         mbedtls_sha256_update_ret(&outer_, opad, block) == 0;
}

bool HmacSha256::update(const void* data, size_t len) {
  return mbedtls_sha256_update_ret(&inner_, static_cast<const uint8_t*>(data), len) == 0;
}

bool HmacSha256::finish(uint8_t (&out)[size]) {
  uint8_t h[size];
  const bool ok = mbedtls_sha256_finish_ret(&inner_, h) == 0 &&
                  mbedtls_sha256_update_ret(&outer_, h, size) == 0 &&
                  mbedtls_sha256_finish_ret(&outer_, out) == 0;
  mbedtls_sha256_free(&inner_);
  mbedtls_sha256_free(&outer_);
  return ok;
}

}  // namespace gm
