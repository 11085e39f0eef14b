// Ending one open session outside the census's commit (the billing service's sweep, a NAS's
// Accounting-On): state 2 with the cause, totals and charge as the last record left them, its
// authorisation ended and its feed row written, all in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>

#include "host/store/feed_event.h"
#include "host/store/sql_session.h"

namespace gm::host {

// Closes (agent, session_id) if it is open (and, given `at_seq`, still at that seq: a record
// committed since keeps it open). Returns what was closed, or nullopt if nothing was. Must run
// inside db.write().
std::optional<EndedSession> close_open_session(sql::Session& db, int64_t agent, uint64_t session_id,
                                               std::optional<uint32_t> at_seq, int32_t cause,
                                               int64_t now_unix);

}  // namespace gm::host
