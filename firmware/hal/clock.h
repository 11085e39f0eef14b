// Time as the agent sees it. Monotonic time drives metering and timers and never goes back;
// wall time only stamps records (it may jump when the gateway syncs its clock).
#pragma once

#include <cstdint>

namespace gm::hal {

class Clock {
 public:
  virtual uint64_t monotonic_ms() = 0;
  virtual uint64_t wall_unix() = 0;  // seconds since 1970, 0 if not yet known

 protected:
  ~Clock() = default;
};

}  // namespace gm::hal
