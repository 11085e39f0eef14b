// Holds the census's stored usage against the simulator's truth, session by session, with no
// slack:
//   - a session no power cut touched must be stored exactly at its truth, stopped, with the
//     truth's stop cause;
//   - a session a power cut touched before its last record was durable must hold, counter by
//     counter, at least the totals of its newest durable record and never more than the truth,
//     with the cause of a STOP that left the agent or "agent restart";
//   - a session missing from the store is a violation unless none of its records was durable.
// Nothing is ever allowed above the truth (usage counted twice) or in the store but not in the
// truth.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shared/record/usage_record.h"

namespace gm::sim {

struct UsageRow {
  UsageTotals totals;
  int32_t stop_cause = -1;  // gatemeter_StopCause; -1: the file has no such column
  std::string state;        // store: open, stopped, closed_by_restart
  // Truth only:
  bool ended = false, power_cut = false, durable = false;
  UsageTotals durable_totals;
  int32_t durable_stop_cause = -1;  // a STOP that left the agent, other than agent restart
  uint64_t refused_in = 0, refused_out = 0;
};

using UsageTable = std::map<std::pair<std::string, uint64_t>, UsageRow>;

// Reads a CSV with a header row; columns are found by name: agent or agent_id, session_id,
// charged_s, free_s, octets_in, octets_out; stop_cause_code and state where present; and the
// truth's ended, power_cut, durable, durable_* and refused_*.
bool read_usage_csv(const std::string& path, UsageTable& out, std::string& error);

struct CompareResult {
  size_t sessions = 0, exact = 0, at_durable_point = 0, violations = 0;
  // What power cuts legitimately took (truth minus store over touched sessions), and all of
  // the truth, so the share can be reported.
  uint64_t cut_seconds = 0, all_seconds = 0, cut_octets = 0, all_octets = 0;
  uint64_t refused_octets = 0;  // octets fed that the agent would not count
  std::vector<std::string> problems;  // one line per violation (the first 50)
  double allowance_pct() const { return all_seconds ? 100.0 * cut_seconds / all_seconds : 0; }
  double allowance_octets_pct() const { return all_octets ? 100.0 * cut_octets / all_octets : 0; }
};

CompareResult compare_usage(const UsageTable& truth, const UsageTable& store);

}  // namespace gm::sim
