// The simulator's faulty relays, on a thread of their own: one FaultRelay per --relay, with
// outages switched from the gateways' loop. Builds without Boost (the cross-built simulator)
// get a RelaySet that refuses relays with a clear message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/sim_options.h"

namespace gm::sim {

// What all relays did so far, summed over both directions.
struct RelayTotals {
  uint64_t forwarded = 0, dropped = 0, duplicated = 0, reordered = 0, blackholed = 0;
  uint64_t from_census = 0, mirrored = 0;
};

class RelaySet {
 public:
  RelaySet();
  ~RelaySet();
  // Called on the relays' thread with every datagram a census sends back, before any fault.
  using CensusTap = std::function<void(const uint8_t* data, size_t length)>;
  // Starts every relay; false with the reason in error.
  bool start(const std::vector<RelaySpec>& relays, const FaultPlan& faults, uint64_t seed,
             CensusTap tap, std::string& error);
  // One relay's counts (relay < count), or all relays' summed (relay = -1). Any thread.
  RelayTotals totals(int relay = -1) const;
  void set_blackhole(size_t relay, bool on);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::sim
