// Simulated NOR flash with its own RAM: 16 sectors of 4 KiB, 4-byte words (a 64 KiB journal,
// the size the benchmarks quote).
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/store/sim_flash.h"

namespace gm::test {

inline constexpr hal::FlashGeometry agent_flash_geometry{4096, 16, 4};

class AgentFlash {
 public:
  explicit AgentFlash(hal::FlashGeometry g = agent_flash_geometry, uint64_t seed = 1)
      : bytes_(size_t{g.sector_size} * g.sector_count), flash_(g, bytes_.data(), true, seed) {}
  store::SimFlash& device() { return flash_; }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  store::SimFlash flash_;
};

}  // namespace gm::test
