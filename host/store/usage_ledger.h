// The usage ledger: subscriber sessions' totals, written by the census.
//
// Every call is one transaction, durable (fsynced, or committed with synchronous_commit on)
// when it returns. When it throws, nothing of it may be acknowledged; with a database server it
// may still have committed (the connection dropped during COMMIT), which costs nothing: the
// agent resends, and newest-wins applies a record once. (Billing therefore rates deltas inside
// the commit's transaction, never after it.)
#pragma once

#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

class UsageLedger {
 public:
  // The census's commit. Per login session, a datagram is accepted only if its login session
  // is open and its seq is above the highest the store has committed for that login session
  // (by whichever census node, however long ago); that highest then rises to the highest
  // accepted. So a replay is refused even by a census that just started or never saw the
  // original, and nothing of a closed login is committed. Records of accepted datagrams are
  // applied newest-wins (a record changes a session only if its seq is above the session's);
  // their confirmations mark the confirming agent's commands delivered. Sets every datagram's
  // verdict and, if asked, the deltas. Refusal counts are added either way.
  virtual void commit_datagrams(CensusCommit& commit, int64_t now_unix) = 0;
  // As commit_datagrams without the replay rule: every datagram counts as accepted, since the
  // caller authenticated each request and answers a duplicate from its own cache (the RADIUS
  // accounting server); records apply newest-wins with deltas, rating, debits and presence.
  virtual void commit_records(CensusCommit& commit, int64_t now_unix) = 0;
  // Records applied newest-wins without a datagram check, with refusal counts: for tools,
  // tests and the login service's counts.
  virtual void apply(const std::vector<VerifiedRecord>& records,
                     const std::vector<RefusalCount>& refusals, int64_t now_unix) = 0;
  // The highest datagram seq committed for a login session (0: none).
  virtual uint32_t committed_datagram_seq(uint64_t login_session) = 0;

 protected:
  ~UsageLedger() = default;
};

}  // namespace gm::host
