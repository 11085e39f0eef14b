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

class FeedOutbox {
 public:
  virtual ~FeedOutbox() = default;
  // The oldest events `sink` has not had yet, in id order.
  virtual std::vector<FeedEvent> undelivered(FeedSink sink, size_t limit) = 0;
  virtual void mark_delivered(FeedSink sink, const std::vector<int64_t>& ids, int64_t now_unix) = 0;
};

}  // namespace gm::host
