// What the verifier produces, the commit queue holds and the committer commits: the commit
// (datagrams, records, confirmations) and, for each datagram commit.datagrams[i], acks[i], the
// acknowledgement it is owed if the commit accepts it.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <vector>

#include "host/census/login_registry.h"
#include "host/store/store_types.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

// Where a datagram came from, so where its ack goes: the socket it arrived on (any of the
// census's would do, they share the port, but one keeps each sendmmsg to one socket) and the
// sender's address.
struct ReplyPath {
  int fd = -1;
  sockaddr_in to{};
};

// An acknowledgement owed once the records it names are committed.
struct PendingAck {
  ReplyPath reply;
  std::shared_ptr<LoginEntry> login;
  uint32_t seq = 0;  // the datagram's frame sequence, which the ack's frame carries
  pb_size_t count = 0;
  gatemeter_RecordAck records[wire::max_ack_records];
};

struct VerifiedBatch {
  CensusCommit commit;
  std::vector<PendingAck> acks;
  void clear() {
    commit.clear();
    acks.clear();
  }
  bool empty() const { return acks.empty(); }
};

}  // namespace gm::host
