// The fixed-capacity table of subscriber sessions (capacity GM_MAX_SESSIONS, set at build time).
// When it is full a new session is refused with StartResult::table_full — never dropped
// silently, never evicting a session whose usage is not yet safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/session.h"
#include "firmware/gatemeter_config.h"

namespace gm::core {

enum class StartResult : uint8_t {
  ok,
  table_full,     // every slot holds a live session or an unacknowledged STOP
  bad_identity,   // empty, too long, or not "user@realm"
  unknown_service,
};

const char* start_result_name(StartResult r);

class SessionTable {
 public:
  static constexpr size_t capacity = config::max_sessions;

  // A free slot, or nullptr when full.
  Session* allocate();
  Session* find(uint64_t id);
  const Session* find(uint64_t id) const;
  void release(Session& s) { s = Session{}; }

  size_t in_use() const;

  // Service names are kept once here, and sessions hold an index (RAM per session). intern()
  // returns the index of a known or newly added name, or -1 when max_services names are known.
  int intern_service(const char* name);
  const char* service_name(uint8_t index) const;
  Session* begin() { return slots_; }
  Session* end() { return slots_ + capacity; }
  const Session* begin() const { return slots_; }
  const Session* end() const { return slots_ + capacity; }

 private:
  Session slots_[capacity];
  char services_[config::max_services][service_capacity] = {};
  size_t service_count_ = 0;
};

// "user@realm": both parts non-empty, fits the record field, printable ASCII without spaces.
bool valid_identity(const char* subscriber);

}  // namespace gm::core
