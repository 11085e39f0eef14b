// The simulator's witness of every record an agent emits and of which of them became durable,
// kept outside the agent: it opens the datagrams on the wire itself (it knows each login's tag
// key, as the census does), reads the acknowledgements a census sends — at a relay before the
// relay's faults, or at the gateway — and hears from the journal seam when a record was
// written to flash.
//
// A record is durable once a census acknowledged it (it acknowledges only what it committed)
// or the journal said ok to keeping it. For a session a power cut touched, the newest durable
// record is the least the store must end up holding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "shared/frame/frame_format.h"
#include "shared/frame/frame_tag.h"
#include "shared/record/usage_record.h"

namespace gm::sim {

struct WitnessedRecord {
  uint32_t seq = 0;
  uint8_t kind = 0;   // gatemeter_RecordKind
  int32_t cause = 0;  // gatemeter_StopCause (a STOP's)
  UsageTotals totals;
};

struct DurablePoint {
  bool any = false;        // some record of the session was durable before the cut
  WitnessedRecord newest;  // the newest of them (records are cumulative: it has the most)
  // The cause of a STOP (other than "agent restart") that left the agent for the wire or its
  // flash, -1 if none did: the store may hold that cause, or "agent restart".
  int32_t stop_cause = -1;
};

struct WitnessStats {
  uint64_t datagrams_sent = 0, records_sent = 0;
  uint64_t acks_seen = 0, records_acked = 0;
  uint64_t records_flashed = 0;
  uint64_t unreadable = 0;  // frames the witness could not open (unknown login, bad tag)
  uint64_t acked_unsent = 0;  // an ack named a record nobody saw sent: a census invented it
};

class RecordWitness {
 public:
  // A login of `agent`: frames under login_session are opened with this key from now on.
  void login(const std::string& agent, uint64_t login_session, const frame::TagKey& key);

  // A metering datagram the agent sent (every copy comes here; copies change nothing).
  void sent(const uint8_t* data, size_t length);
  // A datagram from a census to an agent: the records an ack names are committed.
  void from_census(const uint8_t* data, size_t length);
  // The same from a relay's thread: queued, and read by drain() on the simulator's thread.
  void from_census_async(const uint8_t* data, size_t length);
  void drain();

  // The agent asked its journal to keep r (at now_ms, on the simulator's clock), and the
  // journal said ok (kept: durable) or not (a write the power cut tore may still have landed
  // whole, so the record may yet reach the census; it only does not count as durable).
  void written_to_flash(const std::string& agent, const UsageRecord& r, uint64_t now_ms,
                        bool kept);

  // What of the session was durable when the power went at cut_ms. Acknowledgements count
  // whenever they were seen: a commit is durable whether the ack came before the cut or not.
  DurablePoint durable(const std::string& agent, uint64_t session_id, uint64_t cut_ms) const;

  const WitnessStats& stats() const { return stats_; }

 private:
  struct Login {
    std::string agent;
    frame::TagKey key;
  };
  struct SessionLog {
    // By seq. A seq may carry two different records: a STOP the agent made at boot from its
    // journal takes the seq after the stored one, which a record lost in RAM may have used.
    std::map<uint32_t, std::vector<WitnessedRecord>> sent;
    uint32_t newest_acked = 0;
    std::vector<std::pair<uint64_t, WitnessedRecord>> flashed;  // (ms, record), in time order
    int32_t attempted_stop_cause = -1;  // of a STOP whose write was not confirmed
  };
  // Opens a frame of a known login (header checks, tag, payload of `kind`); the login, or
  // nullptr (counted as unreadable).
  const Login* open(const uint8_t* data, size_t length, frame::FrameKind kind, void* msg);
  SessionLog& log(const std::string& agent, uint64_t session_id) {
    return sessions_[{agent, session_id}];
  }

  std::map<uint64_t, Login> logins_;
  std::map<std::pair<std::string, uint64_t>, SessionLog> sessions_;
  WitnessStats stats_;
  std::mutex inbox_mutex_;
  std::vector<std::vector<uint8_t>> inbox_;
};

}  // namespace gm::sim
