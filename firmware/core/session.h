// One subscriber session as the agent holds it: identity, authorisation state, the meter's
// running totals and the outbox's view of what the census has acknowledged. Everything a
// session costs in RAM is in this struct (bench_agent prints its size). The goal was <= 128 bytes
// with a 48-character identity; the billing grant (limits, validity, request number, when to ask
// for more) needs 16 more, so it is <= 144 now: cheaper than a grant table beside the session
// table, which would cost the same per slot plus its own bookkeeping.
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
  walled_garden,  // a final grant ran out with final_redirect: time is free again, the board
                  // keeps the subscriber in the walled garden (top-up page) until a new grant
};

// Outbox flags.
inline constexpr uint8_t flag_pending = 1u << 0;    // newest record (seq) not yet acknowledged
inline constexpr uint8_t flag_persisted = 1u << 1;  // the journal holds a record of this session
inline constexpr uint8_t flag_unsent = 1u << 2;     // newest record not yet sent at all

// Session::auth bits: the billing state that is not a number.
inline constexpr uint8_t auth_final = 1u << 0;      // the grant is final: no more will come
inline constexpr uint8_t auth_redirect = 1u << 1;   // ... and at its limit: walled garden, not end
inline constexpr uint8_t auth_outage = 1u << 2;     // went on without a grant (billing_outage)
inline constexpr uint8_t auth_rejected = 1u << 3;   // billing rejected it (still authorising)
inline constexpr uint8_t auth_silent = 1u << 4;     // every billing server allowed stayed silent
                                                    // on its newest request
inline constexpr uint8_t auth_policy_shift = 5;     // bits 5-6: gatemeter_OutagePolicy
inline constexpr uint8_t auth_held = 1u << 7;       // at its grant's limit, the update unanswered:
                                                    // held in the walled garden until a grant
inline constexpr uint8_t auth_policy_mask = 3u << auth_policy_shift;

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
  // The grant (AuthResponse.grant, COMMAND_GRANT): cumulative limits since the session started.
  uint32_t grant_s = 0;        // on charged_s; 0: none
  uint32_t grant_kib = 0;      // on octets in + out, in KiB rounded down (so never past the
                               // grant; 4 TiB at most); 0: none
  uint32_t grant_until_s = 0;  // validity: ask again by this monotonic second; 0: none
  uint16_t ask_margin_s = 0;   // ask for more this close to grant_s ...
  uint16_t ask_margin_64k = 0;  // ... or this close to grant_kib, in 64 KiB (fixed when granted)
  uint16_t request = 0;        // newest AuthRequest.request sent for it (0: none yet)
  uint16_t idle_timeout_s = 0;   // 0: none
  SessionState state = SessionState::free;
  uint8_t billing = 0;           // gatemeter_BillingOption
  uint8_t cause = 0;             // gatemeter_StopCause once stopping
  uint8_t service = 0;           // index into the agent's service names
  uint8_t kind = 0;              // gatemeter_RecordKind of the newest record
  uint8_t flags = 0;
  uint8_t auth = 0;              // auth_* bits and the outage policy
  char subscriber[subscriber_capacity] = {};  // "user@realm"

  bool in_use() const { return state != SessionState::free; }
  bool metering() const { return state == SessionState::active || state == SessionState::temporary; }
  // Time is free and the subscriber is held in the walled garden (captive portal).
  bool walled() const {
    return state == SessionState::authorising || state == SessionState::walled_garden ||
           (auth & auth_held) != 0;
  }
  bool billing_outage() const { return (auth & auth_outage) != 0; }
  int32_t outage_policy() const { return (auth & auth_policy_mask) >> auth_policy_shift; }
  void set_outage_policy(int32_t p) {
    auth = static_cast<uint8_t>((auth & ~auth_policy_mask) |
                                ((static_cast<uint32_t>(p) << auth_policy_shift) & auth_policy_mask));
  }
  UsageTotals totals() const { return {charged_s, free_s, octets_in, octets_out}; }
};

}  // namespace gm::core
