#include "firmware/store/journal.h"

#include <cstring>

namespace gm::store {

using entry::HeaderCheck;
using entry::Type;

namespace {
constexpr size_t probe_size = entry::header_size + 12;  // header + session id + seq
}  // namespace

bool Journal::geometry_usable() const {
  const uint32_t w = geo_.word_size;
  const bool word_ok = w == 1 || w == 2 || w == 4 || w == 8 || w == 16;
  return word_ok && geo_.sector_count >= gc_reserve + 2 &&
         geo_.sector_count <= config::journal_max_sectors && geo_.sector_size % 16 == 0 &&
         geo_.sector_size >= 512 &&
         geo_.sector_size <= (uint32_t{1} << 20);
}

uint32_t Journal::first_entry_offset() const {
  return static_cast<uint32_t>(entry::align_up(entry::sector_header_size, alignment_));
}

JournalStatus Journal::mount() {
  mounted_ = false;
  geo_ = flash_.geometry();
  if (!geometry_usable()) return JournalStatus::bad_geometry;
  alignment_ = geo_.word_size < 4 ? 4 : geo_.word_size;
  for (auto& s : sectors_) s = Sector{};
  live_count_ = 0;
  head_ = no_sector;
  dirty_end_ = 0;
  retire_room_ = static_cast<uint32_t>(
      entry::align_up(entry::header_size + entry::retire_payload, alignment_));
  max_epoch_ = 0;
  retired_through_ = 0;
  last_opened_ = geo_.sector_count - 1;  // a blank flash starts at sector 0
  stale_ = no_sector;
  index_.clear();
  counters_ = Counters{};
  counters_address_ = no_address;
  config_address_ = no_address;
  stats_ = JournalStats{};

  // Sector headers first: they order the log.
  uint8_t order[config::journal_max_sectors];
  uint32_t valid = 0;
  for (uint32_t s = 0; s < geo_.sector_count; ++s) {
    uint8_t raw[entry::sector_header_size];
    if (!flash_.read(s * geo_.sector_size, raw, sizeof raw)) return JournalStatus::flash_error;
    entry::SectorHeader h;
    if (!entry::decode_sector_header(raw, h)) continue;
    sectors_[s].epoch = h.epoch;
    if (h.epoch > max_epoch_) {
      max_epoch_ = h.epoch;
      last_opened_ = s;
    }
    if (h.retired_through > retired_through_) retired_through_ = h.retired_through;
    uint32_t i = valid++;  // insertion sort, newest first
    for (; i > 0 && sectors_[order[i - 1]].epoch < h.epoch; --i) order[i] = order[i - 1];
    order[i] = static_cast<uint8_t>(s);
  }

  // Newest first, so a retire entry is seen before the sectors it retires: those are skipped
  // unread, whatever a torn erase left in them.
  uint32_t live[config::journal_max_sectors];
  uint32_t live_n = 0;
  for (uint32_t i = 0; i < valid; ++i) {
    const uint32_t s = order[i];
    if (sectors_[s].epoch <= retired_through_) break;
    if (!scan_sector(s)) return JournalStatus::flash_error;
    live[live_n++] = s;
  }
  live_count_ = live_n;
  for (uint32_t i = live_n; i-- > 1;)
    if (!replay_sector(live[i])) return JournalStatus::flash_error;

  // The newest sector last: if it adds nothing to the older ones it is what a collection cut
  // short left in the sector it had opened, and leaving it out gives back that sector.
  uint32_t head_at = 0;
  if (live_n > 0) {
    bool copies = false;
    if (!holds_only_copies(live[0], copies)) return JournalStatus::flash_error;
    if (copies) {
      sectors_[live[0]].live = false;
      --live_count_;
      stale_ = static_cast<int32_t>(live[0]);
      head_at = 1;
    } else if (!replay_sector(live[0])) {
      return JournalStatus::flash_error;
    }
  }
  if (live_n > head_at) {
    head_ = static_cast<int32_t>(live[head_at]);
    if (!find_dirty_end(live[head_at])) return JournalStatus::flash_error;
  }
  if (counters_address_ != no_address) {
    Type type;
    size_t length;
    if (!read_entry(counters_address_, buf_, type, length) || length != entry::counters_payload)
      return JournalStatus::flash_error;
    counters_.boot_count = entry::get_u32(buf_ + entry::header_size);
    counters_.next_session = entry::get_u64(buf_ + entry::header_size + 4);
  }
  stats_.records = static_cast<uint32_t>(index_.size());
  mounted_ = true;
  return JournalStatus::ok;
}

// Walks a sector's entries, checking every CRC; stops at the first blank or failing entry.
bool Journal::scan_sector(uint32_t s) {
  Sector& sec = sectors_[s];
  sec.live = true;
  uint32_t off = first_entry_offset();
  const uint32_t base = s * geo_.sector_size;
  while (off + entry::header_size <= geo_.sector_size) {
    if (!flash_.read(base + off, buf_, entry::header_size)) return false;
    if (entry::is_filler(buf_)) {
      off += alignment_;
      continue;
    }
    Type type{};
    size_t length = 0;
    if (entry::check_header(buf_, geo_.sector_size - off, type, length) != HeaderCheck::valid)
      break;  // blank: the end; anything else: what a cut write left (the head zeroes it)
    uint8_t* payload = buf_ + entry::header_size;
    if (!flash_.read(base + off + entry::header_size, payload, length)) return false;
    if (!entry::crc_matches(buf_, payload, length)) break;
    if (type == Type::retire && length == entry::retire_payload) {
      const uint32_t through = entry::get_u32(payload);
      if (through > retired_through_) retired_through_ = through;
      sec.has_retire = true;
    }
    off += static_cast<uint32_t>(entry::align_up(entry::header_size + length, alignment_));
  }
  sec.used = off;
  return true;
}

// Applies a scanned sector's entries in order: only ids, seqs and addresses are read.
bool Journal::replay_sector(uint32_t s) {
  const uint32_t base = s * geo_.sector_size;
  for (uint32_t off = first_entry_offset(); off < sectors_[s].used;) {
    uint8_t p[probe_size];
    const size_t want = geo_.sector_size - off < probe_size ? geo_.sector_size - off : probe_size;
    if (!flash_.read(base + off, p, want)) return false;
    if (entry::is_filler(p)) {
      off += alignment_;
      continue;
    }
    Type type{};
    size_t length = 0;
    entry::check_header(p, geo_.sector_size - off, type, length);  // valid: scan_sector said so
    const uint32_t address = base + off;
    const uint8_t* payload = p + entry::header_size;
    if (type == Type::record && length >= 12) {
      const uint64_t session = entry::get_u64(payload);
      const uint32_t seq = entry::get_u32(payload + 8);
      const size_t pos = index_.find(session);
      if (pos == JournalIndex::none) {
        index_.insert({session, seq, address});  // cannot overflow: puts never let it
      } else if (seq >= index_.at(pos).seq) {    // equal: a GC copy, which is the live one now
        index_.at(pos).seq = seq;
        index_.at(pos).address = address;
      }
    } else if (type == Type::forget && length == entry::forget_payload) {
      const size_t pos = index_.find(entry::get_u64(payload));
      if (pos != JournalIndex::none && index_.at(pos).seq <= entry::get_u32(payload + 8))
        index_.remove_at(pos);
    } else if (type == Type::counters) {
      counters_address_ = address;
    } else if (type == Type::config) {
      config_address_ = address;
    }
    off += static_cast<uint32_t>(entry::align_up(entry::header_size + length, alignment_));
  }
  return true;
}

// Whether every entry of sector s is a byte-for-byte copy of the entry that is live without it
// (the older sectors are replayed already). A collection copies entries exactly and writes
// nothing else before its retire entry, so a sector it opened and a cut stopped it in before
// that retire holds only such copies; so does a sector with nothing valid in it. Leaving such a
// sector out recovers exactly the same state. A retire or forget entry always changes the state.
bool Journal::holds_only_copies(uint32_t s, bool& copies) {
  copies = false;
  if (sectors_[s].has_retire) return true;
  const uint32_t base = s * geo_.sector_size;
  for (uint32_t off = first_entry_offset(); off < sectors_[s].used;) {
    uint8_t p[probe_size];
    const size_t want = geo_.sector_size - off < probe_size ? geo_.sector_size - off : probe_size;
    if (!flash_.read(base + off, p, want)) return false;
    if (entry::is_filler(p)) {
      off += alignment_;
      continue;
    }
    Type type{};
    size_t length = 0;
    entry::check_header(p, geo_.sector_size - off, type, length);  // valid: scan_sector said so
    uint32_t original = no_address;
    if (type == Type::record && length >= 12) {
      const size_t pos = index_.find(entry::get_u64(p + entry::header_size));
      if (pos != JournalIndex::none &&
          index_.at(pos).seq == entry::get_u32(p + entry::header_size + 8))
        original = index_.at(pos).address;
    } else if (type == Type::counters) {
      original = counters_address_;
    } else if (type == Type::config) {
      original = config_address_;
    }
    if (original == no_address) return true;
    // The same header (type, length, CRC) and the same payload: the same entry.
    if (!flash_.read(original, gc_buf_, entry::header_size)) return false;
    if (std::memcmp(p, gc_buf_, entry::header_size) != 0) return true;
    if (!flash_.read(base + off + entry::header_size, buf_, length) ||
        !flash_.read(original + entry::header_size, gc_buf_, length))
      return false;
    if (std::memcmp(buf_, gc_buf_, length) != 0) return true;
    off += static_cast<uint32_t>(entry::align_up(entry::header_size + length, alignment_));
  }
  copies = true;
  return true;
}

// Finds the end of whatever follows the head's last good entry (a torn entry, a torn filler):
// the last byte that is not erased, rounded up to the entry alignment.
bool Journal::find_dirty_end(uint32_t s) {
  const uint32_t base = s * geo_.sector_size;
  dirty_end_ = sectors_[s].used;
  for (uint32_t off = sectors_[s].used; off < geo_.sector_size;) {
    const uint32_t n = geo_.sector_size - off < sizeof buf_ ? geo_.sector_size - off
                                                             : static_cast<uint32_t>(sizeof buf_);
    if (!flash_.read(base + off, buf_, n)) return false;
    for (uint32_t i = 0; i < n; ++i)
      if (buf_[i] != 0xFF)
        dirty_end_ = static_cast<uint32_t>(entry::align_up(off + i + 1, alignment_));
    off += n;
  }
  return true;
}

// Zeroing only clears bits, so NOR allows it over anything; a cut part-way leaves a shorter
// dirty region for the next attempt.
bool Journal::zero_dirty_region() {
  static constexpr uint8_t zeros[64] = {};
  Sector& head = sectors_[head_];
  const uint32_t base = static_cast<uint32_t>(head_) * geo_.sector_size;
  while (head.used < dirty_end_) {
    const uint32_t n = dirty_end_ - head.used < sizeof zeros ? dirty_end_ - head.used
                                                              : static_cast<uint32_t>(sizeof zeros);
    if (!flash_.program(base + head.used, zeros, n)) return false;
    stats_.bytes_programmed += n;
    head.used += n;
  }
  return true;
}

bool Journal::read_entry(uint32_t address, uint8_t* buf, Type& type, size_t& length) const {
  const uint32_t off = address % geo_.sector_size;
  if (!flash_.read(address, buf, entry::header_size)) return false;
  if (entry::check_header(buf, geo_.sector_size - off, type, length) != HeaderCheck::valid)
    return false;
  if (!flash_.read(address + entry::header_size, buf + entry::header_size, length)) return false;
  return entry::crc_matches(buf, buf + entry::header_size, length);
}

// ---- writing ----------------------------------------------------------------------------------

// The sector recovery left out holds copies that are redundant only while nothing changes: a
// forget written later would make a stale copy of that record look live again. So its header is
// zeroed (the sector then holds nothing; the rotation erases it in its turn) before any other
// write. A cut before the zeroing lands changes nothing, so the sector is left out again.
bool Journal::void_stale_sector() {
  static constexpr uint8_t zeros[entry::first_entry_max] = {};
  const uint32_t n = first_entry_offset();
  if (!flash_.program(static_cast<uint32_t>(stale_) * geo_.sector_size, zeros, n)) return false;
  stats_.bytes_programmed += n;
  sectors_[stale_] = Sector{};
  stale_ = no_sector;
  return true;
}

JournalStatus Journal::append(Type type, const uint8_t* payload, size_t length,
                              uint32_t& address) {
  const size_t size = entry::encode_entry(type, payload, length, alignment_, buf_);
  return write_entry(buf_, size, false, address);
}

JournalStatus Journal::write_entry(const uint8_t* bytes, size_t size, bool for_gc,
                                   uint32_t& address) {
  if (stale_ != no_sector && !void_stale_sector()) return JournalStatus::flash_error;
  // A collection a flash error stopped, or one older firmware left half done, may hold a spare
  // sector: it is finished before this write takes room in the head that it needs.
  for (uint32_t i = 0; !for_gc && free_sectors() < gc_reserve && i < geo_.sector_count; ++i) {
    const JournalStatus st = collect_oldest();
    if (st != JournalStatus::ok) return st;
  }
  // Every sector keeps room for one retire entry, so a collection always has somewhere to
  // write the retire entry that completes it.
  const bool retire = bytes[0] == static_cast<uint8_t>(Type::retire);
  const uint32_t limit = geo_.sector_size - (retire ? 0 : retire_room_);
  if (head_ == no_sector || dirty_end_ + size > limit) {
    const JournalStatus st = open_sector(for_gc);
    if (st != JournalStatus::ok) return st;
  }
  if (!zero_dirty_region()) return JournalStatus::flash_error;
  Sector& head = sectors_[head_];
  const uint32_t at = static_cast<uint32_t>(head_) * geo_.sector_size + head.used;
  if (!flash_.program(at, bytes, size)) {
    dirty_end_ = head.used + static_cast<uint32_t>(size);  // may be half there: zero it first
    return JournalStatus::flash_error;
  }
  head.used += static_cast<uint32_t>(size);
  dirty_end_ = head.used;
  stats_.bytes_programmed += size;
  ++stats_.entries_written;
  address = at;
  return JournalStatus::ok;
}

// Normal writes keep gc_reserve sectors spare; collection itself may use them.
JournalStatus Journal::open_sector(bool for_gc) {
  if (!for_gc) {
    for (uint32_t i = 0; free_sectors() <= gc_reserve && i < geo_.sector_count; ++i) {
      const JournalStatus st = collect_oldest();
      if (st != JournalStatus::ok) return st;
    }
    if (free_sectors() <= gc_reserve) return JournalStatus::full;
  } else if (free_sectors() < 1) {
    return JournalStatus::full;
  }
  uint32_t next = (head_ == no_sector ? last_opened_ : static_cast<uint32_t>(head_)) + 1;
  next %= geo_.sector_count;
  while (sectors_[next].live) next = (next + 1) % geo_.sector_count;

  if (!flash_.erase(next)) return JournalStatus::flash_error;
  uint8_t raw[entry::first_entry_max] = {};
  std::memset(raw, 0xFF, sizeof raw);
  uint8_t header[entry::sector_header_size];
  entry::encode_sector_header({max_epoch_ + 1, retired_through_}, header);
  std::memcpy(raw, header, sizeof header);
  const uint32_t header_bytes = first_entry_offset();
  ++max_epoch_;  // even if the header fails: epochs only grow
  if (!flash_.program(next * geo_.sector_size, raw, header_bytes))
    return JournalStatus::flash_error;
  stats_.bytes_programmed += header_bytes;
  ++stats_.sectors_opened;
  sectors_[next] = Sector{max_epoch_, header_bytes, true};
  ++live_count_;
  head_ = static_cast<int32_t>(next);
  last_opened_ = next;
  dirty_end_ = header_bytes;
  return JournalStatus::ok;
}

int32_t Journal::oldest_live() const {
  int32_t oldest = no_sector;
  for (uint32_t s = 0; s < geo_.sector_count; ++s)
    if (sectors_[s].live && (oldest == no_sector || sectors_[s].epoch < sectors_[oldest].epoch))
      oldest = static_cast<int32_t>(s);
  return oldest;
}

// Copies what is live out of the oldest sector, then writes a retire entry for it: from then on
// recovery ignores that sector whatever state a later erase leaves it in.
JournalStatus Journal::collect_oldest() {
  const int32_t t = oldest_live();
  if (t == no_sector || t == head_) return JournalStatus::full;
  const uint32_t tail = static_cast<uint32_t>(t);
  for (size_t i = 0; i < index_.size(); ++i) {
    if (!in_sector(index_.at(i).address, tail)) continue;
    const JournalStatus st = relocate(index_.at(i).address);
    if (st != JournalStatus::ok) return st;
  }
  uint32_t* singles[] = {&counters_address_, &config_address_};
  for (uint32_t* a : singles) {
    if (!in_sector(*a, tail)) continue;
    const JournalStatus st = relocate(*a);
    if (st != JournalStatus::ok) return st;
  }
  uint8_t payload[entry::retire_payload];
  entry::put_u32(payload, sectors_[tail].epoch);
  const size_t size = entry::encode_entry(Type::retire, payload, sizeof payload, alignment_, gc_buf_);
  uint32_t unused;
  const JournalStatus st = write_entry(gc_buf_, size, true, unused);
  if (st != JournalStatus::ok) return st;
  if (sectors_[tail].epoch > retired_through_) retired_through_ = sectors_[tail].epoch;
  sectors_[tail].live = false;
  --live_count_;
  ++stats_.gc_runs;
  return JournalStatus::ok;
}

JournalStatus Journal::relocate(uint32_t& address) {
  Type type{};
  size_t length = 0;
  if (!read_entry(address, gc_buf_, type, length)) return JournalStatus::flash_error;
  const size_t size = entry::align_up(entry::header_size + length, alignment_);
  std::memset(gc_buf_ + entry::header_size + length, 0xFF, size - entry::header_size - length);
  return write_entry(gc_buf_, size, true, address);
}

// ---- the store --------------------------------------------------------------------------------

JournalStatus Journal::put_record(const UsageRecord& r) {
  if (!mounted_) return JournalStatus::not_mounted;
  size_t pos = index_.find(r.session_id);
  if (pos != JournalIndex::none && r.seq <= index_.at(pos).seq) return JournalStatus::ok;
  if (pos == JournalIndex::none && index_.size() == JournalIndex::capacity)
    return JournalStatus::index_full;
  uint8_t payload[entry::record_max_payload];
  const size_t length = entry::encode_record(r, payload);
  uint32_t address;
  const JournalStatus st = append(Type::record, payload, length, address);
  if (st != JournalStatus::ok) return st;
  if (pos == JournalIndex::none) {
    index_.insert({r.session_id, r.seq, address});
  } else {
    index_.at(pos).seq = r.seq;
    index_.at(pos).address = address;
  }
  stats_.bytes_requested += length;
  stats_.records = static_cast<uint32_t>(index_.size());
  return JournalStatus::ok;
}

JournalStatus Journal::forget(uint64_t session_id, uint32_t acked_seq) {
  if (!mounted_) return JournalStatus::not_mounted;
  const size_t pos = index_.find(session_id);
  if (pos == JournalIndex::none) return JournalStatus::not_found;
  if (index_.at(pos).seq > acked_seq) return JournalStatus::ok;  // a newer record stays
  uint8_t payload[entry::forget_payload];
  entry::put_u64(payload, session_id);
  entry::put_u32(payload + 8, acked_seq);
  uint32_t address;
  const JournalStatus st = append(Type::forget, payload, sizeof payload, address);
  if (st != JournalStatus::ok) return st;
  index_.remove_at(pos);
  stats_.records = static_cast<uint32_t>(index_.size());
  return JournalStatus::ok;
}

bool Journal::find(uint64_t session_id, UsageRecord& out) const {
  const size_t pos = index_.find(session_id);
  return pos != JournalIndex::none && record_at(pos, out);
}

bool Journal::record_at(size_t i, UsageRecord& out) const {
  if (!mounted_ || i >= index_.size()) return false;
  uint8_t buf[entry::header_size + entry::record_max_payload + entry::max_alignment];
  Type type{};
  size_t length = 0;
  const IndexEntry& e = index_.at(i);
  if (!read_entry(e.address, buf, type, length) || type != Type::record) return false;
  UsageRecord r;
  if (!entry::decode_record(buf + entry::header_size, length, r) || r.session_id != e.session ||
      r.seq != e.seq)
    return false;
  out = r;
  return true;
}

JournalStatus Journal::put_counters(const Counters& c) {
  if (!mounted_) return JournalStatus::not_mounted;
  uint8_t payload[entry::counters_payload];
  entry::put_u32(payload, c.boot_count);
  entry::put_u64(payload + 4, c.next_session);
  const JournalStatus st = append(Type::counters, payload, sizeof payload, counters_address_);
  if (st == JournalStatus::ok) counters_ = c;
  return st;
}

JournalStatus Journal::put_config(const void* blob, size_t length) {
  if (!mounted_) return JournalStatus::not_mounted;
  if (length > max_config_size) return JournalStatus::too_large;
  uint8_t payload[max_config_size];
  std::memcpy(payload, blob, length);
  return append(Type::config, payload, length, config_address_);
}

size_t Journal::config(void* out, size_t capacity) const {
  if (!mounted_ || config_address_ == no_address) return 0;
  uint8_t buf[entry::max_entry_size];
  Type type{};
  size_t length = 0;
  if (!read_entry(config_address_, buf, type, length) || length > capacity) return 0;
  std::memcpy(out, buf + entry::header_size, length);
  return length;
}

}  // namespace gm::store
