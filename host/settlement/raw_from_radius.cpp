#include "host/settlement/raw_from_radius.h"

#include "host/radius/access_relay.h"

namespace gm::settlement {

const char* status_text(radius::Status s) {
  switch (s) {
    case radius::Status::start: return "Start";
    case radius::Status::stop: return "Stop";
    case radius::Status::interim_update: return "Interim-Update";
    case radius::Status::accounting_on: return "Accounting-On";
    case radius::Status::accounting_off: return "Accounting-Off";
  }
  return "?";
}

RawRecord raw_from_accounting(const radius::AccountingRecord& a, const std::string& local_server,
                              const billing::TimeZone& zone, int64_t create_unix) {
  RawRecord r;
  r.user_name = a.user_name;
  r.user_domain = radius::realm_of(a.user_name);  // "" when the name carries none
  r.status_type = status_text(a.status);
  r.session_id = a.session_id;
  r.session_time_s = a.session_time_s;
  r.delay_time_s = a.delay_time_s;
  r.nas_id = a.nas();
  r.local_server = local_server;
  // The home server is not in an Accounting-Request: cleaning finds the home provider by the
  // realm.
  r.stop_gmt_unix = a.event_unix;
  r.stop_local = local_text(zone, a.event_unix);
  r.time_zone = zone.name();
  r.create_unix = create_unix;
  return r;
}

}  // namespace gm::settlement
