#include "host/store/feed_event.h"

#include <cstdio>

#include "host/store/json_text.h"
#include "shared/proto/wire_names.h"

namespace gm::host {

std::string feed_event(const EndedSession& s) {
  const wire::EnumName cause = wire::stop_cause_name(s.stop_cause);
  const wire::EnumName billing = wire::billing_name(s.billing);
  char line[768];
  std::snprintf(line, sizeof line,
                "{\"session_id\":%llu,\"subscriber\":%s,\"service\":%s,"
                "\"billing\":\"%s\",\"start_unix\":%llu,\"end_unix\":%lld,\"charged_s\":%u,"
                "\"free_s\":%u,\"octets_in\":%llu,\"octets_out\":%llu,\"stop_cause\":\"%s\","
                "\"amount_micros\":%lld}",
                static_cast<unsigned long long>(s.session_id), json_string(s.subscriber).c_str(),
                json_string(s.service).c_str(), billing.c_str(),
                static_cast<unsigned long long>(s.start_unix), static_cast<long long>(s.end_unix),
                s.totals.charged_s, s.totals.free_s,
                static_cast<unsigned long long>(s.totals.octets_in),
                static_cast<unsigned long long>(s.totals.octets_out), cause.c_str(),
                static_cast<long long>(s.amount_micros));
  return line;
}

}  // namespace gm::host
