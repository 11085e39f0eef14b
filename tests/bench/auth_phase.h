// Phase Q of bench_census: authorisations per second and their latency. A gatemeter-server with
// services census,login,billing over the run's store; every agent logs in afresh and asks the
// billing service to authorise new prepaid sessions (one AuthRequest frame each, sealed under
// its login's key before the phase starts), `in_flight` unanswered at a time across all agents
// (closed loop), for `seconds`; or, with `per_second` set, that many a second whatever is
// unanswered (open loop: the latency a gateway sees at that load, as phase C for the census). The sessions' accounts are `accounts` prepaid accounts created
// for the phase (a few live sessions each by the end, as a household's devices), priced by the
// rate phase M added.
//
// An answer counts only if it opens under the agent's key and replay window, names the session
// its request asked for and approves it with a grant; and after the phase the store must hold
// a live authorisation for each session so answered, with the account it named (answers leave
// only after the decision committed, so every counted answer is durable), and none for a
// session never asked about.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_agent.h"

namespace gm::bench {

struct AuthPhaseSettings {
  std::string server;  // gatemeter-server
  std::string state_dir;
  double seconds = 20;
  uint32_t in_flight = 512;
  uint32_t accounts = 200'000;
  uint32_t grace_ms = 2000;
  double per_second = 0;      // > 0: open loop at this rate
  uint64_t first_session = 0;  // sessions first_session, first_session + 1, ... of the phase's
                               // range: a second run asks about sessions of its own
  std::vector<std::string> server_args;  // after the phase's own (e.g. --billing-threads=N)
};

struct AuthPhase {
  double seconds = 0;
  uint64_t sent = 0;
  uint64_t approved = 0;     // valid approving answers that arrived within the phase
  uint64_t late = 0;         // valid answers after the phase's end
  uint64_t unanswered = 0;   // requests no valid answer came for
  uint64_t behind_window = 0;  // answers that came after 64 newer ones of the agent's (the
                               // replay window's width): an agent would have resent by then
  uint64_t bad = 0;          // answers that did not open or said something else
  uint64_t stored = 0;       // live authorisations of the phase's sessions, read back
  uint64_t stored_wrong = 0;  // of those, with another account than the request named
  uint64_t missing = 0;      // validly answered sessions the store does not hold live
  double loadgen_cpu = 0, server_cpu = 0;
  std::vector<float> latency_ms;  // per valid answer, sorted
  double rate() const { return seconds > 0 ? approved / seconds : 0; }
  double latency(double q) const;
  bool ok() const {
    return bad == 0 && approved > 0 && missing == 0 && stored_wrong == 0 && stored <= sent;
  }
};

// nullopt (and a FAIL line) if the server, a login or the store failed.
std::optional<AuthPhase> run_auth_phase(const AuthPhaseSettings& s,
                                        const std::vector<std::string>& agent_ids,
                                        const std::vector<test::TestAgent::Bytes32>& credentials);

}  // namespace gm::bench
