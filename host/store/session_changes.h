// What one batch of records does to each subscriber session, worked out before the database sees
// it. PostgreSQL refuses an INSERT ... ON CONFLICT DO UPDATE that reaches one row twice, so the
// PostgreSQL store sends one row per session, and that row must leave what the SQLite store
// leaves by applying the records one at a time, in index order, newest-wins.
//
// Of one session's records, those that can apply form its chain: each record whose seq is above
// every one before it. Which of them do apply depends on the seq the database holds, unknown
// here: those above it (all if the session is new). Applied one at a time, they leave the
// identity (subscriber, realm, service, billing, start) of the first if it creates the session,
// the seq, kind and totals of the newest, and the state and cause of the newest STOP applied.
// So one row does, plus, where the chain's newest STOP is not its newest record (a STOP and a
// later record of one session in one batch: rare), a row for that STOP, applied first.
#pragma once

#include <cstdint>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

inline constexpr uint32_t no_record = UINT32_MAX;

struct SessionChange {
  int64_t agent = 0;
  uint64_t session_id = 0;
  uint32_t first = 0;         // index of the session's first record (its chain's first)
  uint32_t newest = 0;        // of the chain's last: the highest seq, first of equals
  uint32_t stop = no_record;  // of the chain's newest STOP, unless that is `newest`
};

// The changes of records[i] for each i in `included`, one per session, ordered by (agent,
// session_id) as the database orders BIGINT (the bit pattern, signed), the order rows are locked
// in, so that two commits never deadlock on them. `included` is reordered.
void session_changes(const std::vector<VerifiedRecord>& records, std::vector<uint32_t>& included,
                     std::vector<SessionChange>& out);

}  // namespace gm::host
