// A RecordStore that passes every call to a real one and keeps, beside it, the state the
// caller was promised: each mutation that returned ok is applied to the model. While a call is
// running, after_in_flight() is the state it would leave if it completed, so a test that cuts
// the power in the middle of it can say exactly which two states recovery may return. After
// the power went, callers keep calling (and failing); after_failed() keeps the state the FIRST
// failed call would have left, which is the call the cut interrupted.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
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
  // While a call runs: the state it leaves if it completes (built when first asked for).
  const StoreModel& after_in_flight() const {
    if (!after_built_) {
      after_ = model_;
      change_(after_);
      after_built_ = true;
    }
    return after_;
  }
  // Whether a call has failed since adopt(), and what that first one would have left.
  bool failed() const { return failed_; }
  const StoreModel& after_failed() const { return after_failed_; }
  // Mutations started so far: a test tells one call's flash operations from the next's.
  uint64_t calls() const { return calls_; }
  // Told of every call that fails (not_found from forget is an answer, not a failure), so a
  // test can say whether the power was on at the time.
  void on_failure(std::function<void(const char* call, store::JournalStatus)> f) {
    on_failure_ = std::move(f);
  }
  // Starts the model from what a freshly mounted store holds.
  void adopt(const StoreModel& m) {
    model_ = m;
    failed_ = false;
  }

  store::JournalStatus mount() override {
    const store::JournalStatus st = inner_.mount();
    if (st != store::JournalStatus::ok && on_failure_) on_failure_("mount", st);
    return st;
  }

  store::JournalStatus put_record(const UsageRecord& r) override {
    return run(
        "put_record",
        [r](StoreModel& m) {
          auto it = m.records.find(r.session_id);
          if (it == m.records.end() || r.seq > it->second.seq) m.records[r.session_id] = r;
        },
        [&] { return inner_.put_record(r); });
  }
  store::JournalStatus forget(uint64_t id, uint32_t acked) override {
    return run(
        "forget",
        [id, acked](StoreModel& m) {
          auto it = m.records.find(id);
          if (it != m.records.end() && it->second.seq <= acked) m.records.erase(it);
        },
        [&] { return inner_.forget(id, acked); });
  }
  store::JournalStatus put_counters(const store::Counters& c) override {
    return run(
        "put_counters", [c](StoreModel& m) { m.counters = c; },
        [&] { return inner_.put_counters(c); });
  }
  store::JournalStatus put_config(const void* blob, size_t length) override {
    std::string bytes;
    if (length <= store::max_config_size) bytes.assign(static_cast<const char*>(blob), length);
    const bool fits = length <= store::max_config_size;
    return run(
        "put_config",
        [bytes, fits](StoreModel& m) {
          if (fits) m.config = bytes;
        },
        [&] { return inner_.put_config(blob, length); });
  }

  bool find(uint64_t id, UsageRecord& out) const override { return inner_.find(id, out); }
  size_t record_count() const override { return inner_.record_count(); }
  bool record_at(size_t i, UsageRecord& out) const override { return inner_.record_at(i, out); }
  const store::Counters& counters() const override { return inner_.counters(); }
  size_t config(void* out, size_t cap) const override { return inner_.config(out, cap); }

 private:
  // The model changes in place when a call succeeds: a store call costs no copy of the model.
  template <typename Call>
  store::JournalStatus run(const char* name, std::function<void(StoreModel&)> change, Call call) {
    ++calls_;
    change_ = std::move(change);
    after_built_ = false;
    in_flight_ = true;
    const store::JournalStatus st = call();
    in_flight_ = false;
    if (st == store::JournalStatus::ok) {
      change_(model_);
    } else if (st != store::JournalStatus::not_found) {
      if (!failed_) after_failed_ = after_in_flight();
      failed_ = true;
      if (on_failure_) on_failure_(name, st);
    }
    after_built_ = false;
    return st;
  }

  store::RecordStore& inner_;
  StoreModel model_;
  std::function<void(StoreModel&)> change_ = [](StoreModel&) {};
  mutable StoreModel after_;
  mutable bool after_built_ = false;
  StoreModel after_failed_;
  bool in_flight_ = false;
  bool failed_ = false;
  uint64_t calls_ = 0;
  std::function<void(const char*, store::JournalStatus)> on_failure_;
};

}  // namespace gm::test
