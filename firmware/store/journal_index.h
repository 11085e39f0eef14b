// Where each session's stored record lives in flash: a fixed array of (session, seq, address)
// with an open-addressing hash over it, so recovery and puts cost the same with 1 or 256
// records stored. Linear probing with backward-shift deletion: no tombstones to age.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/gatemeter_config.h"

namespace gm::store {

struct IndexEntry {
  uint64_t session = 0;
  uint32_t seq = 0;
  uint32_t address = 0;
};

class JournalIndex {
 public:
  static constexpr size_t capacity = config::journal_max_records;
  static constexpr size_t none = ~size_t{0};

  JournalIndex() { clear(); }
  void clear();

  size_t find(uint64_t session) const;  // position in [0, size()) or none
  // Adds a session not yet present; false when full.
  bool insert(const IndexEntry& e);
  void remove_at(size_t position);  // moves the last entry into position

  size_t size() const { return count_; }
  IndexEntry& at(size_t position) { return entries_[position]; }
  const IndexEntry& at(size_t position) const { return entries_[position]; }

 private:
  static constexpr size_t slot_count = [] {
    size_t n = 1;
    while (n < 2 * capacity) n <<= 1;
    return n;
  }();
  static constexpr uint16_t empty = 0xFFFF;
  static_assert(capacity < empty, "positions are kept in 16 bits");
  static size_t home(uint64_t session);
  size_t slot_of(uint64_t session) const;  // the slot holding it, or the empty slot it would take

  IndexEntry entries_[capacity];
  uint16_t slots_[slot_count];
  size_t count_ = 0;
};

}  // namespace gm::store
