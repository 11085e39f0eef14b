// The frame tag: HMAC-SHA256 over header and payload, truncated to 16 bytes (RFC 2104 §5
// allows truncation to half the hash; 128 bits is the usual floor).
//
// The tag key is derived from the login session key with HKDF-SHA256, so the census can be
// given the derived key (a one-way hash of the session key) without ever holding the key the
// login service issued.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shared/frame/frame_format.h"

namespace gm::frame {

struct TagKey {
  uint8_t bytes[tag_key_size];
};

// tag key = HKDF-SHA256(salt = "", ikm = session key, info = "gatemeter frame tag v1"), 32 bytes.
// Returns false only if mbedTLS fails (which, for SHA-256, it does not).
bool derive_tag_key(const uint8_t* session_key, size_t session_key_len, TagKey& out);

// Computes the truncated tag over data[0..len).
bool compute_tag(const TagKey& key, const uint8_t* data, size_t len, uint8_t (&tag)[tag_size]);

// Compares in time independent of where the bytes differ.
bool tags_equal(const uint8_t* a, const uint8_t* b);

}  // namespace gm::frame
