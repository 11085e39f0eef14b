// RelaySet for builds without Boost.Asio (the cross-built simulator): no relays.
#include "sim/relay_set.h"

namespace gm::sim {

struct RelaySet::Impl {};

RelaySet::RelaySet() = default;
RelaySet::~RelaySet() = default;

bool RelaySet::start(const std::vector<RelaySpec>& relays, const FaultPlan&, uint64_t,
                     CensusTap, std::string& error) {
  if (relays.empty()) return true;
  error = "--relay: this build of gatemeter-sim has no fault relays (built without Boost.Asio); "
          "run the relays from the host build";
  return false;
}

RelayTotals RelaySet::totals(int) const { return {}; }
void RelaySet::set_blackhole(size_t, bool) {}
void RelaySet::stop() {}

}  // namespace gm::sim
