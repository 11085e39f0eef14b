#include "firmware/core/applied_commands.h"

namespace gm::core {

namespace {
size_t varint_bytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
}  // namespace

AppliedCommands::Entry* AppliedCommands::find(uint64_t id) {
  for (Entry& e : entries_)
    if (e.id == id) return &e;
  return nullptr;
}

bool AppliedCommands::remembers(uint64_t id) const {
  for (const Entry& e : entries_)
    if (e.id != 0 && e.id == id) return true;
  return false;
}

// A free slot, else the one settled longest ago if that was at least command_remember_ms ago.
AppliedCommands::Entry* AppliedCommands::slot_for_new(uint64_t now_ms) {
  Entry* oldest = nullptr;
  for (Entry& e : entries_) {
    if (e.id == 0) return &e;
    if (!e.confirming && (oldest == nullptr || e.settled_ms < oldest->settled_ms)) oldest = &e;
  }
  if (oldest != nullptr && now_ms - oldest->settled_ms >= config::command_remember_ms)
    return oldest;
  return nullptr;
}

AppliedCommands::Arrival AppliedCommands::arrive(uint64_t id, uint64_t now_ms) {
  if (id == 0) return Arrival::unnumbered;
  if (Entry* known = find(id); known != nullptr) {
    Entry& e = *known;
    // Resent after its confirmation was acknowledged: a census node that has not re-read its
    // pending commands, or an ack that was on its way. Confirming again costs a few bytes.
    // (While still confirming, the datagrams that already carried it still count.)
    if (!e.confirming && confirming_ < max_confirming) {
      e.confirming = true;
      e.carried_from = 0;
      ++confirming_;
    }
    return Arrival::repeat;
  }
  if (confirming_ >= max_confirming) return Arrival::full;
  Entry* e = slot_for_new(now_ms);
  if (e == nullptr) return Arrival::full;
  *e = Entry{id, 0, 0, true};
  ++confirming_;
  return Arrival::fresh;
}

pb_size_t AppliedCommands::fill(uint64_t* out, uint32_t frame_seq) {
  pb_size_t n = 0;
  for (Entry& e : entries_) {
    if (e.id == 0 || !e.confirming) continue;
    out[n++] = e.id;
    if (e.carried_from == 0) e.carried_from = frame_seq;
  }
  return n;
}

void AppliedCommands::acknowledged(uint32_t datagram_seq, uint64_t now_ms) {
  for (Entry& e : entries_) {
    // Every datagram sealed from carried_from on carried this id (all confirming ids fit in one).
    if (e.id == 0 || !e.confirming || e.carried_from == 0 || datagram_seq < e.carried_from)
      continue;
    e.confirming = false;
    e.settled_ms = now_ms;
    --confirming_;
  }
}

void AppliedCommands::restart_sequence() {
  for (Entry& e : entries_) e.carried_from = 0;
}

bool AppliedCommands::uncarried() const {
  for (const Entry& e : entries_)
    if (e.id != 0 && e.confirming && e.carried_from == 0) return true;
  return false;
}

size_t AppliedCommands::wire_bytes() const {
  if (confirming_ == 0) return 0;
  size_t n = 0;
  for (const Entry& e : entries_)
    if (e.id != 0 && e.confirming) n += varint_bytes(e.id);
  // Packed repeated field: tag byte, length varint (at most 2 bytes for 16 ids of 10 bytes).
  return n + 3;
}

}  // namespace gm::core
