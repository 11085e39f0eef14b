// NOR flash as the journal sees it: a geometry and three operations. A board implements this
// over its flash controller; tests and the simulator use sim_flash (firmware/store).
//
// NOR rules every implementation enforces or inherits from the hardware: erase sets a whole
// sector to 0xFF; program can only clear bits (1 -> 0), at word granularity, word-aligned;
// programming a bit back to 1 without an erase is an error.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm::hal {

struct FlashGeometry {
  uint32_t sector_size;   // bytes per erase unit
  uint32_t sector_count;
  uint32_t word_size;     // program granularity and alignment, bytes (e.g. 4)
};

class Flash {
 public:
  virtual FlashGeometry geometry() const = 0;
  // Each returns false on a device error (or, in simulation, a power cut or a NOR violation).
  virtual bool read(uint32_t address, void* out, size_t length) = 0;
  virtual bool program(uint32_t address, const void* data, size_t length) = 0;
  virtual bool erase(uint32_t sector) = 0;

 protected:
  ~Flash() = default;
};

}  // namespace gm::hal
