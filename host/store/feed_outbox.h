// The feed to the network management system: one event per ended session, written by the
// transaction that ended it (the census's commit), then taken from here by the billing
// service's feed writers (a JSON-lines file, an HTTP webhook), each marking what it delivered.
// A writer that stops between delivering and marking delivers again after a restart: each
// event carries its id, so the receiver drops what it has (at least once, never lost).
#pragma once

#include <string>
#include <vector>

#include "host/store/billing_types.h"

namespace gm::host {

enum class FeedSink { file, webhook };

struct FeedEvent {
  int64_t id = 0;
  std::string agent_id;
  uint64_t session_id = 0;
  std::string event;  // JSON object (SCHEMA.md, feed)
  int64_t created_unix = 0;
};

// Which billing node delivers a destination, and until when (feed_lease; "" and 0: nobody ever
// has). A lease given back keeps its time, so the row also says when the destination was last
// delivered by someone (prune()).
struct FeedLease {
  std::string holder;
  int64_t expires_unix = 0;
  bool operator==(const FeedLease&) const = default;
};

class FeedOutbox {
 public:
  virtual ~FeedOutbox() = default;
  // The oldest events `sink` has not had yet, in id order.
  virtual std::vector<FeedEvent> undelivered(FeedSink sink, size_t limit) = 0;
  virtual void mark_delivered(FeedSink sink, const std::vector<int64_t>& ids, int64_t now_unix) = 0;
  // How many events `sink` has not had yet.
  virtual int64_t backlog(FeedSink sink) = 0;

  // The lease of `sink` as stored, and a compare-and-set of it in one statement: `next` is
  // written only if the row still holds `expected` (false: another node changed it first), so
  // of two nodes taking an expired lease at once exactly one gets it.
  virtual FeedLease lease(FeedSink sink) = 0;
  virtual bool swap_lease(FeedSink sink, const FeedLease& expected, const FeedLease& next) = 0;

  // Forgets what no destination needs any more (feed_retention_s): of the oldest `scan` events,
  // in id order, those created before `created_before_unix` that every destination in use has
  // had. A destination is in use while its lease has a holder or was held at or after
  // `in_use_since_unix`; one that nobody delivers holds nothing back, else a store whose
  // operator never set a webhook would keep every event for ever. Scanning only the oldest
  // rows keeps each call short: events are delivered in id order, so the deletable ones are
  // at the front. Returns how many were deleted, in one transaction.
  virtual int64_t prune(int64_t created_before_unix, int64_t in_use_since_unix, size_t scan) = 0;
};

}  // namespace gm::host
