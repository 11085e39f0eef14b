#include "host/store/roaming_keeper.h"

#include "gatemeter.pb.h"
#include "host/store/settlement_tables.h"

namespace gm::host {

RoamingKeeper::RoamingKeeper(const settlement::RoamingSettlement& s)
    : local_server_(s.local_server) {
  if (s.on) zone_ = billing::TimeZone::load(s.time_zone);
}

bool RoamingKeeper::keep(sql::Session& db, int64_t agent, const EndedSession& e,
                         int64_t now) const {
  if (!zone_ || e.billing != gatemeter_BillingOption_BILLING_ROAMING) return false;
  // The agent's name, read only for an ended roaming session: every other commit pays nothing.
  const auto name = db.query("SELECT agent_id FROM agents WHERE id = $1", {agent});
  settlement::EndedRoaming r;
  r.agent_id = name.empty() ? std::to_string(agent) : name[0].text(0);
  r.session_id = e.session_id;
  r.subscriber = e.subscriber;
  r.start_unix = e.start_unix;
  r.connect_s = e.totals.charged_s + e.totals.free_s;
  r.end_unix = e.end_unix;
  insert_raw(db, settlement::raw_from_roaming(r, local_server_, *zone_, now), now);
  return true;
}

}  // namespace gm::host
