// What really happened to each simulated subscriber session, from the simulator's own script
// and clock; nothing in it is read from the agent's meter:
//   - connect time from the moments the simulator started the subscriber, saw the session
//     decided (approve, temporary approval, reject), granted a free period, and saw it end
//     (the simulator stopped it, the gateway cut the subscriber off its data plane, or the
//     power went), split into charged and free seconds as the product promises (truth_totals);
//   - octets: every octet the simulator fed while the subscriber was connected; what the agent
//     refused to count is kept apart as well, and is still part of the truth.
// A session the power touched before its last record was durable also gets, from the record
// witness, the newest of its records that was durable: the least the store may hold for it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "shared/record/usage_record.h"
#include "sim/record_witness.h"

namespace gm::sim {

struct TruthEntry {
  std::string agent;
  uint64_t session_id = 0;
  std::string subscriber;
  bool free_billing = false;   // billed as free: every second is free
  uint64_t started_ms = 0;     // the simulator's clock throughout
  bool decided = false;        // approved, temporarily approved or rejected
  uint64_t decided_ms = 0;     // when it was first decided
  uint64_t free_at_ms = 0;     // a free period granted then, for free_for_s seconds
  uint32_t free_for_s = 0;
  // Spans held at a grant's limit awaiting billing's answer (free); `until` 0 while held.
  struct Held {
    uint64_t from_ms = 0, until_ms = 0;
  };
  std::vector<Held> held;
  uint64_t ended_ms = 0;
  uint64_t octets_in = 0, octets_out = 0;    // fed while connected
  uint64_t refused_in = 0, refused_out = 0;  // of those, what the agent would not count
  int32_t stop_cause = 0;   // gatemeter_StopCause; STOP_AGENT_RESTART when the power ended it
  bool ended = false;
  bool power_cut = false;   // the power went before its last record was durable
  uint64_t cut_ms = 0;
  DurablePoint durable;     // filled by settle() for power-cut sessions
  // What the gateway was told by billing (sessions it authorised through billing only), so an
  // oracle can hold money to the truth: the account the subscriber named ("" none, or free),
  // when a temporary approval came, and the newest final grant's limit on charged seconds
  // (0: none) and when the agent held it.
  std::string account;
  uint64_t temporary_ms = 0;
  uint32_t final_grant_s = 0;
  uint64_t final_ms = 0;
};

// Connect time as the product promises it, in whole seconds from the start (the fraction of a
// second at the end is not metered): a second is free if it ended before the session was
// decided (the walled garden while authorising), if the billing option is free, or if it
// starts inside a granted free period (which begins at the whole second the grant fell in), or
// if it ended after the agent held the session at its grant's limit and before it released it
// (the agent meters up to the moment of each change with the state before it);
// every other second is charged.
UsageTotals truth_totals(const TruthEntry& e);

class TruthLog {
 public:
  void started(const std::string& agent, uint64_t session_id, const std::string& subscriber,
               bool free_billing, uint64_t now_ms);
  void decided(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  void free_period(const std::string& agent, uint64_t session_id, uint32_t seconds,
                   uint64_t now_ms);
  void fed(const std::string& agent, uint64_t session_id, uint64_t in, uint64_t out,
           bool refused);
  // The session ended (once; later calls are ignored).
  void ended(const std::string& agent, uint64_t session_id, int32_t cause, uint64_t now_ms);
  // The power went while the session was connected: it ends now, cut.
  void cut(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  // The power went after the session ended but before its STOP was durable.
  void cut_after_end(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  bool connected(const std::string& agent, uint64_t session_id) const;
  // What billing told the gateway about a session (TruthEntry's account, temporary_ms and
  // final_grant_s); a session the log does not hold is ignored.
  void billed(const std::string& agent, uint64_t session_id, const std::string& account);
  void temporarily_approved(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  void held(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  void released(const std::string& agent, uint64_t session_id, uint64_t now_ms);
  // grant_s 0: the session holds no final grant now (a later grant replaced it).
  void told_final(const std::string& agent, uint64_t session_id, uint32_t grant_s,
                  uint64_t now_ms);

  // At the end of a run: every power-cut session learns its newest durable record.
  void settle(const RecordWitness& witness);

  const std::map<std::pair<std::string, uint64_t>, TruthEntry>& entries() const { return entries_; }
  // CSV with a header row (the columns usage_compare reads). Written to a temporary file and
  // renamed, so a reader never sees half of it.
  bool write_csv(const std::string& path) const;

 private:
  TruthEntry* find(const std::string& agent, uint64_t session_id);
  std::map<std::pair<std::string, uint64_t>, TruthEntry> entries_;
};

}  // namespace gm::sim
