// The agent's side of the login conversation, without any I/O: bytes from the (TLS) stream go
// in with on_bytes(), bytes to write come out of output(). Messages on the stream are a 2-byte
// big-endian length and a nanopb message:
//
//   server -> LoginChallenge {server_nonce}
//   agent  -> LoginRequest   {agent_id, client_nonce, proof, components, boot_count,
//                             continuing}
//   server -> LoginResponse  {status, login session, session key, interval, census list, ...,
//                             server_proof, login_lifetime_s}
//
// The proofs are shared/login/login_proof.h: the credential never leaves the agent, and the
// agent refuses a response whose server proof does not show the server knows it too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/agent.h"
#include "firmware/hal/rng.h"
#include "gatemeter.pb.h"
#include "shared/login/login_proof.h"
#include "shared/proto/wire_limits.h"

namespace gm::core {

struct AgentIdentity {
  const char* agent_id = "";
  uint8_t credential[login::credential_size] = {};
  gatemeter_ComponentVersion components[wire::max_components] = {};
  size_t component_count = 0;
};

class LoginExchange {
 public:
  enum class State : uint8_t { awaiting_challenge, awaiting_response, done, failed };

  // Forgets any earlier exchange and waits for the server's challenge. continuing: the agent
  // logs in again without having rebooted (Agent::login_continues()), so the login service
  // keeps its subscriber sessions open instead of closing them as an agent restart.
  void start(const AgentIdentity& identity, uint32_t boot_count, bool continuing, hal::Rng& rng);
  State on_bytes(const uint8_t* data, size_t length);
  State state() const { return state_; }

  // Bytes waiting to be written; call consumed() with what the stream took.
  const uint8_t* output(size_t& length) const {
    length = out_len_ - out_sent_;
    return out_ + out_sent_;
  }
  void consumed(size_t n) { out_sent_ = n > out_len_ - out_sent_ ? out_len_ : out_sent_ + n; }

  // After done: what the login service granted.
  const gatemeter_LoginResponse& response() const { return response_; }
  LoginGrant grant() const;
  // After failed: "malformed", "bad_credential", "unknown_agent", "disabled", "server_proof", ...
  const char* error() const { return error_; }

 private:
  State fail(const char* why) {
    error_ = why;
    return state_ = State::failed;
  }
  State on_message(const uint8_t* body, size_t length);

  State state_ = State::failed;
  const AgentIdentity* identity_ = nullptr;
  uint32_t boot_count_ = 0;
  bool continuing_ = false;
  hal::Rng* rng_ = nullptr;
  uint8_t server_nonce_[login::nonce_size] = {};
  uint8_t client_nonce_[login::nonce_size] = {};
  uint8_t in_[2 + gatemeter_LoginResponse_size] = {};
  size_t in_len_ = 0;
  uint8_t out_[2 + gatemeter_LoginRequest_size] = {};
  size_t out_len_ = 0, out_sent_ = 0;
  gatemeter_LoginResponse response_ = gatemeter_LoginResponse_init_zero;
  const char* error_ = "not_started";
};

}  // namespace gm::core
