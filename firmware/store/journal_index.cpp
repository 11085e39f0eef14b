#include "firmware/store/journal_index.h"

namespace gm::store {

void JournalIndex::clear() {
  for (auto& s : slots_) s = empty;
  count_ = 0;
}

size_t JournalIndex::home(uint64_t session) {
  // Session ids are sequential; a multiplicative mix spreads them over the slots.
  return static_cast<size_t>((session * 0x9E3779B97F4A7C15ull) >> 32) & (slot_count - 1);
}

size_t JournalIndex::slot_of(uint64_t session) const {
  size_t i = home(session);
  while (slots_[i] != empty && entries_[slots_[i]].session != session) i = (i + 1) & (slot_count - 1);
  return i;
}

size_t JournalIndex::find(uint64_t session) const {
  const uint16_t p = slots_[slot_of(session)];
  return p == empty ? none : p;
}

bool JournalIndex::insert(const IndexEntry& e) {
  if (count_ == capacity) return false;
  const size_t slot = slot_of(e.session);
  if (slots_[slot] != empty) return false;  // already present: callers update in place
  entries_[count_] = e;
  slots_[slot] = static_cast<uint16_t>(count_++);
  return true;
}

void JournalIndex::remove_at(size_t position) {
  size_t hole = slot_of(entries_[position].session);
  // Backward shift: pull later members of the probe run into the hole while that keeps each
  // of them reachable from its home slot.
  for (size_t j = (hole + 1) & (slot_count - 1); slots_[j] != empty; j = (j + 1) & (slot_count - 1)) {
    const size_t h = home(entries_[slots_[j]].session);
    const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (movable) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = empty;
  const size_t last = --count_;
  if (position != last) {
    entries_[position] = entries_[last];
    slots_[slot_of(entries_[position].session)] = static_cast<uint16_t>(position);
  }
}

}  // namespace gm::store
