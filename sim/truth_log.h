// What really happened to each simulated subscriber session, kept apart from everything the
// agent stores: octets are summed by the simulator as it feeds them; connect time is the
// agent's meter, read at the session's end or at the power cut that ended it. A test compares
// this with the census's store.
//
// A power cut may cost a session the usage the agent had not yet made durable: at most what it
// used in the lag window before the cut (one metering interval plus the outbox's persist
// delay, plus a second of tick granularity). The log records that allowance per session, so
// the comparison can hold the census to it exactly.
#pragma once

#include <cstdint>
#include <deque>
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
  bool power_cut = false;    // ended by a cut: the census may lag by up to may_lack
  uint64_t ended_ms = 0;
  uint32_t may_lack_s = 0;   // connect seconds (charged + free) the census may lack
  uint64_t may_lack_in = 0, may_lack_out = 0;  // octets fed within the lag window

  struct Sample {
    uint64_t ms, in, out;
  };
  std::deque<Sample> recent;  // traffic within the lag window (open sessions only)
};

class TruthLog {
 public:
  explicit TruthLog(uint64_t lag_window_ms = 0) : lag_window_ms_(lag_window_ms) {}
  void set_lag_window_ms(uint64_t ms) { lag_window_ms_ = ms; }
  uint64_t lag_window_ms() const { return lag_window_ms_; }

  TruthEntry& at(const std::string& agent, uint64_t session_id);
  void add_traffic(const std::string& agent, uint64_t session_id, uint64_t now_ms, uint64_t in,
                   uint64_t out);
  // The session ended (once; later calls are ignored). Connect time is the meter's.
  void end(const std::string& agent, uint64_t session_id, const std::string& subscriber,
           uint32_t charged_s, uint32_t free_s, int32_t cause, bool power_cut, uint64_t now_ms);

  // The power went after the session ended but before its STOP was durable (acknowledged or in
  // flash): the census may lack what the STOP carried, within the same allowance.
  void cut_after_end(const std::string& agent, uint64_t session_id);

  const std::map<std::pair<std::string, uint64_t>, TruthEntry>& entries() const { return entries_; }
  // CSV with a header: agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out,
  // stop_cause,power_cut,ended,may_lack_s,may_lack_in,may_lack_out. Written to a temporary
  // file and renamed, so a reader never sees half of it.
  bool write_csv(const std::string& path) const;

 private:
  void allow_lag(TruthEntry& e);
  uint64_t lag_window_ms_;
  std::map<std::pair<std::string, uint64_t>, TruthEntry> entries_;
};

}  // namespace gm::sim
