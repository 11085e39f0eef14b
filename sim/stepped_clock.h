// The simulated world's clock: it moves only when the simulator's loop says so, so every agent
// and the truth log see the same instant for the same event. (Reading the system clock again
// inside a step would put the agent a few milliseconds after the moment the simulator wrote
// down, and whole-second metering would then disagree with the truth at random.)
#pragma once

#include <cstdint>

#include "firmware/hal/clock.h"

namespace gm::sim {

class SteppedClock final : public hal::Clock {
 public:
  // wall_unix_at_start: the wall time that goes with monotonic time start_ms.
  SteppedClock(uint64_t start_ms, uint64_t wall_unix_at_start)
      : ms_(start_ms), start_ms_(start_ms), wall_at_start_(wall_unix_at_start) {}
  void set(uint64_t now_ms) {
    if (now_ms > ms_) ms_ = now_ms;  // monotonic, whatever the caller passes
  }
  uint64_t monotonic_ms() override { return ms_; }
  uint64_t wall_unix() override { return wall_at_start_ + (ms_ - start_ms_) / 1000; }

 private:
  uint64_t ms_, start_ms_, wall_at_start_;
};

}  // namespace gm::sim
