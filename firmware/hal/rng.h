// A source of random bytes good enough for nonces (the board's TRNG, or getrandom on Linux).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm::hal {

class Rng {
 public:
  virtual bool fill(uint8_t* out, size_t length) = 0;

 protected:
  ~Rng() = default;
};

}  // namespace gm::hal
