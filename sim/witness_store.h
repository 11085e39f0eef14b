// The agent's journal seam with the witness on it: every call goes to the real journal, and a
// record the journal said ok to is reported as written to flash. The agent cannot tell it is
// there, so what the witness hears is exactly what the agent was promised.
#pragma once

#include <string>

#include "firmware/hal/clock.h"
#include "firmware/store/record_store.h"
#include "sim/record_witness.h"

namespace gm::sim {

class WitnessStore final : public store::RecordStore {
 public:
  WitnessStore(store::RecordStore& inner, RecordWitness& witness, std::string agent,
               hal::Clock& clock)
      : inner_(inner), witness_(witness), agent_(std::move(agent)), clock_(clock) {}

  store::JournalStatus mount() override { return inner_.mount(); }
  store::JournalStatus put_record(const UsageRecord& r) override {
    const store::JournalStatus st = inner_.put_record(r);
    witness_.written_to_flash(agent_, r, clock_.monotonic_ms(), st == store::JournalStatus::ok);
    return st;
  }
  store::JournalStatus forget(uint64_t session_id, uint32_t acked_seq) override {
    return inner_.forget(session_id, acked_seq);
  }
  bool find(uint64_t session_id, UsageRecord& out) const override {
    return inner_.find(session_id, out);
  }
  size_t record_count() const override { return inner_.record_count(); }
  bool record_at(size_t i, UsageRecord& out) const override { return inner_.record_at(i, out); }
  store::JournalStatus put_counters(const store::Counters& c) override {
    return inner_.put_counters(c);
  }
  const store::Counters& counters() const override { return inner_.counters(); }
  store::JournalStatus put_config(const void* blob, size_t length) override {
    return inner_.put_config(blob, length);
  }
  size_t config(void* out, size_t capacity) const override { return inner_.config(out, capacity); }

 private:
  store::RecordStore& inner_;
  RecordWitness& witness_;
  std::string agent_;
  hal::Clock& clock_;
};

}  // namespace gm::sim
