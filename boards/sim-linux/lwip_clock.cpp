// lwIP's clock on Linux: milliseconds of CLOCK_MONOTONIC, which never jumps with the wall
// clock. lwIP only compares differences, so wrapping at 2^32 ms is harmless.
#include "boards/sim-linux/lwip_clock.h"

#include <time.h>

namespace gm::board {

uint32_t lwip_clock_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint32_t>(static_cast<uint64_t>(ts.tv_sec) * 1000 +
                               static_cast<uint64_t>(ts.tv_nsec) / 1'000'000);
}

}  // namespace gm::board
