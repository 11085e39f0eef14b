// libFuzzer target for the login request: the bytes an agent sends the login service after the
// challenge, through the decode and the grant decision the service applies to them.
//
// The service's read and decode live inside its serve() coroutine (host/login/login_server.cpp),
// which needs a TLS socket. This target repeats that step on the input, line for line: a 2-byte
// big-endian length; a body read and nanopb-decoded as a LoginRequest only if the length is at
// most gatemeter_LoginRequest_size (else the answer is LOGIN_MALFORMED); too few bytes is an
// agent that hung up, which gets no answer. A decoded request then goes to the real
// grant_login() (host/login/login_grant.cpp) with the real CredentialVault, over an in-memory
// store that knows the agents in login_fuzz_agents.h.
//
// The first input byte chooses a mode. Odd: once decoded, the request's proof is replaced by
// the one its agent would compute, so the fuzzer reaches the checks after the proof (a stranger
// cannot, but they must still hold). Even: the request is used as decoded.
//
// Properties, for every input that gets an answer:
//  - nothing throws (the store never fails here) and nothing crashes;
//  - the outcome is one of the five the store counts (ok, bad_credential, unknown_agent,
//    disabled, malformed), the response's status is the one that outcome names, and it is the
//    outcome this request earns, judged here independently of grant_login;
//  - the response encodes within the buffer the service writes it from;
//  - a refusal carries its status and nothing else, and opens no login session;
//  - an ok opens exactly one login session, under the agent, with the session id the response
//    gives (never 0) and the tag key derived from the response's session key; its server proof
//    is the one the agent checks; census list, interval, updates and time are the settings'.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include <pb_decode.h>
#include <pb_encode.h>

#include "host/login/login_grant.h"
#include "shared/proto/wire_limits.h"
#include "tests/fuzz/login_fuzz_agents.h"
#include "tests/fuzz/wire_properties.h"

using namespace gm;
using namespace gm::host;
using gm::fuzz::require;

namespace {

constexpr int64_t now_unix = 1'790'000'000;
constexpr std::array<uint8_t, CredentialVault::key_size> vault_key(uint8_t base) {
  std::array<uint8_t, CredentialVault::key_size> k{};
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(base + i);
  return k;
}

// grant_login may only look agents up and open a login session: it is given just those two
// roles, so any other store call would not compile.
class GrantStore final : public AgentDirectory, public LoginLedger {
 public:
  std::vector<Agent> agents;
  int opened = 0;
  int64_t opened_agent = 0;
  uint64_t opened_id = 0;
  std::vector<uint8_t> opened_key;  // sealed
  int64_t opened_at = 0;

  std::optional<Agent> find_agent(const std::string& agent_id) override {
    for (const Agent& a : agents)
      if (a.agent_id == agent_id) return a;
    return std::nullopt;
  }
  LoginOpened open_login_session(const NewLogin& l) override {
    ++opened;
    opened_agent = l.agent;
    opened_id = l.id;
    opened_key = l.sealed_tag_key;
    opened_at = l.now_unix;
    return {};
  }

  bool add_agent(const std::string&, const std::vector<uint8_t>&, int64_t) override {
    return unused();
  }
  std::vector<Agent> list_agents() override { return unused(), std::vector<Agent>{}; }
  bool set_agent_enabled(const std::string&, bool, int64_t) override { return unused(); }
  std::optional<LoginSession> find_open_login(uint64_t, int64_t) override {
    return unused(), std::nullopt;
  }
  std::vector<LoginSession> open_logins(int64_t) override {
    return unused(), std::vector<LoginSession>{};
  }
  std::vector<uint64_t> logins_closed_since(int64_t) override {
    return unused(), std::vector<uint64_t>{};
  }

 private:
  static bool unused() {
    require(false, "grant_login uses the store only to find the agent and open its session");
    return false;
  }
};

struct World {
  CredentialVault vault{vault_key(0x70)};
  GrantStore store;
  LoginSettings settings;

