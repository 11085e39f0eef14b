#include "host/login/login_grant.h"

#include <cstring>

#include "shared/frame/frame_tag.h"
#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"

namespace gm::host {

namespace {

LoginOutcome refuse(gatemeter_LoginStatus status, const char* outcome) {
  LoginOutcome o;
  o.response.status = status;
  o.outcome = outcome;
  return o;
}

std::string describe_components(const gatemeter_LoginRequest& r) {
  std::string s;
  for (pb_size_t i = 0; i < r.components_count && i < wire::max_components; ++i) {
    if (!s.empty()) s += ',';
    s += r.components[i].name;
    s += '=';
    s += std::to_string(r.components[i].version);
  }
  return s;
}

}  // namespace

LoginOutcome grant_login(AgentDirectory& agents, LoginLedger& logins, const CredentialVault& vault,
                         const LoginSettings& settings,
                         const uint8_t (&server_nonce)[login::nonce_size],
                         const gatemeter_LoginRequest& request, int64_t now_unix) {
  // nanopb NUL-terminates strings it decodes; an empty id cannot name an agent.
  if (request.agent_id[0] == '\0') return refuse(gatemeter_LoginStatus_LOGIN_MALFORMED, "malformed");
  const auto agent = agents.find_agent(request.agent_id);
  if (!agent) return refuse(gatemeter_LoginStatus_LOGIN_UNKNOWN_AGENT, "unknown_agent");
  const auto credential = vault.open(agent->sealed_credential, agent->agent_id);
  // A credential that does not open was sealed under another vault key: the agent cannot be
  // verified, which to it is the same as a wrong credential.
  if (!credential) return refuse(gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL, "bad_credential");

  uint8_t expected[login::proof_size];
  if (!login::agent_proof(credential->data(), credential->size(), server_nonce,
                          request.client_nonce, request.agent_id, expected) ||
      !login::proofs_equal(expected, request.proof))
    return refuse(gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL, "bad_credential");
  // Checked after the proof so that a stranger cannot learn which agents are disabled.
  if (!agent->enabled) return refuse(gatemeter_LoginStatus_LOGIN_DISABLED, "disabled");

  LoginOutcome o;
  gatemeter_LoginResponse& r = o.response;
  r.status = gatemeter_LoginStatus_LOGIN_OK;
  do random_bytes(reinterpret_cast<uint8_t*>(&r.login_session_id), sizeof r.login_session_id);
  while (r.login_session_id == 0);  // 0 means "no session" to the agent
  random_bytes(r.session_key, sizeof r.session_key);
  frame::TagKey tag_key{};
  if (!frame::derive_tag_key(r.session_key, sizeof r.session_key, tag_key))
    throw StoreError("tag key derivation failed");
  // Committed before the agent hears of the session: a census that sees a datagram under it
  // can always find its key.
  NewLogin login;
  login.agent = agent->id;
  login.id = r.login_session_id;
  login.sealed_tag_key = vault.seal_tag_key(tag_key, r.login_session_id);
  login.components = describe_components(request);
  login.boot_count = request.boot_count;
  login.continuing = request.continuing;
  login.now_unix = now_unix;
  login.expires_unix = now_unix + settings.login_lifetime_s;
  const LoginOpened opened = logins.open_login_session(login);
  o.sessions_closed = opened.sessions_closed;
  o.renewal = opened.renewal;
  r.login_lifetime_s = settings.login_lifetime_s;

  r.metering_interval_s = settings.metering_interval_s;
  r.track_usage = settings.track_usage;
  for (const std::string& c : settings.census) {
    if (r.census_count == wire::max_census) break;
    copy_text(r.census[r.census_count++], sizeof r.census[0], c.c_str());
  }
  for (const ComponentOffer& offer : settings.updates) {
    if (r.updates_count == wire::max_updates) break;
    bool current = false;
    for (pb_size_t i = 0; i < request.components_count && i < wire::max_components; ++i)
      if (offer.name == request.components[i].name && request.components[i].version >= offer.version)
        current = true;
    if (current) continue;
    gatemeter_ComponentUpdate& u = r.updates[r.updates_count++];
    copy_text(u.name, sizeof u.name, offer.name.c_str());
    u.version = offer.version;
    copy_text(u.location, sizeof u.location, offer.location.c_str());
  }
  r.server_time_unix = static_cast<uint64_t>(now_unix);
  if (!login::server_proof(credential->data(), credential->size(), server_nonce,
                           request.client_nonce, request.agent_id, r.server_proof))
    throw StoreError("server proof failed");
  o.outcome = "ok";
  return o;
}

}  // namespace gm::host
