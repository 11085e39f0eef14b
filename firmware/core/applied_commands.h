// The host commands the agent has applied, by id, so that a command the census sends again is
// confirmed again but never applied twice; and which ids still need confirming.
//
// Delivery (host/README.md, "Commands"): the census resends a command in its acks until it has
// committed a datagram of this agent that confirms the command's id. So the agent
//   - applies an id the first time it arrives and remembers it here (arrive() says `fresh`);
//   - puts every id still `confirming` into every datagram it seals (fill()), and if nothing else
//     is going out, sends a datagram of confirmations alone (the outbox decides when);
//   - takes an id as confirmed when the census acknowledges a datagram sealed after the id
//     arrived: such a datagram carried it, the census commits a datagram's confirmations in the
//     same transaction as its records and acknowledges only after that commit, so the store has
//     marked the command delivered and no census reads it as pending any more;
//   - keeps a confirmed id at least config::command_remember_ms (acks already on their way, a
//     census node that has not re-read its pending commands yet), and beyond that for as long as
//     a free or older slot can be taken instead. An id that arrives again is confirmed again.
// When every slot holds an id that is confirming or still remembered, a new command is neither
// applied nor confirmed (`full`: counted and logged by the agent): the census keeps resending
// it, and it is applied once a slot is free. An id is never forgotten while it may still arrive,
// so no command is applied twice; a full table costs delay, never a double application.
//
// The table is RAM only. A reboot forgets it, and the census resends what was unconfirmed to the
// next login; applying such a command again changes nothing, because a reboot closes every
// session (END_SESSION, SET_FREE_PERIOD, GRANT and LOW_BALANCE find none) and SET_INTERVAL and
// UPDATE_AVAILABLE set absolute values (and a GRANT's limits are cumulative, so even applied
// twice to one session it would leave the same limits).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/gatemeter_config.h"
#include "gatemeter.pb.h"
#include "shared/proto/wire_limits.h"

namespace gm::core {

class AppliedCommands {
 public:
  static constexpr size_t capacity = config::max_applied_commands;
  // How many ids one datagram can confirm. No more are confirming at once.
  static constexpr size_t max_confirming = wire::max_confirmed_commands;

  enum class Arrival : uint8_t {
    fresh,       // not seen before: apply it (it is now remembered and confirming)
    repeat,      // applied before: do not apply; it is confirming again
    full,        // no room: neither apply nor confirm; the census resends it
    unnumbered,  // id 0 (a census that sends no ids): apply, nothing to remember or confirm
  };

  Arrival arrive(uint64_t id, uint64_t now_ms);

  // Writes the confirming ids into out (room for max_confirming) for a datagram sealed with
  // frame sequence `frame_seq`; returns how many.
  pb_size_t fill(uint64_t* out, uint32_t frame_seq);
  // The census acknowledged the datagram with this frame sequence: what it carried is durable.
  void acknowledged(uint32_t datagram_seq, uint64_t now_ms);
  // A new login session: frame sequences start again, so nothing counts as carried any more.
  void restart_sequence();

  size_t confirming() const { return confirming_; }
  // Some confirming id has not been in any datagram since it arrived.
  bool uncarried() const;
  // The most bytes fill()'s ids add to an encoded MeteringBatch (0 when none are confirming).
  size_t wire_bytes() const;
  bool remembers(uint64_t id) const;

 private:
  struct Entry {
    uint64_t id = 0;            // 0: free slot
    uint64_t settled_ms = 0;    // when its confirmation was acknowledged
    uint32_t carried_from = 0;  // frame seq of the first datagram that carried it; 0: none yet
    bool confirming = false;
  };
  Entry* find(uint64_t id);
  Entry* slot_for_new(uint64_t now_ms);

  Entry entries_[capacity] = {};
  size_t confirming_ = 0;
};

}  // namespace gm::core
