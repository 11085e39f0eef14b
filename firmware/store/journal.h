// The flash journal: an append-only log of CRC-checked entries over a ring of NOR sectors
// (format in FORMAT.md beside this file). It keeps what must survive a power cut:
//   - unacknowledged usage records, coalesced: per session only the newest survives (a STOP is
//     always the newest of its session), forgotten once the census acknowledges it;
//   - persistent counters (boot count, the next session number);
//   - the agent's configuration, as an opaque blob.
// A put that returns ok is durable; mount() recovers a consistent state after a power cut at
// any word of any write, including during garbage collection.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/gatemeter_config.h"
#include "firmware/hal/flash.h"
#include "shared/record/usage_record.h"

namespace gm::store {

enum class JournalStatus : uint8_t {
  ok,
  flash_error,   // the device failed a read, program or erase
  full,          // the live set no longer fits even after garbage collection
  index_full,    // more distinct sessions than journal_max_records
  not_found,
  too_large,     // a config blob larger than max_config_size
  not_mounted,
};

const char* journal_status_name(JournalStatus s);

struct Counters {
  uint32_t boot_count = 0;
  uint64_t next_session = 1;  // session ids below this may have been used
};

struct JournalStats {
  uint64_t bytes_programmed = 0;  // including headers, GC copies and markers
  uint64_t bytes_requested = 0;   // payload bytes the caller asked to persist
  uint32_t gc_runs = 0;
  uint32_t records = 0;           // live usage records
};

}  // namespace gm::store

namespace gm::store {

inline constexpr size_t max_config_size = 256;

class Journal {
 public:
  explicit Journal(hal::Flash& flash);

  // Scans the flash and rebuilds the state; formats a blank or foreign flash. Recovers after a
  // power cut at any point of any earlier write, garbage collection included.
  JournalStatus mount();

  // Keeps r as its session's record, replacing an older one. A record whose seq is not newer
  // than the stored one for that session is ignored (ok). Durable when this returns ok.
  JournalStatus put_record(const UsageRecord& r);

  // The census acknowledged (session_id, acked_seq): forgets that session's stored record if
  // its seq <= acked_seq. not_found if nothing is stored for it (not an error for callers).
  JournalStatus forget(uint64_t session_id, uint32_t acked_seq);

  bool find(uint64_t session_id, UsageRecord& out) const;
  size_t record_count() const;
  // i in [0, record_count()); order unspecified but stable until the next put/forget.
  bool record_at(size_t i, UsageRecord& out) const;

  JournalStatus put_counters(const Counters& c);
  const Counters& counters() const;

  JournalStatus put_config(const void* blob, size_t length);
  // Copies the stored configuration into out; returns its length, 0 if none is stored.
  size_t config(void* out, size_t capacity) const;

  const JournalStats& stats() const;
};

}  // namespace gm::store