  World() {
    const CredentialVault elsewhere{vault_key(0x90)};
    int64_t row = 1;
    for (const fuzz::FuzzAgent& fa : fuzz::fuzz_agents) {
      CredentialVault::Credential c;
      uint8_t raw[login::credential_size];
      fuzz::fuzz_credential(fa, raw);
      std::memcpy(c.data(), raw, c.size());
      Agent a;
      a.id = row++;
      a.agent_id = fa.agent_id;
      a.sealed_credential = (fa.sealed_elsewhere ? elsewhere : vault).seal(c, fa.agent_id);
      a.enabled = fa.enabled;
      store.agents.push_back(a);
    }
    settings.metering_interval_s = 45;
    settings.track_usage = true;
    // Five of each: one more than the response holds. One census address is longer than its
    // field, one location longer than its field.
    settings.census = {"10.0.0.1:7100", "10.0.0.2:7100", std::string(80, 'c') + ":7100",
                       "10.0.0.4:7100", "10.0.0.5:7100"};
    settings.updates = {{"agent", 12, "https://updates.example/agent-12"},
                        {"bootloader", 3, std::string(120, 'l')},
                        {"rating-table", 7, "https://updates.example/rt-7"},
                        {"modem", 2, "https://updates.example/modem-2"},
                        {"extra", 1, "https://updates.example/extra-1"}};
  }
};

struct Named {
  const char* outcome;
  gatemeter_LoginStatus status;
};
constexpr Named named_outcomes[] = {
    {"ok", gatemeter_LoginStatus_LOGIN_OK},
    {"bad_credential", gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL},
    {"unknown_agent", gatemeter_LoginStatus_LOGIN_UNKNOWN_AGENT},
    {"disabled", gatemeter_LoginStatus_LOGIN_DISABLED},
    {"malformed", gatemeter_LoginStatus_LOGIN_MALFORMED},
};

// The outcome a request earns, from the rules alone: a name, an agent the store knows, a
// credential that opens, a proof that holds, and only then whether the agent is enabled.
const char* earned(bool decoded, const gatemeter_LoginRequest& r) {
  if (!decoded || r.agent_id[0] == '\0') return "malformed";
  const fuzz::FuzzAgent* a = fuzz::find_fuzz_agent(r.agent_id);
  if (a == nullptr) return "unknown_agent";
  if (a->sealed_elsewhere) return "bad_credential";
  uint8_t proof[login::proof_size];
  if (!fuzz::fuzz_agent_proof(*a, r.client_nonce, r.agent_id, proof) ||
      std::memcmp(proof, r.proof, sizeof proof) != 0)
    return "bad_credential";
  return a->enabled ? "ok" : "disabled";
}

size_t encode_response(const gatemeter_LoginResponse& r,
                       uint8_t (&out)[gatemeter_LoginResponse_size]) {
  pb_ostream_t os = pb_ostream_from_buffer(out, sizeof out);
  require(pb_encode(&os, gatemeter_LoginResponse_fields, &r),
          "the response encodes within the service's buffer");
  return os.bytes_written;
}

void check_grant(const World& w, const gatemeter_LoginRequest& request,
                 const gatemeter_LoginResponse& r) {
  require(w.store.opened == 1, "an ok opens exactly one login session");
  require(r.login_session_id != 0 && w.store.opened_id == r.login_session_id,
          "an ok's login session is the one opened, and not 0");
  const fuzz::FuzzAgent* fa = fuzz::find_fuzz_agent(request.agent_id);
  require(fa != nullptr && w.store.opened_agent == 1 + (fa - fuzz::fuzz_agents),
          "an ok's login session belongs to the agent that logged in");
  frame::TagKey key{};
  const auto stored = w.vault.open_tag_key(w.store.opened_key, w.store.opened_id);
  require(frame::derive_tag_key(r.session_key, sizeof r.session_key, key) && stored &&
              std::memcmp(key.bytes, stored->bytes, sizeof key.bytes) == 0,
          "the store holds, sealed, the tag key of the session key the agent gets");
  require(w.store.opened_at == now_unix && r.server_time_unix == static_cast<uint64_t>(now_unix),
          "an ok is stamped with the time of the login");
  uint8_t credential[login::credential_size];
  fuzz::fuzz_credential(*fa, credential);
  uint8_t server_proof[login::proof_size];
  require(login::server_proof(credential, sizeof credential, fuzz::fuzz_server_nonce,
                              request.client_nonce, request.agent_id, server_proof) &&
              std::memcmp(server_proof, r.server_proof, sizeof server_proof) == 0,
          "an ok carries the server proof the agent checks");
  require(r.metering_interval_s == w.settings.metering_interval_s &&
              r.track_usage == w.settings.track_usage,
          "an ok carries the configured interval and tracking");
  require(r.census_count == std::min(w.settings.census.size(), wire::max_census),
          "an ok lists as many census addresses as fit");
  for (pb_size_t i = 0; i < r.census_count; ++i)
    require(std::memchr(r.census[i], '\0', sizeof r.census[i]) != nullptr &&
                w.settings.census[i].compare(0, std::strlen(r.census[i]), r.census[i]) == 0,
            "an ok lists the configured census addresses in order (truncated to fit)");
  // Offered: every update whose component the agent does not already run at that version or
  // later, in the configured order, as many as fit.
  pb_size_t expected = 0;
  for (const ComponentOffer& offer : w.settings.updates) {
    bool current = false;
    for (pb_size_t i = 0; i < request.components_count; ++i)
      if (offer.name == request.components[i].name &&
          request.components[i].version >= offer.version)
        current = true;
    if (current || expected == 4) continue;
    require(expected < r.updates_count && r.updates[expected].name == offer.name &&
                r.updates[expected].version == offer.version &&
                offer.location.compare(0, std::strlen(r.updates[expected].location),
                                       r.updates[expected].location) == 0,
            "an ok offers exactly the updates the agent lacks, in order");
    ++expected;
  }
  require(r.updates_count == expected, "an ok offers nothing the agent already runs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  if (size < 1 + 2) return 0;  // the agent hung up before the length: no answer
  const bool reprove = data[0] & 1u;
  const uint8_t* in = data + 1;
  const size_t avail = size - 1;

  // As serve(): the length, then the body, decoded only if it fits the request's buffer.
  const size_t n = static_cast<size_t>(in[0]) << 8 | in[1];
  gatemeter_LoginRequest request = gatemeter_LoginRequest_init_zero;
  bool decoded = false;
  if (n <= gatemeter_LoginRequest_size) {
    if (avail - 2 < n) return 0;  // the agent hung up inside the body: no answer
    pb_istream_t is = pb_istream_from_buffer(in + 2, n);
    decoded = pb_decode(&is, gatemeter_LoginRequest_fields, &request);
  }
  if (decoded && reprove) {
    const fuzz::FuzzAgent* a = fuzz::find_fuzz_agent(request.agent_id);
    if (a != nullptr)
      fuzz::fuzz_agent_proof(*a, request.client_nonce, request.agent_id, request.proof);
  }

  w.store.opened = 0;
  LoginOutcome o;
  if (decoded) {
    try {
      o = grant_login(w.store, w.store, w.vault, w.settings, fuzz::fuzz_server_nonce, request, now_unix);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "grant_login threw: %s\n", e.what());
      require(false, "grant_login does not throw while the store works");
    }
  } else {
    o.response.status = gatemeter_LoginStatus_LOGIN_MALFORMED;
  }

  const Named* named = nullptr;
  for (const Named& candidate : named_outcomes)
    if (std::strcmp(candidate.outcome, o.outcome) == 0) named = &candidate;
  require(named != nullptr, "the outcome is one of the five the store counts");
  require(wire_enum(o.response.status) == named->status, "the response's status names the outcome");
  const char* deserved = earned(decoded, request);
  if (std::strcmp(o.outcome, deserved) != 0)
    std::fprintf(stderr, "outcome %s, earned %s\n", o.outcome, deserved);
  require(std::strcmp(o.outcome, deserved) == 0, "the outcome is the one the request earns");

  static uint8_t sent[gatemeter_LoginResponse_size];
  const size_t sent_len = encode_response(o.response, sent);
  if (named->status == gatemeter_LoginStatus_LOGIN_OK) {
    check_grant(w, request, o.response);
    return 0;
  }
  require(w.store.opened == 0, "a refusal opens no login session");
  gatemeter_LoginResponse bare = gatemeter_LoginResponse_init_zero;
  bare.status = named->status;
  static uint8_t bare_bytes[gatemeter_LoginResponse_size];
  require(
      encode_response(bare, bare_bytes) == sent_len && std::memcmp(sent, bare_bytes, sent_len) == 0,
      "a refusal carries its status and nothing else");
  return 0;
}
