#include "shared/record/usage_record.h"

#include <cstring>

namespace gm {

void copy_text(char* dst, size_t cap, const char* src) {
  if (cap == 0) return;
  size_t n = 0;
  while (n + 1 < cap && src[n] != '\0') ++n;
  std::memcpy(dst, src, n);
  dst[n] = '\0';
}

void to_wire(const UsageRecord& in, gatemeter_UsageRecord& out) {
  out = gatemeter_UsageRecord_init_zero;
  out.session_id = in.session_id;
  out.seq = in.seq;
  out.kind = static_cast<gatemeter_RecordKind>(in.kind);
  out.charged_s = in.totals.charged_s;
  out.free_s = in.totals.free_s;
  out.octets_in = in.totals.octets_in;
  out.octets_out = in.totals.octets_out;
  copy_text(out.subscriber, sizeof out.subscriber, in.subscriber);
  copy_text(out.service, sizeof out.service, in.service);
  out.billing = static_cast<gatemeter_BillingOption>(in.billing);
  out.stop_cause = static_cast<gatemeter_StopCause>(in.cause);
  out.start_time_unix = in.start_unix;
  out.billing_outage = in.billing_outage;
}

namespace {
// What the agent sends: a subscriber as valid_identity() admits it (printable ASCII, no space)
// and a service name from its table. Anything else did not come from a gatemeter agent, and a
// byte outside ASCII would be stored differently by the two stores (PostgreSQL text must be
// UTF-8, SQLite keeps any bytes).
bool printable_ascii(const char* s, bool space_allowed) {
  for (; *s != '\0'; ++s)
    if (*s < (space_allowed ? ' ' : '!') || *s > '~') return false;
  return true;
}
}  // namespace

bool from_wire(const gatemeter_UsageRecord& in, UsageRecord& out) {
  if (in.session_id == 0 || in.seq == 0) return false;
  const int32_t kind = wire_enum(in.kind);
  if (kind < gatemeter_RecordKind_RECORD_START || kind > gatemeter_RecordKind_RECORD_STOP)
    return false;
  const int32_t billing = wire_enum(in.billing), cause = wire_enum(in.stop_cause);
  if (billing < 0 || billing >= _gatemeter_BillingOption_ARRAYSIZE) return false;
  if (cause < 0 || cause >= _gatemeter_StopCause_ARRAYSIZE) return false;
  if (std::strchr(in.subscriber, '@') == nullptr) return false;
  if (!printable_ascii(in.subscriber, false) || !printable_ascii(in.service, true)) return false;
  out.session_id = in.session_id;
  out.seq = in.seq;
  out.kind = static_cast<uint8_t>(kind);
  out.totals = {in.charged_s, in.free_s, in.octets_in, in.octets_out};
  copy_text(out.subscriber, sizeof out.subscriber, in.subscriber);
  copy_text(out.service, sizeof out.service, in.service);
  out.billing = static_cast<uint8_t>(billing);
  out.cause = static_cast<uint8_t>(cause);
  out.start_unix = in.start_time_unix;
  out.billing_outage = in.billing_outage;
  return true;
}

}  // namespace gm
