#include "shared/proto/wire_names.h"

#include <cstddef>

#include "gatemeter.pb.h"

namespace gm::wire {

namespace {

const char* after_prefix(const char* s, const char* prefix) {
  for (; *prefix != '\0'; ++s, ++prefix)
    if (*s != *prefix) return nullptr;
  return s;
}

// The first of `prefixes` that the generated name starts with is dropped. A generated name that
// none matches is nanopb's "unknown" for a gap between values.
template <typename Enum, size_t N>
EnumName short_name(int32_t v, Enum lo, Enum hi, const char* (*generated)(Enum),
                    const char* const (&prefixes)[N]) {
  // Checked before the cast: an int outside the enum's range is not a value of its type.
  if (v < lo || v > hi) return EnumName{"invalid"};
  const char* full = generated(static_cast<Enum>(v));
  const char* rest = nullptr;
  for (size_t i = 0; i < N && rest == nullptr; ++i) rest = after_prefix(full, prefixes[i]);
  if (rest == nullptr || *rest == '\0') return EnumName{"invalid"};
  EnumName n{};
  for (size_t k = 0; rest[k] != '\0' && k + 1 < sizeof n.text; ++k)
    n.text[k] = rest[k] >= 'A' && rest[k] <= 'Z' ? static_cast<char>(rest[k] - 'A' + 'a') : rest[k];
  return n;
}

// STOP_CAUSE_NONE carries the enum's whole name, the others only its first word.
constexpr const char* stop_cause_prefixes[] = {"STOP_CAUSE_", "STOP_"};
constexpr const char* billing_prefixes[] = {"BILLING_"};
constexpr const char* outage_prefixes[] = {"OUTAGE_"};
constexpr const char* reject_prefixes[] = {"REJECT_"};
constexpr const char* decision_prefixes[] = {"AUTH_"};

}  // namespace

EnumName stop_cause_name(int32_t cause) {
  return short_name(cause, _gatemeter_StopCause_MIN, _gatemeter_StopCause_MAX,
                    gatemeter_StopCause_name, stop_cause_prefixes);
}

EnumName billing_name(int32_t billing) {
  return short_name(billing, _gatemeter_BillingOption_MIN, _gatemeter_BillingOption_MAX,
                    gatemeter_BillingOption_name, billing_prefixes);
}

EnumName outage_policy_name(int32_t policy) {
  return short_name(policy, _gatemeter_OutagePolicy_MIN, _gatemeter_OutagePolicy_MAX,
                    gatemeter_OutagePolicy_name, outage_prefixes);
}

EnumName reject_reason_name(int32_t reason) {
  return short_name(reason, _gatemeter_RejectReason_MIN, _gatemeter_RejectReason_MAX,
                    gatemeter_RejectReason_name, reject_prefixes);
}

EnumName auth_decision_name(int32_t decision) {
  return short_name(decision, _gatemeter_AuthDecision_MIN, _gatemeter_AuthDecision_MAX,
                    gatemeter_AuthDecision_name, decision_prefixes);
}

}  // namespace gm::wire
