// The seam between the agent core and whatever carries its datagrams to the census: lwIP's raw
// API on bare metal and in the simulator, POSIX sockets on Linux gateways, a fake in tests.
// Implementations hold the ordered census addresses and move between them on fail_over();
// the core decides when, sends, and is told what arrived (Agent::on_datagram).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gm::core {

class Uplink {
 public:
  // Queues one datagram for the current census; false if it could not be handed over (the
  // outbox keeps the records and tries again later either way).
  virtual bool send(const uint8_t* datagram, size_t length) = 0;

  // The current census stopped acknowledging (the agent decides when): move to the next
  // census address in the login service's order of preference, wrapping around. Returns
  // false if there is no other address to try.
  virtual bool fail_over() { return false; }
  // How many census addresses fail_over() moves between: once that many in turn have been
  // silent, the agent knows no census answers its login (Agent::watch_census).
  virtual size_t census_count() const { return 1; }

 protected:
  ~Uplink() = default;
};

}  // namespace gm::core
