// Step 2 of the census, without any I/O: one received datagram, checked against the login
// session it names, becomes what the commit applies for it and the skeleton of its ack, or a
// refusal naming why. No store write, no socket, no thread: what needs the store (the replay
// check across nodes and restarts, closed logins, newest-wins) happens in the commit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "host/census/login_registry.h"
#include "host/census/verified_batch.h"
#include "shared/frame/frame_format.h"

namespace gm::host {

// The open login session with this id, or nullptr (LoginRegistry::find).
using LoginLookup = std::function<std::shared_ptr<LoginEntry>(uint64_t login_session)>;

struct Verification {
  // Why the datagram was refused as a whole: none if it was appended to the batch.
  frame::Refusal refusal = frame::Refusal::none;
  // Records of an accepted datagram that fail from_wire: left out, each refused as
  // CensusRefusal::invalid_record.
  uint32_t invalid_records = 0;
  bool accepted() const { return refusal == frame::Refusal::none; }
};

// Peeks the header, finds the login session, opens the frame (tag, the login's replay window,
// decode as a metering batch; the window marks the seq only if all pass), and validates every
// record (from_wire). An accepted datagram is appended to `into`: one VerifiedDatagram, its
// valid records and its confirmations, each naming its index, and a PendingAck listing the
// valid records, addressed to `from`. A refused one leaves `into` unchanged.
Verification verify_datagram(std::span<const uint8_t> datagram, const ReplyPath& from,
                             const LoginLookup& find_login, VerifiedBatch& into);

}  // namespace gm::host
