// Clock HAL on Linux: CLOCK_MONOTONIC for metering (never jumps), CLOCK_REALTIME for stamps.
#pragma once

#include <time.h>

#include "firmware/hal/clock.h"

namespace gm::board {

class PosixClock final : public hal::Clock {
 public:
  uint64_t monotonic_ms() override {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1'000'000;
  }
  uint64_t wall_unix() override {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec);
  }
};

}  // namespace gm::board
