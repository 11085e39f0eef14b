// The command mailbox's row written inside another role's transaction (sql_session.h), so a
// decision and the command that tells the agent commit together: the billing service's
// authorisations (remote answers, top-ups) and its sweep (stale sessions, lost carrier, low
// balance). The same row queue_command writes (SCHEMA.md, commands).
#pragma once

#include <cstdint>

#include "gatemeter.pb.h"
#include "host/store/sql_session.h"

namespace gm::host {

// Inside db.write(); throws StoreError if the command does not encode.
void insert_command(sql::Session& db, int64_t agent, const gatemeter_Command& command,
                    int64_t now_unix);

}  // namespace gm::host
