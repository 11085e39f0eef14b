// Linking a subscriber session to the account it charges (SCHEMA.md, subscriber_sessions.account),
// inside the caller's transaction: the billing service's authorisation, and the RADIUS server
// naming a new session of a known subscriber. A session not seen yet gets its row now, at seq
// 0, so its first record still applies and finds the account; a session with a row keeps it
// and gains the account.
#pragma once

#include <cstdint>

#include "host/store/authorisation_ledger.h"
#include "host/store/sql_session.h"

namespace gm::host {

void link_session_in(sql::Session& db, const SessionLink& link, int64_t now_unix);

}  // namespace gm::host
