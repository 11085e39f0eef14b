// The login challenge-response, computed the same way by the agent and the login service, so
// the device credential never crosses the wire (not even inside TLS):
//   agent proof  = HMAC-SHA256(credential, "gatemeter-login"  | server_nonce | client_nonce | agent_id)
//   server proof = HMAC-SHA256(credential, "gatemeter-server" | server_nonce | client_nonce | agent_id)
// The server proof lets the agent know the server holds its credential too (mutual proof).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm::login {

inline constexpr size_t nonce_size = 16;
inline constexpr size_t proof_size = 32;
inline constexpr size_t credential_size = 32;

bool agent_proof(const uint8_t* credential, size_t credential_len,
                 const uint8_t (&server_nonce)[nonce_size], const uint8_t (&client_nonce)[nonce_size],
                 const char* agent_id, uint8_t (&out)[proof_size]);

bool server_proof(const uint8_t* credential, size_t credential_len,
                  const uint8_t (&server_nonce)[nonce_size],
                  const uint8_t (&client_nonce)[nonce_size], const char* agent_id,
                  uint8_t (&out)[proof_size]);

// Constant-time comparison of two proofs.
bool proofs_equal(const uint8_t (&a)[proof_size], const uint8_t (&b)[proof_size]);

}  // namespace gm::login
