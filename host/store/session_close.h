// Ending open sessions outside the census's commit (the billing service's sweep, a NAS's
// Accounting-On, a restart's login): state 2 with the cause, totals and charge as the last
// record left them, all in the caller's transaction; with `keeper`, an ended roaming session's
// raw settlement record too (roaming_keeper.h).
#pragma once

#include <cstdint>
#include <optional>

#include "host/store/feed_event.h"
#include "host/store/roaming_keeper.h"
#include "host/store/sql_session.h"

namespace gm::host {

// Closes (agent, session_id) if it is open (and, given `at_seq`, still at that seq: a record
// committed since keeps it open), its authorisation ended and its feed row written. Returns
// what was closed, or nullopt if nothing was. Must run inside db.write(). keeper: nullptr where
// no session is a gatemeter agent's (a NAS's).
std::optional<EndedSession> close_open_session(sql::Session& db, int64_t agent, uint64_t session_id,
                                               std::optional<uint32_t> at_seq, int32_t cause,
                                               int64_t now_unix, const RoamingKeeper* keeper);

// A restart's login with keeping on: closes every open session of the agent (state 2, `cause`)
// and keeps the roaming ones; how many were closed. No feed rows and no authorisation changes
// (the login does those for the whole agent). Inside the login's transaction.
size_t close_restarted_sessions(sql::Session& db, int64_t agent, int32_t cause, int64_t now_unix,
                                const RoamingKeeper& keeper);

}  // namespace gm::host
