// Writes the census record target's seed corpus into the folder named on the command line:
// metering-batch payloads (the target frames them itself) with valid records, and records
// that break each rule from_wire enforces, so a bounded run starts on both sides of each.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"
#include "tests/fuzz/seed_corpus.h"
#include "tests/support/frames.h"

namespace {

void write_batch(const std::string& dir, const std::string& name,
                 const gatemeter_MeteringBatch& b) {
  gm::fuzz::write_seed(
      dir, name,
      gm::fuzz::encoded(gatemeter_MeteringBatch_fields, &b, gatemeter_MeteringBatch_size));
}

// An enum field holding a value outside its enum, as a sender may put on the wire (casting
// such a value to the enum type would be undefined).
template <typename Enum>
void set_raw(Enum& field, int32_t value) {
  static_assert(sizeof field == sizeof value, "nanopb stores these enums as int");
  std::memcpy(&field, &value, sizeof value);
}

// A one-record batch whose record is altered by `edit`.
template <typename Edit>
void write_one(const std::string& dir, const std::string& name, Edit edit) {
  gatemeter_MeteringBatch b = gm::test::make_batch(1);
  edit(b.records[0]);
  write_batch(dir, name, b);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = gm::fuzz::corpus_dir(argc, argv, "census_record_fuzz_seeds");
  int seeds = 0;
  for (size_t records : {size_t{0}, size_t{1}, size_t{5}, gm::wire::max_batch_records}) {
    write_batch(dir, "batch" + std::to_string(records), gm::test::make_batch(records));
    ++seeds;
  }
  using R = gatemeter_UsageRecord;
  const std::vector<std::pair<const char*, void (*)(R&)>> edits = {
      {"start", [](R& r) { r.kind = gatemeter_RecordKind_RECORD_START; }},
      {"stop",
       [](R& r) {
         r.kind = gatemeter_RecordKind_RECORD_STOP;
         r.stop_cause = gatemeter_StopCause_STOP_AUTH_REJECTED;
         r.billing = gatemeter_BillingOption_BILLING_ROAMING;
       }},
      {"longest_strings",
       [](R& r) {
         const std::string user(30, 'u');
         std::snprintf(r.subscriber, sizeof r.subscriber, "%s@%s", user.c_str(),
                       std::string(gm::subscriber_capacity - 1 - user.size() - 1, 'r').c_str());
         std::snprintf(r.service, sizeof r.service, "%s",
                       std::string(gm::service_capacity - 1, 's').c_str());
       }},
      {"no_session", [](R& r) { r.session_id = 0; }},
      {"seq_0", [](R& r) { r.seq = 0; }},
      {"kind_unspecified", [](R& r) { r.kind = gatemeter_RecordKind_RECORD_KIND_UNSPECIFIED; }},
      {"kind_unknown", [](R& r) { set_raw(r.kind, 4); }},
      {"kind_negative", [](R& r) { set_raw(r.kind, -1); }},
      {"billing_unknown", [](R& r) { set_raw(r.billing, 6); }},
      {"billing_negative", [](R& r) { set_raw(r.billing, -2); }},
      {"cause_unknown", [](R& r) { set_raw(r.stop_cause, 9); }},
      {"cause_negative", [](R& r) { set_raw(r.stop_cause, -7); }},
      {"no_realm", [](R& r) { std::snprintf(r.subscriber, sizeof r.subscriber, "nobody"); }},
      {"largest_totals",
       [](R& r) {
         r.charged_s = r.free_s = UINT32_MAX;
         r.octets_in = r.octets_out = r.start_time_unix = UINT64_MAX;
         r.session_id = UINT64_MAX;
         r.seq = UINT32_MAX;
       }},
  };
  for (const auto& [name, edit] : edits) {
    write_one(dir, std::string("record_") + name, edit);
    ++seeds;
  }
  std::printf("census_record_fuzz_seeds: wrote %d seeds to %s\n", seeds, dir.c_str());
  return 0;
}
