// The agents the login fuzz target's store knows, shared with its seed generator so that a
// seed can carry a proof that holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "shared/login/login_proof.h"

namespace gm::fuzz {

struct FuzzAgent {
  const char* agent_id;
  bool enabled;
  bool sealed_elsewhere;    // its credential was sealed under another vault key: never opens
  uint8_t credential_base;  // credential byte i is credential_base + i
};

inline constexpr FuzzAgent fuzz_agents[] = {
    {"gw-ok-0001", true, false, 0x10},
    {"gw-disabled-0002", false, false, 0x30},
    {"gw-other-vault-0003", true, true, 0x50},
};

// The challenge the target's login service sent (the real one draws it at random).
inline constexpr uint8_t fuzz_server_nonce[login::nonce_size] = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

inline const FuzzAgent* find_fuzz_agent(const char* agent_id) {
  for (const FuzzAgent& a : fuzz_agents)
    if (std::strcmp(a.agent_id, agent_id) == 0) return &a;
  return nullptr;
}

inline void fuzz_credential(const FuzzAgent& a, uint8_t (&out)[login::credential_size]) {
  for (size_t i = 0; i < sizeof out; ++i) out[i] = static_cast<uint8_t>(a.credential_base + i);
}

// The proof the agent would send for this challenge: what a request must carry to be let in.
inline bool fuzz_agent_proof(const FuzzAgent& a, const uint8_t (&client_nonce)[login::nonce_size],
                             const char* agent_id, uint8_t (&out)[login::proof_size]) {
  uint8_t credential[login::credential_size];
  fuzz_credential(a, credential);
  return login::agent_proof(credential, sizeof credential, fuzz_server_nonce, client_nonce,
                            agent_id, out);
}

}  // namespace gm::fuzz
