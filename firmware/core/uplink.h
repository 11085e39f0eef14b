// The seam between the agent core and whatever carries its datagrams to the census and the
// billing servers: lwIP's raw API on bare metal and in the simulator, POSIX sockets on Linux
// gateways, a fake in tests. Implementations hold the ordered census addresses and move between
// them on fail_over(), and hold the billing servers (LoginResponse.billing, primary first), which
// the core addresses by index: each authorisation request keeps its own place in that list (the
// auth client decides when to move on). The core is told of everything that arrived from either
// through Agent::on_datagram; the frame's kind says which it is.
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

  // Billing servers the board was given with the login (0: none, the board decides alone).
  virtual size_t billing_count() const { return 0; }
  // Queues one datagram for billing server `index` (0: the primary); false if there is no such
  // server or it could not be handed over (the request is tried again either way).
  virtual bool send_billing(size_t index, const uint8_t* datagram, size_t length) {
    (void)index, (void)datagram, (void)length;
    return false;
  }

 protected:
  ~Uplink() = default;
};

}  // namespace gm::core
