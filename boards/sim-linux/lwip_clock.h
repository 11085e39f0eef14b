// The clock the sim-linux board gives lwIP (gm_lwip_set_clock).
#pragma once

#include <cstdint>

namespace gm::board {

uint32_t lwip_clock_ms();

}  // namespace gm::board
