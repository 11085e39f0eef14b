// What settlement keeps of one gatemeter agent's roaming session (BILLING_ROAMING: the
// subscriber's realm belongs to another provider) once the session has ended: the raw table's
// row (settlement_record.h), the seed's seventeen fields as a RADIUS Stop would carry them, so
// cleaning (cleaning.h) judges both sources alike. The agent is the NAS; the local server is
// this operator's server as the settlement directory knows it (`census_settlement_server`); the
// home server is left empty, as in a RADIUS record: cleaning finds the home provider by the
// realm (settlement_realms).
#pragma once

#include <cstdint>
#include <string>

#include "host/billing/time_zone.h"
#include "host/settlement/settlement_record.h"

namespace gm::settlement {

// The settings (host/census/census_config.cpp): whether ended roaming sessions are kept as raw
// records, the local server id their records name, the zone of their local stop times.
struct RoamingSettlement {
  bool on = false;
  std::string local_server;
  std::string time_zone = "UTC";
};

// One ended session as the usage ledger holds it.
struct EndedRoaming {
  std::string agent_id;  // the agent's name: the NAS id
  uint64_t session_id = 0;
  std::string subscriber;   // "user@realm" as the agent sent it
  uint64_t start_unix = 0;  // agent clock
  uint32_t connect_s = 0;   // charged + free seconds: the whole connection
  int64_t end_unix = 0;     // when the host ended it (commit, sweep or login time)
};

// "YYYY-MM-DD HH:MM:SS" of `unix` in `zone`.
std::string local_text(const billing::TimeZone& zone, int64_t unix);

// The stop is the session's start plus its connection time by the agent's clock (the end of
// its usage, also when the host closed it later as stale); `end_unix` instead when the agent's
// start is unknown or that sum lies after it (a clock ahead), so a stop is never in the future.
// Session id in decimal. Fields 13 to 17 are the store's: 0 here.
RawRecord raw_from_roaming(const EndedRoaming& e, const std::string& local_server,
                           const billing::TimeZone& zone, int64_t create_unix);

}  // namespace gm::settlement
