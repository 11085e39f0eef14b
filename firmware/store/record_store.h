// The seam between the agent and what keeps its usage across power cuts. The flash journal
// (journal.h) is the implementation every board uses; tests wrap it to watch what the agent
// was promised.
//
// It keeps:
//   - unacknowledged usage records, coalesced: per session only the newest survives (a STOP is
//     always the newest of its session), forgotten once the census acknowledges it;
//   - persistent counters (boot count, the next session number);
//   - the agent's configuration, as an opaque blob.
// A mutation that returns ok is durable.
#pragma once

#include <cstddef>
#include <cstdint>

#include "shared/record/usage_record.h"

namespace gm::store {

enum class JournalStatus : uint8_t {
  ok,
  flash_error,   // the device failed a read, program or erase (or lost power doing it)
  full,          // the live set no longer fits even after garbage collection
  index_full,    // more distinct sessions than journal_max_records
  not_found,
  too_large,     // a config blob larger than max_config_size
  not_mounted,
  bad_geometry,  // the flash's geometry is one the journal cannot use (see FORMAT.md)
};

const char* journal_status_name(JournalStatus s);

struct Counters {
  uint32_t boot_count = 0;
  uint64_t next_session = 1;  // session ids below this may have been used

  friend bool operator==(const Counters& a, const Counters& b) {
    return a.boot_count == b.boot_count && a.next_session == b.next_session;
  }
};

struct JournalStats {
  uint64_t bytes_programmed = 0;  // everything: entry headers, padding, GC copies, sector headers
  uint64_t bytes_requested = 0;   // usage-record bytes the callers asked to persist
  uint64_t entries_written = 0;
  uint32_t gc_runs = 0;
  uint32_t sectors_opened = 0;
  uint32_t records = 0;           // live usage records
};

inline constexpr size_t max_config_size = 256;

class RecordStore {
 public:
  // Rebuilds the state from the medium; must succeed before anything else.
  virtual JournalStatus mount() = 0;

  // Keeps r as its session's record, replacing an older one. A record whose seq is not newer
  // than the stored one for that session is ignored (ok).
  virtual JournalStatus put_record(const UsageRecord& r) = 0;
  // The census acknowledged (session_id, acked_seq): forgets that session's stored record if
  // its seq <= acked_seq. not_found if nothing is stored for it (not an error for callers).
  virtual JournalStatus forget(uint64_t session_id, uint32_t acked_seq) = 0;

  virtual bool find(uint64_t session_id, UsageRecord& out) const = 0;
  virtual size_t record_count() const = 0;
  // i in [0, record_count()); order unspecified but stable until the next put/forget.
  virtual bool record_at(size_t i, UsageRecord& out) const = 0;

  virtual JournalStatus put_counters(const Counters& c) = 0;
  virtual const Counters& counters() const = 0;

  virtual JournalStatus put_config(const void* blob, size_t length) = 0;
  // Copies the stored configuration into out; returns its length, 0 if none is stored (or it
  // does not fit in capacity).
  virtual size_t config(void* out, size_t capacity) const = 0;

 protected:
  ~RecordStore() = default;
};

}  // namespace gm::store
