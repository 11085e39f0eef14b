// A RecordStore that passes every call to a real one and keeps, beside it, the state the
// caller was promised: each mutation that returned ok is applied to the model. While a call is
// running, after_in_flight() is the state it would leave if it completed, so a test that cuts
// the power in the middle of it can say exactly which two states recovery may return.
#pragma once

#include <cstring>
#include <map>
#include <string>

#include "firmware/store/record_store.h"

namespace gm::test {

struct StoreModel {
  std::map<uint64_t, UsageRecord> records;
  store::Counters counters;
  std::string config;
};

inline bool same_record(const UsageRecord& a, const UsageRecord& b) {
  return a.session_id == b.session_id && a.seq == b.seq && a.totals == b.totals &&
         a.kind == b.kind && a.cause == b.cause && a.billing == b.billing &&
         a.start_unix == b.start_unix && std::strcmp(a.subscriber, b.subscriber) == 0 &&
         std::strcmp(a.service, b.service) == 0;
}

inline bool same_model(const StoreModel& a, const StoreModel& b) {
  if (!(a.counters == b.counters) || a.config != b.config || a.records.size() != b.records.size())
    return false;
  for (const auto& [id, r] : a.records) {
    auto it = b.records.find(id);
    if (it == b.records.end() || !same_record(r, it->second)) return false;
  }
  return true;
}

// What a store holds now, read through its public interface. False if a record it lists
// cannot be read back (a corrupted record must never be returned, and never be listed).
inline bool read_model(const store::RecordStore& s, StoreModel& m) {
  m = StoreModel{};
  for (size_t i = 0; i < s.record_count(); ++i) {
    UsageRecord r;
    if (!s.record_at(i, r)) return false;
    if (!m.records.emplace(r.session_id, r).second) return false;  // listed twice
  }
  m.counters = s.counters();
  char cfg[store::max_config_size];
  m.config.assign(cfg, s.config(cfg, sizeof cfg));
  return true;
}

class ShadowStore final : public store::RecordStore {
 public:
  explicit ShadowStore(store::RecordStore& inner) : inner_(inner) {}

  const StoreModel& model() const { return model_; }
  bool in_flight() const { return in_flight_; }
  const StoreModel& after_in_flight() const { return after_; }
  // Starts the model from what a freshly mounted store holds.
  void adopt(const StoreModel& m) { model_ = m; }

  store::JournalStatus mount() override { return inner_.mount(); }

  store::JournalStatus put_record(const UsageRecord& r) override {
    StoreModel next = model_;
    auto it = next.records.find(r.session_id);
    if (it == next.records.end() || r.seq > it->second.seq) next.records[r.session_id] = r;
    return run(next, [&] { return inner_.put_record(r); });
  }
  store::JournalStatus forget(uint64_t id, uint32_t acked) override {
    StoreModel next = model_;
    auto it = next.records.find(id);
    if (it != next.records.end() && it->second.seq <= acked) next.records.erase(it);
    return run(next, [&] { return inner_.forget(id, acked); });
  }
  store::JournalStatus put_counters(const store::Counters& c) override {
    StoreModel next = model_;
    next.counters = c;
    return run(next, [&] { return inner_.put_counters(c); });
  }
  store::JournalStatus put_config(const void* blob, size_t length) override {
    StoreModel next = model_;
    if (length <= store::max_config_size) next.config.assign(static_cast<const char*>(blob), length);
    return run(next, [&] { return inner_.put_config(blob, length); });
  }

  bool find(uint64_t id, UsageRecord& out) const override { return inner_.find(id, out); }
  size_t record_count() const override { return inner_.record_count(); }
  bool record_at(size_t i, UsageRecord& out) const override { return inner_.record_at(i, out); }
  const store::Counters& counters() const override { return inner_.counters(); }
  size_t config(void* out, size_t cap) const override { return inner_.config(out, cap); }

 private:
  template <typename Call>
  store::JournalStatus run(const StoreModel& next, Call call) {
    after_ = next;
    in_flight_ = true;
    const store::JournalStatus st = call();
    in_flight_ = false;
    if (st == store::JournalStatus::ok) model_ = after_;
    return st;
  }

  store::RecordStore& inner_;
  StoreModel model_;
  StoreModel after_;
  bool in_flight_ = false;
};

}  // namespace gm::test
