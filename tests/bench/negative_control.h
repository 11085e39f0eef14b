// bench_census --negative-control: proof that its checks can fail. In phase A it flips a bit in
// the tag of the first ack it logged (the audit must refuse it as bad_tag), and before reading
// the store back it damages three acknowledged sessions of the first agent behind the census's
// back: one row deleted (missing), one set back a seq (behind its ack), one with an octet added
// (other totals). The run must then print its FAIL lines and exit 1; ctest holds it to that.
#pragma once

#include <string>

#include "tests/bench/census_load.h"

namespace gm::bench {

void corrupt_first_ack(AckLog& log);
// Throws std::runtime_error when the store has no three acknowledged sessions to damage.
void corrupt_store(const std::string& store_path, const SessionPlan& plan,
                   const std::string& first_agent_id);

}  // namespace gm::bench
