#include "shared/login/login_proof.h"

#include <cstring>

#include "shared/crypto/hmac_sha256.h"

namespace gm::login {

namespace {
bool proof(const char* label, const uint8_t* credential, size_t credential_len,
           const uint8_t (&server_nonce)[nonce_size], const uint8_t (&client_nonce)[nonce_size],
           const char* agent_id, uint8_t (&out)[proof_size]) {
  HmacSha256 h;
  return h.start(credential, credential_len) && h.update(label, std::strlen(label)) &&
         h.update(server_nonce, nonce_size) && h.update(client_nonce, nonce_size) &&
         h.update(agent_id, std::strlen(agent_id)) && h.finish(out);
}
}  // namespace

bool agent_proof(const uint8_t* credential, size_t credential_len,
                 const uint8_t (&server_nonce)[nonce_size], const uint8_t (&client_nonce)[nonce_size],
                 const char* agent_id, uint8_t (&out)[proof_size]) {
  return proof("gatemeter-login", credential, credential_len, server_nonce, client_nonce, agent_id,
               out);
}

bool server_proof(const uint8_t* credential, size_t credential_len,
                  const uint8_t (&server_nonce)[nonce_size],
                  const uint8_t (&client_nonce)[nonce_size], const char* agent_id,
                  uint8_t (&out)[proof_size]) {
  return proof("gatemeter-server", credential, credential_len, server_nonce, client_nonce,
               agent_id, out);
}

bool proofs_equal(const uint8_t (&a)[proof_size], const uint8_t (&b)[proof_size]) {
  uint8_t diff = 0;
  for (size_t i = 0; i < proof_size; ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace gm::login
