// Holds the census's stored usage against the simulator's truth, session by session: equal, or
// short by no more than the allowance the truth records for a session a power cut ended; never
// more than the truth (that would be usage counted twice), never missing beyond the allowance.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gm::sim {

struct UsageRow {
  uint64_t charged_s = 0, free_s = 0, octets_in = 0, octets_out = 0;
  // Truth only:
  bool ended = false, power_cut = false;
  uint64_t may_lack_s = 0, may_lack_in = 0, may_lack_out = 0;
};

using UsageTable = std::map<std::pair<std::string, uint64_t>, UsageRow>;

// Reads a CSV with a header row; columns are found by name (agent or agent_id, session_id or
// session, charged_s, free_s, octets_in, octets_out; and the truth's ended, power_cut, may_lack_*).
bool read_usage_csv(const std::string& path, UsageTable& out, std::string& error);

struct CompareResult {
  size_t sessions = 0, exact = 0, within_bound = 0, violations = 0;
  std::vector<std::string> problems;  // one line per violation (the first 50)
};

CompareResult compare_usage(const UsageTable& truth, const UsageTable& store);

}  // namespace gm::sim
