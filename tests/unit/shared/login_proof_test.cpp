#include "shared/login/login_proof.h"

#include <gtest/gtest.h>

using namespace gm::login;

namespace {
struct Inputs {
  uint8_t credential[credential_size];
  uint8_t server_nonce[nonce_size], client_nonce[nonce_size];
  Inputs() {
    for (size_t i = 0; i < credential_size; ++i) credential[i] = static_cast<uint8_t>(i);
    for (auto& b : server_nonce) b = 1;
    for (auto& b : client_nonce) b = 2;
  }
};
}  // namespace

// Known answers computed independently with Python's hmac module.
TEST(LoginProof, AgentAndServerProofsMatchHmacSha256OfTheLabelledTranscript) {
  Inputs in;
  uint8_t a[proof_size], s[proof_size];
  ASSERT_TRUE(agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", a));
  ASSERT_TRUE(server_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", s));
  EXPECT_EQ(a[0], 0x65);
  EXPECT_EQ(a[1], 0xf3);
  EXPECT_EQ(a[2], 0x71);
  EXPECT_EQ(a[3], 0xea);
  EXPECT_EQ(s[0], 0x99);
  EXPECT_EQ(s[3], 0x78);
  EXPECT_FALSE(proofs_equal(a, s));  // one can never stand in for the other
}

TEST(LoginProof, EveryInputChangesTheProof) {
  Inputs in;
  uint8_t base[proof_size], other[proof_size];
  agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", base);
  agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0002", other);
  EXPECT_FALSE(proofs_equal(base, other));
  in.server_nonce[15] ^= 1;
  agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", other);
  EXPECT_FALSE(proofs_equal(base, other));
  in.server_nonce[15] ^= 1;
  in.credential[0] ^= 1;
  agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", other);
  EXPECT_FALSE(proofs_equal(base, other));
  in.credential[0] ^= 1;
  agent_proof(in.credential, credential_size, in.server_nonce, in.client_nonce, "gw-0001", other);
  EXPECT_TRUE(proofs_equal(base, other));
}
