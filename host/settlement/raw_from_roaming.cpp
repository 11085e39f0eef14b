#include "host/settlement/raw_from_roaming.h"

#include <cctype>
#include <cstdio>

namespace gm::settlement {

std::string local_text(const billing::TimeZone& zone, int64_t unix) {
  const billing::LocalTime t = zone.local(unix);
  char out[32];
  std::snprintf(out, sizeof out, "%04lld-%02d-%02d %02d:%02d:%02d", static_cast<long long>(t.year),
                t.month, t.day, t.hour, t.minute, t.second);
  return out;
}

RawRecord raw_from_roaming(const EndedRoaming& e, const std::string& local_server,
                           const billing::TimeZone& zone, int64_t create_unix) {
  RawRecord r;
  r.user_name = e.subscriber;
  const auto at = e.subscriber.rfind('@');
  if (at != std::string::npos)
    for (char c : e.subscriber.substr(at + 1))
      r.user_domain += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.status_type = "Stop";
  r.session_id = std::to_string(e.session_id);
  r.session_time_s = e.connect_s;
  r.nas_id = e.agent_id;
  r.local_server = local_server;
  const auto start = static_cast<int64_t>(e.start_unix);
  const int64_t usage_end = start + int64_t{e.connect_s};
  r.stop_gmt_unix = start > 0 && usage_end <= e.end_unix ? usage_end : e.end_unix;
  r.stop_local = local_text(zone, r.stop_gmt_unix);
  r.time_zone = zone.name();
  r.create_unix = create_unix;
  return r;
}

}  // namespace gm::settlement
