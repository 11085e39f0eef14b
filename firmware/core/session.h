// One subscriber session as the agent holds it: identity, authorisation state, the meter's
// running totals and the outbox's view of what the census has acknowledged. Everything a
// session costs in RAM is in this struct (bench_agent prints its size; the goal is <= 128 bytes
// with a 48-character identity).
#pragma once

#include <cstdint>

#include "shared/record/usage_record.h"

namespace gm::core {

enum class SessionState : uint8_t {
  free,         // slot unused
  authorising,  // waiting for the host's decision; time here is free (walled garden)
  active,       // approved: time is charged except inside a free period
  temporary,    // temporarily approved while a remote system decides; metered like active
  stopping,     // stopped: its STOP record is waiting for the census to acknowledge it
};

// Outbox flags.
inline constexpr uint8_t flag_pending = 1u << 0;    // newest record (seq) not yet acknowledged
inline constexpr uint8_t flag_persisted = 1u << 1;  // the journal holds a record of this session
inline constexpr uint8_t flag_unsent = 1u << 2;     // newest record not yet sent at all

struct Session {
  uint64_t id = 0;
  uint64_t metered_to_ms = 0;  // monotonic time up to which connect time is split; it moves in
                               // whole seconds, so the fraction carries over and none is lost
  uint64_t octets_in = 0;
  uint64_t octets_out = 0;
  uint32_t charged_s = 0;
  uint32_t free_s = 0;
  uint32_t start_unix = 0;
  uint32_t seq = 0;            // newest record emitted (records start at 1)
  uint32_t free_from_s = 0;    // free period [free_from_s, free_until_s), monotonic seconds
  uint32_t free_until_s = 0;
  uint32_t deadline_s = 0;     // temporary: approval deadline; otherwise session timeout; 0 none
  uint32_t last_activity_s = 0;  // monotonic seconds of the last traffic (idle timeout)
  uint32_t pending_since_s = 0;  // when the oldest unacknowledged record was emitted, or
                                 // the newest was last persisted
  uint16_t idle_timeout_s = 0;   // 0: none
  SessionState state = SessionState::free;
  uint8_t billing = 0;           // gatemeter_BillingOption
  uint8_t cause = 0;             // gatemeter_StopCause once stopping
  uint8_t service = 0;           // index into the agent's service names
  uint8_t kind = 0;              // gatemeter_RecordKind of the newest record
  uint8_t flags = 0;
  char subscriber[subscriber_capacity] = {};  // "user@realm"

  bool in_use() const { return state != SessionState::free; }
  bool metering() const { return state == SessionState::active || state == SessionState::temporary; }
  UsageTotals totals() const { return {charged_s, free_s, octets_in, octets_out}; }
};

}  // namespace gm::core
