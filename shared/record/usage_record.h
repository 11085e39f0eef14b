// A usage record as both sides hold it in memory: the compact form the agent keeps in its
// outbox and journal, and the census applies. On the wire it travels as gatemeter_UsageRecord
// (shared/proto); to_wire/from_wire are the only conversions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "gatemeter.pb.h"

namespace gm {

// From gatemeter.options (max_size includes the terminating NUL).
inline constexpr size_t subscriber_capacity = sizeof(gatemeter_UsageRecord{}.subscriber);
inline constexpr size_t service_capacity = sizeof(gatemeter_UsageRecord{}.service);

struct UsageTotals {
  uint32_t charged_s = 0;
  uint32_t free_s = 0;
  uint64_t octets_in = 0;
  uint64_t octets_out = 0;

  friend bool operator==(const UsageTotals& a, const UsageTotals& b) {
    return a.charged_s == b.charged_s && a.free_s == b.free_s && a.octets_in == b.octets_in &&
           a.octets_out == b.octets_out;
  }
  friend bool operator!=(const UsageTotals& a, const UsageTotals& b) { return !(a == b); }
};

struct UsageRecord {
  uint64_t session_id = 0;
  uint64_t start_unix = 0;
  UsageTotals totals;
  uint32_t seq = 0;
  uint8_t kind = gatemeter_RecordKind_RECORD_KIND_UNSPECIFIED;  // gatemeter_RecordKind
  uint8_t cause = gatemeter_StopCause_STOP_CAUSE_NONE;          // gatemeter_StopCause
  uint8_t billing = gatemeter_BillingOption_BILLING_UNSPECIFIED;  // gatemeter_BillingOption
  // No billing server answered and the realm's outage policy let the session go on without a
  // grant (UsageRecord.billing_outage): billing rates it from its records afterwards.
  bool billing_outage = false;
  char subscriber[subscriber_capacity] = {};  // "user@realm", NUL-terminated
  char service[service_capacity] = {};
};

void to_wire(const UsageRecord& in, gatemeter_UsageRecord& out);

// False (and `out` unspecified) if the wire record is not one a census may apply: no session
// id, sequence 0, unknown kind, or a subscriber without a realm.
bool from_wire(const gatemeter_UsageRecord& in, UsageRecord& out);

// The integer nanopb stored in an enum field. proto3 enums are open: a decoded field may hold
// any value, and reading it as the enum type would be undefined, so receivers read it here.
// (The field's size follows the ABI: int on Linux, the smallest fitting type on bare-metal ARM,
// where enums are short.)
template <typename Enum>
int32_t wire_enum(const Enum& field) {
  std::underlying_type_t<Enum> v;
  __builtin_memcpy(&v, &field, sizeof v);
  return static_cast<int32_t>(v);
}

// Copies a C string into a fixed field, truncating; the field is always NUL-terminated.
void copy_text(char* dst, size_t cap, const char* src);

}  // namespace gm
