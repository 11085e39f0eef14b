// Short lowercase names for the wire's enums, as operators read them in censusctl's listings
// and CSV export ("user_request", "prepaid"). Each is nanopb's generated name (enum_to_string in
// gatemeter.options) without the enum's prefix, so a value the proto gains is named with no
// edit here, and no second table of names can drift from the proto.
#pragma once

#include <cstdint>

namespace gm::wire {

// By value, so that naming needs neither the heap nor a table built at run time.
struct EnumName {
  char text[32];
  const char* c_str() const { return text; }
};

// Take the integer, not the enum type: stored columns and decoded proto3 enums are open, and a
// value the proto does not define is named "invalid".
EnumName stop_cause_name(int32_t cause);
EnumName billing_name(int32_t billing);
EnumName outage_policy_name(int32_t policy);
EnumName reject_reason_name(int32_t reason);
EnumName auth_decision_name(int32_t decision);

}  // namespace gm::wire
