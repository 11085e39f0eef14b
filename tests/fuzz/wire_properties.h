// What the fuzz targets use to state a property: field-by-field equality of decoded wire
// messages, and require(), which names the broken property and stops the run.
//
// Equality is what a reader of the message sees: strings up to their NUL (nanopb stops every
// reader there, and re-encoding keeps only that much), fixed-length bytes in full, repeated
// fields up to their count, and enums read as the integer nanopb stored (wire_enum: proto3
// enums are open, and reading an out-of-range value as the enum type is undefined).
// A field added to the .proto must be added here too; until it is, the frame target's
// byte-for-byte re-seal check still covers it. (The #ifdef'd fields are those being added
// to the .proto alongside this target: compared once the generated header has them.)
#pragma once

#include <cstdio>
#include <cstring>

#include "gatemeter.pb.h"
#include "shared/record/usage_record.h"

namespace gm::fuzz {

// A property that does not hold is a finding: say which, then trap so libFuzzer keeps the
// input as a crash artifact.
inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  __builtin_trap();
}

inline bool same_text(const char* a, const char* b) {
  return std::strcmp(a, b) == 0;
}

inline bool same(const gatemeter_UsageRecord& a, const gatemeter_UsageRecord& b) {
  return a.session_id == b.session_id && a.seq == b.seq && wire_enum(a.kind) == wire_enum(b.kind) &&
         a.charged_s == b.charged_s && a.free_s == b.free_s && a.octets_in == b.octets_in &&
         a.octets_out == b.octets_out && same_text(a.subscriber, b.subscriber) &&
         same_text(a.service, b.service) && wire_enum(a.billing) == wire_enum(b.billing) &&
         wire_enum(a.stop_cause) == wire_enum(b.stop_cause) &&
         a.start_time_unix == b.start_time_unix && a.billing_outage == b.billing_outage;
}

inline bool same(const gatemeter_Grant& a, const gatemeter_Grant& b) {
  return a.charged_s == b.charged_s && a.octets == b.octets && a.validity_s == b.validity_s &&
         a.final == b.final && a.final_redirect == b.final_redirect;
}

inline bool same(const gatemeter_Offer& a, const gatemeter_Offer& b) {
  return wire_enum(a.option) == wire_enum(b.option) && same_text(a.label, b.label) &&
         same_text(a.terms, b.terms);
}

inline bool same(const gatemeter_MeteringBatch& a, const gatemeter_MeteringBatch& b) {
  if (a.records_count != b.records_count || a.agent_time_unix != b.agent_time_unix) return false;
  for (pb_size_t i = 0; i < a.records_count; ++i)
    if (!same(a.records[i], b.records[i])) return false;
#ifdef gatemeter_MeteringBatch_confirmed_commands_tag  // command confirmations (issue 10, part 4)
  if (a.confirmed_commands_count != b.confirmed_commands_count) return false;
  for (pb_size_t i = 0; i < a.confirmed_commands_count; ++i)
    if (a.confirmed_commands[i] != b.confirmed_commands[i]) return false;
#endif
  return true;
}

inline bool same(const gatemeter_Command& a, const gatemeter_Command& b) {
  return wire_enum(a.kind) == wire_enum(b.kind) && a.session_id == b.session_id &&
         wire_enum(a.cause) == wire_enum(b.cause) && a.interval_s == b.interval_s &&
         same_text(a.component, b.component) && a.version == b.version &&
#ifdef gatemeter_Command_id_tag  // command ids (issue 10, part 4)
         a.id == b.id &&
#endif
         wire_enum(a.decision) == wire_enum(b.decision) && a.has_grant == b.has_grant &&
         (!a.has_grant || same(a.grant, b.grant)) && a.balance_micros == b.balance_micros &&
         a.free_s == b.free_s;
}

inline bool same(const gatemeter_Ack& a, const gatemeter_Ack& b) {
  if (a.datagram_seq != b.datagram_seq || a.records_count != b.records_count ||
      a.commands_count != b.commands_count)
    return false;
  for (pb_size_t i = 0; i < a.records_count; ++i)
    if (a.records[i].session_id != b.records[i].session_id || a.records[i].seq != b.records[i].seq)
      return false;
  for (pb_size_t i = 0; i < a.commands_count; ++i)
    if (!same(a.commands[i], b.commands[i])) return false;
  return true;
}

inline bool same(const gatemeter_AuthRequest& a, const gatemeter_AuthRequest& b) {
  return a.session_id == b.session_id && same_text(a.subscriber, b.subscriber) &&
         same_text(a.service, b.service) && wire_enum(a.billing) == wire_enum(b.billing) &&
         same_text(a.account, b.account) &&
         same_text(a.subscriber_address, b.subscriber_address) && a.request == b.request;
}

inline bool same(const gatemeter_AuthResponse& a, const gatemeter_AuthResponse& b) {
  return a.session_id == b.session_id && wire_enum(a.decision) == wire_enum(b.decision) &&
         a.temporary_s == b.temporary_s && a.session_timeout_s == b.session_timeout_s &&
         a.idle_timeout_s == b.idle_timeout_s && same_text(a.reason, b.reason) &&
         a.request == b.request && a.has_grant == b.has_grant &&
         (!a.has_grant || same(a.grant, b.grant)) && wire_enum(a.reject) == wire_enum(b.reject) &&
         a.balance_micros == b.balance_micros &&
         wire_enum(a.outage_policy) == wire_enum(b.outage_policy);
}

inline bool same(const gatemeter_OfferRequest& a, const gatemeter_OfferRequest& b) {
  return same_text(a.realm, b.realm);
}

inline bool same(const gatemeter_OfferResponse& a, const gatemeter_OfferResponse& b) {
  if (!same_text(a.realm, b.realm) || a.offers_count != b.offers_count ||
      wire_enum(a.outage_policy) != wire_enum(b.outage_policy))
    return false;
  for (pb_size_t i = 0; i < a.offers_count; ++i)
    if (!same(a.offers[i], b.offers[i])) return false;
  return true;
}

// The in-memory record: every field, strings up to their NUL.
inline bool same(const UsageRecord& a, const UsageRecord& b) {
  return a.session_id == b.session_id && a.start_unix == b.start_unix && a.totals == b.totals &&
         a.seq == b.seq && a.kind == b.kind && a.cause == b.cause && a.billing == b.billing &&
         a.billing_outage == b.billing_outage && same_text(a.subscriber, b.subscriber) &&
         same_text(a.service, b.service);
}

}  // namespace gm::fuzz
