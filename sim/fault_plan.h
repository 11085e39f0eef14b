// What a faulty relay does to datagrams (sim/fault_relay.h applies it).
#pragma once

#include <cstdint>

namespace gm::sim {

struct FaultPlan {
  double loss = 0;       // probability a datagram is dropped
  double duplicate = 0;  // probability it is delivered twice
  double reorder = 0;    // probability it is held back and overtaken by the next one
  uint32_t delay_ms = 0;   // fixed delay added to every datagram
  uint32_t jitter_ms = 0;  // plus a uniform random delay in [0, jitter_ms]
  uint64_t seed = 1;
};

}  // namespace gm::sim
