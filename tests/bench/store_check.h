// Reads the store back after a phase (its own connection: open_store on the census's store
// spec, a SQLite file or "postgresql:CONNINFO"; sessions() per agent) and compares every
// session with what the benchmark knows: the store must hold each session, at a seq no lower
// than the highest one acknowledged and no higher than the highest one sent, with exactly the
// totals that were sent with the seq it holds (totals_for). A newer seq than the acknowledged
// one is fine: it was sent, and the census may have committed it without the ack arriving in
// time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/census_plan.h"

namespace gm::bench {

struct StoreCheck {
  uint64_t sessions_read = 0;
  uint64_t acked_beyond_prefill = 0;  // sessions with an acknowledged seq above the prefill's
  uint64_t missing = 0;               // known session absent from the store
  uint64_t behind = 0;                // holds a seq below the acknowledged one
  uint64_t ahead = 0;                 // holds a seq that was never sent
  uint64_t wrong_totals = 0;          // totals differ from what was sent with the seq it holds
  uint64_t unknown = 0;               // a session the benchmark never sent
  double seconds = 0;
  std::vector<std::string> examples;  // the first few failures, one line each
  bool ok() const { return missing + behind + ahead + wrong_totals + unknown == 0; }
};

StoreCheck check_store(const std::string& store_spec, const SessionPlan& plan,
                       const std::vector<std::string>& agent_ids);

}  // namespace gm::bench
