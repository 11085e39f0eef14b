// Ended roaming sessions kept for settlement (host/settlement/raw_from_roaming.h), each written
// as a raw settlement record in the very transaction that ends the session: the census's commit
// of its STOP, the billing service's sweep (session_close.h), a restart's login. A session ends
// once: every one of those moves it from open (state 0) to ended under the database's lock
// (the census reads its rows FOR UPDATE, the sweep's and the login's UPDATE ... WHERE state = 0),
// so its raw record is written exactly when, and as often as, that move commits: a resent,
// replayed or late record, or a second node sweeping, writes none. Nothing is kept if the
// transaction rolls back, and a commit that throws after committing (the connection dropped)
// is followed by the agent's resend, which no longer ends an open session.
//
// What this gives up: a record that raises a session's totals after the host closed it (an
// agent's STOP from flash after its restart's login) raises the usage ledger but not the raw
// record written at the close, since a second record could not be told from a new usage by
// cleaning; the usage ledger still has it. A cursor over ended sessions was the alternative:
// it would need an index on the sessions' state, which the census's hot path must not pay.
#pragma once

#include <cstdint>
#include <optional>

#include "host/billing/time_zone.h"
#include "host/settlement/raw_from_roaming.h"
#include "host/settlement/settlement_record.h"
#include "host/store/feed_event.h"
#include "host/store/sql_session.h"

namespace gm::host {

class RoamingKeeper {
 public:
  // Off unless settings.on; the zone loaded once (BillingError naming it when it is not one).
  explicit RoamingKeeper(const settlement::RoamingSettlement& settings);
  bool on() const { return zone_.has_value(); }
  // A raw record for `ended` (agent: the store's agents.id) if keeping is on and it was a
  // BILLING_ROAMING session; returns whether one was written. Inside the ending transaction.
  bool keep(sql::Session& db, int64_t agent, const EndedSession& ended, int64_t now_unix) const;

 private:
  std::string local_server_;
  std::optional<billing::TimeZone> zone_;
};

}  // namespace gm::host
