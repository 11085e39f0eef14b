// Which billing node delivers a feed destination (BILLING.md, "The network management feed"):
// several billing nodes may run over one PostgreSQL store, and the events must not be written
// to two files or posted by every node. Each destination has a lease row (feed_lease): its
// holder, "<hostname>:<pid>", and until when it holds it. A node delivers only while it holds
// the lease, renews it when half of it has passed, and gives it back when it stops. Another
// node takes it once it has expired, or at once if the holder is a process of this host that
// no longer runs (a billing service killed and started again does not wait for its own lease).
#pragma once

#include <cstdint>
#include <string>

#include "host/store/feed_outbox.h"

namespace gm::billing {

enum class LeaseStep {
  keep,   // held, more than half of it left: deliver
  renew,  // held, half of it or less left: write `next`, then deliver
  take,   // free, expired, or its holder is gone: write `next`, then deliver
  wait,   // another node holds it: deliver nothing
};

struct LeaseDecision {
  LeaseStep step = LeaseStep::wait;
  host::FeedLease next;  // what renew and take write (compare-and-set against the stored)
};

// `stored` as the row holds it, `me` this node's holder name, `holder_gone`: holder_gone_here.
LeaseDecision decide_lease(const host::FeedLease& stored, const std::string& me, int64_t now_unix,
                           int64_t lease_s, bool holder_gone);

// "<hostname>:<pid>" of this process.
std::string this_node();
// Whether `holder` names a process of this host (its hostname) that is not running.
bool holder_gone_here(const std::string& holder);

}  // namespace gm::billing
