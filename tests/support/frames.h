// Test helpers for building frames and messages; header-only so every test suite and the fuzz
// seed generator can use them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "shared/frame/frame_codec.h"

namespace gm::test {

inline frame::TagKey test_key(uint8_t first = 0) {
  frame::TagKey k{};
  for (size_t i = 0; i < sizeof k.bytes; ++i) k.bytes[i] = static_cast<uint8_t>(first + i);
  return k;
}

inline gatemeter_UsageRecord make_record(uint64_t session, uint32_t seq,
                                         gatemeter_RecordKind kind = gatemeter_RecordKind_RECORD_INTERIM) {
  gatemeter_UsageRecord r = gatemeter_UsageRecord_init_zero;
  r.session_id = session;
  r.seq = seq;
  r.kind = kind;
  r.charged_s = 60 * seq;
  r.free_s = 5 * seq;
  r.octets_in = 1'000'000ull * seq;
  r.octets_out = 250'000ull * seq;
  std::snprintf(r.subscriber, sizeof r.subscriber, "user%llu@realm.example",
                static_cast<unsigned long long>(session));
  std::snprintf(r.service, sizeof r.service, "wifi-basic");
  r.billing = gatemeter_BillingOption_BILLING_PREPAID;
  r.start_time_unix = 1'790'000'000ull;
  return r;
}

inline gatemeter_MeteringBatch make_batch(size_t records, uint64_t first_session = 1000,
                                          uint32_t seq = 1) {
  gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
  b.records_count = static_cast<pb_size_t>(records);
  for (size_t i = 0; i < records; ++i) b.records[i] = make_record(first_session + i, seq);
  b.agent_time_unix = 1'790'000'060ull;
  return b;
}

inline std::vector<uint8_t> seal_batch(const gatemeter_MeteringBatch& b, uint64_t login_session,
                                       uint32_t seq, const frame::TagKey& key) {
  std::vector<uint8_t> out(frame::max_frame_size);
  const frame::Header h{frame::FrameKind::metering_batch, login_session, seq};
  out.resize(frame::seal(h, &b, key, out.data(), out.size()));
  return out;
}

// Replaces the tag so that a deliberately altered frame is authentic again: lets a test reach
// the checks that come after the tag.
inline void resign(std::vector<uint8_t>& f, const frame::TagKey& key) {
  uint8_t tag[frame::tag_size];
  frame::compute_tag(key, f.data(), f.size() - frame::tag_size, tag);
  std::memcpy(f.data() + f.size() - frame::tag_size, tag, frame::tag_size);
}

}  // namespace gm::test
