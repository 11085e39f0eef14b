// The network management feed delivered (BILLING.md, "The network management feed"): the
// billing service's step that takes the feed's undelivered events (the census writes one per
// ended session, in the transaction that ends it) in id order to the JSON-lines file
// (feed_file.h) and the webhook (feed_webhook.h). Each destination on a thread of its own, with
// its own store connection, every round_ms (at once again after a full batch):
//
//   1. the lease  — deliver only while this node holds the destination's lease (feed_lease.h)
//   2. deliver    — one batch: the file appends, fsyncs and marks; the webhook posts, and marks
//                   on a 2xx, else waits 250 ms doubling to 8 s (retry_backoff.h)
//   3. the backlog — how many events the destination has not had yet (a gauge)
//
// and, on a thread of its own whether or not a destination is set, every prune_every_s:
//
//   4. retention  — events older than retention_s that every destination in use has had are
//                   deleted (FeedOutbox::prune), 10,000 to a transaction and 100 ms between
//                   full ones (SQLite's one writer is the census's too), so the table holds
//                   about retention_s of events, not every session since the store began
//
// Each destination's progress is its own column of the feed table, so a restart (kill -9
// included) resumes each where its marks say: the file recovers a batch written but not
// marked from its own last lines (never twice), the webhook posts it again (at least once).
// A failure (the store, the disk) drops the connection and the open file; the next round opens
// both again, and reopening the file is what finds a batch written but not marked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "host/billing/billing_stats.h"

namespace gm::billing {

struct FeedSettings {
  std::string file;              // feed_file: the JSON-lines file; "" none
  std::string webhook;           // feed_webhook: http://host:port/path; "" none
  uint32_t lease_s = 60;         // feed_lease_s: how long a node's lease lasts unrenewed
  uint32_t round_ms = 500;       // between rounds that found nothing to do
  uint32_t webhook_timeout_ms = 3000;  // each step of a POST; the whole within 4 x this
  uint32_t retention_s = 7 * 86400;  // feed_retention_s: events delivered are kept this long; 0 for ever
  uint32_t prune_every_s = 60;       // between pruning rounds that found no full batch
  std::string node;              // the lease holder's name; "" this process (this_node())
  bool any() const { return !file.empty() || !webhook.empty(); }
};

class FeedDelivery {
 public:
  // store: the spec open_store() opens (each destination opens its own connection).
  FeedDelivery(std::string store, FeedSettings settings, host::FeedStats& stats);
  ~FeedDelivery();
  FeedDelivery(const FeedDelivery&) = delete;
  FeedDelivery& operator=(const FeedDelivery&) = delete;

  // Starts a thread per destination set, and the pruning thread unless retention_s is 0.
  // Throws std::runtime_error naming the feed_file that cannot be opened for appending.
  void start();
  // Finishes the batch under way, gives the leases back (another node may take them at once).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::billing
