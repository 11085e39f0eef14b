// The login decision without any I/O: checks the agent's proof against its stored credential
// and, when it holds, opens the login session in the store and builds the grant.
#pragma once

#include <cstdint>
#include <string>

#include "gatemeter.pb.h"
#include "host/login/login_server.h"
#include "host/store/agent_directory.h"
#include "host/store/login_ledger.h"
#include "shared/login/login_proof.h"

namespace gm::host {

struct LoginOutcome {
  gatemeter_LoginResponse response = gatemeter_LoginResponse_init_zero;
  // "ok", "bad_credential", "unknown_agent", "disabled", "malformed": the refusal reason the
  // store counts as "login_<outcome>".
  const char* outcome = "malformed";
  size_t sessions_closed = 0;  // subscriber sessions closed by this (re)login
  bool renewal = false;        // the agent logged in again without rebooting
};

// Throws StoreError if the store fails (the agent then gets no answer and retries).
LoginOutcome grant_login(AgentDirectory& agents, LoginLedger& logins, const CredentialVault& vault,
                         const LoginSettings& settings,
                         const uint8_t (&server_nonce)[login::nonce_size],
                         const gatemeter_LoginRequest& request, int64_t now_unix);

}  // namespace gm::host
