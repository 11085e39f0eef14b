// Settlement's records (SETTLEMENT.md; the roaming seed, ../shared/seeds/002_..., Fig. 7):
// what lands in the raw table (the seed's seventeen fields, as received), what cleaning makes
// of it for the history table, and the member providers that serve and consume roaming.
// Plain data; money is integer micro-units (host/billing/money.h), times unix seconds UTC.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "host/billing/money.h"

namespace gm::settlement {

using billing::Micros;

// One raw record, field by field as the seed lists them (its seventeen fields).
struct RawRecord {
  std::string user_name;      // 1. the user, as the NAS sent it (may carry "@domain")
  std::string user_domain;    // 2. the home domain (realm), "" if only in user_name
  std::string status_type;    // 3. Acct-Status-Type: "Start", "Stop", "Interim-Update",
                              //    "Accounting-On", "Accounting-Off"
  std::string session_id;     // 4. Acct-Session-Id
  int64_t session_time_s = 0; // 5. Acct-Session-Time
  int64_t delay_time_s = 0;   // 6. Acct-Delay-Time
  std::string nas_id;         // 7. the NAS (communications server) identifier
  std::string local_server;   // 8. local AAS id: the serving provider's server
  std::string home_server;    // 9. home AAS id: the home provider's server ("" unknown)
  int64_t stop_gmt_unix = 0;  // 10. stop time, GMT
  std::string stop_local;     // 11. stop time, local, as sent: "YYYY-MM-DD HH:MM:SS"
  std::string time_zone;      // 12. the local time's zone as sent (IANA name or "+HH:MM")
  int64_t entry_id = 0;       // 13. entry id: the raw table's key
  int64_t create_unix = 0;    // 14. create date: when the raw row was written
  int64_t history_unix = 0;   // 15. when it was put in the history table (0: not yet)
  int32_t record_status = 0;  // 16. RecordStatus
  int32_t pair_status = 0;    // 17. PairStatus (a Stop matched to its Start)
  std::string refusal;        // the store's: why cleaning last left it unbilled ("" clean or
                              // not cleaned yet), refusal_name / irrelevance_name / "duplicate"
};

// Field 16: where cleaning left the raw record.
enum class RecordStatus : int32_t {
  raw = 0,          // not yet cleaned
  clean = 1,        // normalised into the history table
  duplicate = 2,    // the same usage as an earlier record (cleaning.h)
  irrelevant = 3,   // not billable: Start, Interim, Accounting-On/Off, zero duration
  quarantined = 4,  // an error: its reason kept, fixable, cleaned again on a re-run
};

// Field 17.
enum class PairStatus : int32_t { unpaired = 0, paired = 1 };

// A member provider of the settlement (settlement_providers).
struct Provider {
  std::string id;       // short name in records and reports: "Aimnet"
  std::string country;  // where it serves: "USA"
};

// Who is who: the member providers, and the servers and realms that name them.
struct ProviderDirectory {
  std::map<std::string, Provider> providers;           // by Provider::id
  std::map<std::string, std::string> server_provider;  // AAS server id -> provider id
  std::map<std::string, std::string> realm_provider;   // realm (lower case) -> home provider id
};

// A clean, billable usage record (the history table): one connection of a user of the home
// provider through the serving provider's network.
struct HistoryRecord {
  int64_t entry_id = 0;        // the raw record it came from
  std::string user;            // "user@realm", lower case
  std::string realm;           // lower case
  std::string service = "RM";  // the seed's service type: RM roaming
  std::string session_id;
  uint32_t session_time_s = 0;  // the connection's seconds (> 0)
  int64_t stop_unix = 0;        // UTC
  std::string stop_local;       // "YYYY-MM-DD HH:MM:SS", the local time the record gave
  std::string time_zone;
  std::string home_provider;     // who consumed (the user's provider)
  std::string home_country;
  std::string serving_provider;  // whose network served
  std::string serving_country;
  std::string nas_id;
};

}  // namespace gm::settlement
