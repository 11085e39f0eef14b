// The simulator's faulty relays, on a thread of their own: one FaultRelay per --relay, with
// outages switched from the gateways' loop. Builds without Boost (the cross-built simulator)
// get a RelaySet that refuses relays with a clear message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/sim_options.h"

namespace gm::sim {

class RelaySet {
 public:
  RelaySet();
  ~RelaySet();
  // Starts every relay; false with the reason in error.
  bool start(const std::vector<RelaySpec>& relays, const FaultPlan& faults, uint64_t seed,
             std::string& error);
  void set_blackhole(size_t relay, bool on);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::sim
