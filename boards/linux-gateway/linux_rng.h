// RNG HAL on Linux: the kernel's getrandom(2), which blocks only until the pool is seeded once.
#pragma once

#include <sys/random.h>

#include "firmware/hal/rng.h"

namespace gm::board {

class LinuxRng final : public hal::Rng {
 public:
  bool fill(uint8_t* out, size_t length) override {
    while (length > 0) {
      const ssize_t n = getrandom(out, length, 0);
      if (n <= 0) return false;
      out += n;
      length -= static_cast<size_t>(n);
    }
    return true;
  }
};

}  // namespace gm::board
