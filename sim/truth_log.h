// What really happened to each simulated subscriber session, kept apart from everything the
// agent stores: octets are summed by the simulator as it feeds them; connect time is the
// agent's meter, read at the session's end or at the power cut that ended it. A test compares
// this with the census's store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "shared/record/usage_record.h"

namespace gm::sim {

struct TruthEntry {
  std::string agent;
  uint64_t session_id = 0;
  std::string subscriber;
  UsageTotals totals;
  int32_t stop_cause = 0;    // gatemeter_StopCause; STOP_AGENT_RESTART when a power cut ended it
  bool ended = false;
  bool power_cut = false;    // ended by a cut: the census may lag by up to one interval
  uint64_t ended_ms = 0;
};

class TruthLog {
 public:
  TruthEntry& at(const std::string& agent, uint64_t session_id) {
    TruthEntry& e = entries_[{agent, session_id}];
    e.agent = agent;
    e.session_id = session_id;
    return e;
  }
  const std::map<std::pair<std::string, uint64_t>, TruthEntry>& entries() const { return entries_; }
  // CSV: agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out,stop_cause,power_cut
  bool write_csv(const std::string& path) const;

 private:
  std::map<std::pair<std::string, uint64_t>, TruthEntry> entries_;
};

}  // namespace gm::sim
