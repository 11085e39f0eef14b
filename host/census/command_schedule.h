// Which of an agent's pending commands ride in which ack (the resend rule, host/README.md).
//
// A command stays pending until its agent confirms it (the commit of the confirming datagram
// marks it delivered). An ack to the agent carries the agent's first max_per_ack pending
// commands, in id order, when any of them has not been sent by this node for resend_after (or
// ever); the other acks of a burst carry none. So each command goes out at most once per
// resend interval per node, and always with every older unconfirmed one before it, which keeps
// the agent applying them in the order they were queued.
//
// Plain state, used by the committer's thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "host/store/store_types.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

class CommandSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CommandSchedule(Clock::duration resend_after,
                           size_t max_per_ack = wire::max_ack_commands);

  // What the store holds pending now (CommandMailbox::pending_commands: oldest first), in place
  // of what was held. A command still pending keeps the time this node last sent it.
  void reload(const std::vector<PendingCommand>& pending);
  // The store could not say what is pending: hold nothing until it can (when each was last
  // sent is kept, for the next reload).
  void forget_pending() { pending_.clear(); }

  // A committed datagram of `agent` confirmed `command`: it is delivered, never sent again from
  // this node. An id that is not one of the agent's pending commands changes nothing.
  void confirmed(int64_t agent, int64_t command);

  // The commands the ack to `agent` sent at `now` carries (none unless one is due), marked
  // sent at `now`. Valid until the next call on this schedule.
  std::span<const PendingCommand> due(int64_t agent, Clock::time_point now);

 private:
  Clock::duration resend_after_;
  size_t max_per_ack_;
  // Each agent's unconfirmed commands in id order, as last read from the store, less what
  // this node has seen confirmed since; and when this node last put each into an ack.
  std::map<int64_t, std::vector<PendingCommand>> pending_;
  std::unordered_map<int64_t, Clock::time_point> last_sent_;
};

}  // namespace gm::host
