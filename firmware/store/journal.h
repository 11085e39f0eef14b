// The flash journal: an append-only log of CRC-checked entries over a ring of NOR sectors
// (format and recovery rules in FORMAT.md beside this file). It is the agent's RecordStore.
//
// Writes go to the head sector; when it is full the next sector in the ring is erased and
// opened. Before that would leave no spare sector, garbage collection copies what is still
// live out of the oldest sector and retires it, so sectors are erased in strict rotation (wear
// is spread evenly). Recovery scans the sectors once and rebuilds the index in RAM; it never
// writes, so a power cut during recovery costs nothing. A newest sector that holds only copies
// of what older sectors hold (a collection cut short after it opened a sector) is left out and
// counts as free, so no chain of interrupted collections can use up the spare sectors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/gatemeter_config.h"
#include "firmware/hal/flash.h"
#include "firmware/store/journal_entry.h"
#include "firmware/store/journal_index.h"
#include "firmware/store/record_store.h"

namespace gm::store {

class Journal final : public RecordStore {
 public:
  explicit Journal(hal::Flash& flash) : flash_(flash) {}

  JournalStatus mount() override;
  JournalStatus put_record(const UsageRecord& r) override;
  JournalStatus forget(uint64_t session_id, uint32_t acked_seq) override;
  bool find(uint64_t session_id, UsageRecord& out) const override;
  size_t record_count() const override { return index_.size(); }
  bool record_at(size_t i, UsageRecord& out) const override;
  JournalStatus put_counters(const Counters& c) override;
  const Counters& counters() const override { return counters_; }
  JournalStatus put_config(const void* blob, size_t length) override;
  size_t config(void* out, size_t capacity) const override;

  const JournalStats& stats() const { return stats_; }
  // Sectors holding live data, of geometry().sector_count.
  uint32_t live_sectors() const { return live_count_; }

 private:
  struct Sector {
    uint32_t epoch = 0;   // 0: no valid header
    uint32_t used = 0;    // bytes from the sector start up to the first free byte
    bool live = false;
    bool has_retire = false;  // the scan found a retire entry in it
  };
  static constexpr uint32_t no_address = ~uint32_t{0};
  static constexpr int32_t no_sector = -1;
  // Free sectors normal writes leave untouched: one for garbage collection to copy into, one
  // more as margin for a journal whose older firmware left a collection half done in a sector
  // of its own (this code's cut collections cost no sector: recovery frees the one they opened).
  static constexpr uint32_t gc_reserve = 2;

  bool geometry_usable() const;
  uint32_t first_entry_offset() const;
  bool scan_sector(uint32_t s);
  bool replay_sector(uint32_t s);
  bool holds_only_copies(uint32_t s, bool& copies);
  bool find_dirty_end(uint32_t s);
  bool zero_dirty_region();
  bool void_stale_sector();

  JournalStatus append(entry::Type type, const uint8_t* payload, size_t length,
                       uint32_t& address);
  JournalStatus write_entry(const uint8_t* bytes, size_t size, bool for_gc, uint32_t& address);
  JournalStatus open_sector(bool for_gc);
  JournalStatus collect_oldest();
  JournalStatus relocate(uint32_t& address);
  int32_t oldest_live() const;
  uint32_t free_sectors() const { return geo_.sector_count - live_count_; }
  bool in_sector(uint32_t address, uint32_t s) const {
    return address != no_address && address / geo_.sector_size == s;
  }
  // Reads and checks the entry at address into buf; the payload starts at buf + header_size.
  bool read_entry(uint32_t address, uint8_t* buf, entry::Type& type, size_t& length) const;

  hal::Flash& flash_;
  hal::FlashGeometry geo_{};
  uint32_t alignment_ = 4;
  bool mounted_ = false;

  Sector sectors_[config::journal_max_sectors];
  uint32_t live_count_ = 0;
  int32_t head_ = no_sector;
  // The head's bytes in [used, dirty_end_) are what a cut write left there: they are zeroed (a
  // filler the scan skips) before anything is appended after them.
  uint32_t dirty_end_ = 0;
  uint32_t retire_room_ = 0;     // bytes a retire entry takes; other entries leave this free
  uint32_t max_epoch_ = 0;
  uint32_t retired_through_ = 0;
  uint32_t last_opened_ = 0;     // where the rotation continues from
  // A sector recovery left out because it held only copies; its header is zeroed before
  // anything else is written (see void_stale_sector).
  int32_t stale_ = no_sector;

  JournalIndex index_;
  Counters counters_;
  uint32_t counters_address_ = no_address;
  uint32_t config_address_ = no_address;

  JournalStats stats_;
  uint8_t buf_[entry::max_entry_size] = {};     // the entry being written; scan scratch
  uint8_t gc_buf_[entry::max_entry_size] = {};  // an entry being moved by garbage collection
};

}  // namespace gm::store
