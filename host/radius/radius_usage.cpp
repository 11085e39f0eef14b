#include "host/radius/radius_usage.h"

#include <cstring>

#include "gatemeter.pb.h"

namespace gm::radius {

namespace {

// Highest seq a session time may take: four per second (start, interim, -, stop) in 32 bits.
constexpr uint32_t max_session_time_s = UINT32_MAX / 4;

uint32_t rank(Status s) {
  switch (s) {
    case Status::start: return 0;
    case Status::interim_update: return 1;
    default: return 3;  // stop
  }
}

}  // namespace

const char* refusal_name(UsageRefusal r) {
  switch (r) {
    case UsageRefusal::none: return "none";
    case UsageRefusal::no_user: return "no_user";
    case UsageRefusal::too_long: return "too_long";
  }
  return "?";
}

int32_t stop_cause_of(uint32_t c) {
  switch (c) {
    case 1: return gatemeter_StopCause_STOP_USER_REQUEST;     // User-Request
    case 2: return gatemeter_StopCause_STOP_LOST_CARRIER;     // Lost-Carrier
    case 3: return gatemeter_StopCause_STOP_LOST_CARRIER;     // Lost-Service
    case 4: return gatemeter_StopCause_STOP_IDLE_TIMEOUT;     // Idle-Timeout
    case 5: return gatemeter_StopCause_STOP_SESSION_TIMEOUT;  // Session-Timeout
    case 6: return gatemeter_StopCause_STOP_HOST_COMMAND;     // Admin-Reset
    case 7: return gatemeter_StopCause_STOP_AGENT_RESTART;    // Admin-Reboot
    case 11: return gatemeter_StopCause_STOP_AGENT_RESTART;   // NAS-Reboot
    default: return gatemeter_StopCause_STOP_CAUSE_NONE;
  }
}

std::string subscriber_named(std::string_view user_name, const std::string& default_realm) {
  std::string out(user_name);
  if (out.find('@') == std::string::npos) out += "@" + default_realm;
  return out;
}

std::string subscriber_of(const AccountingRecord& a, const std::string& default_realm) {
  return subscriber_named(a.user_name, default_realm);
}

UsageRefusal usable(const AccountingRecord& a, const std::string& default_realm) {
  if (a.status == Status::accounting_on || a.status == Status::accounting_off)
    return UsageRefusal::none;
  if (a.user_name.empty()) return UsageRefusal::no_user;
  if (subscriber_of(a, default_realm).size() >= subscriber_capacity ||
      a.session_time_s > max_session_time_s)
    return UsageRefusal::too_long;
  return UsageRefusal::none;
}

UsageRefusal to_usage(const AccountingRecord& a, int64_t agent, uint64_t session_id,
                      const std::string& default_realm, host::VerifiedRecord& out) {
  out = host::VerifiedRecord{};
  if (const UsageRefusal u = usable(a, default_realm); u != UsageRefusal::none) return u;
  const std::string subscriber = subscriber_of(a, default_realm);
  out.agent = agent;
  UsageRecord& r = out.record;
  r.session_id = session_id;
  r.start_unix = a.start_unix > 0 ? static_cast<uint64_t>(a.start_unix) : 0;
  r.totals = {a.session_time_s, 0, a.input_octets, a.output_octets};
  r.seq = a.session_time_s * 4 + rank(a.status) + 1;  // from 1: seq 0 is "nothing applied"
  r.kind = a.status == Status::start          ? gatemeter_RecordKind_RECORD_START
           : a.status == Status::interim_update ? gatemeter_RecordKind_RECORD_INTERIM
                                                : gatemeter_RecordKind_RECORD_STOP;
  if (a.status == Status::stop) r.cause = static_cast<uint8_t>(stop_cause_of(a.terminate_cause));
  std::memcpy(r.subscriber, subscriber.c_str(), subscriber.size() + 1);
  std::strcpy(r.service, "data");
  out.agent_unix = a.event_unix;
  return UsageRefusal::none;
}

}  // namespace gm::radius
