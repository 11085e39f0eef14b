// How a simulated gateway reaches the servers: the login over TLS and the census uplink. Two
// boards, one seam: POSIX sockets (linux-gateway) and lwIP over a TAP device (sim-linux). The
// gateway drives both the same way; a power cut destroys the object with everything in it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/login_exchange.h"
#include "firmware/core/uplink.h"
#include "firmware/hal/rng.h"

namespace gm::sim {

class GatewayNet {
 public:
  enum class LoginStep : uint8_t { busy, done, failed };
  using Receive = void (*)(void* context, const uint8_t* data, size_t length);

  virtual ~GatewayNet() = default;

  // Starts a login to "a.b.c.d:port"; false if it cannot even begin (error() says why).
  // continuing: LoginRequest.continuing (core::Agent::login_continues()).
  virtual bool start_login(const char* server, const uint8_t (&pin)[32],
                           const core::AgentIdentity& identity, uint32_t boot_count,
                           bool continuing, hal::Rng& rng, uint64_t deadline_ms) = 0;
  virtual LoginStep step_login(uint64_t now_ms) = 0;
  virtual bool login_running() const = 0;
  virtual void end_login() = 0;  // after done or failed: ready for the next attempt
  virtual const core::LoginExchange& exchange() const = 0;
  virtual const char* error() const = 0;

  // Points the uplink at the census list from the login; datagrams back go to `receive`.
  virtual bool open_uplink(const char* const* census, size_t count) = 0;
  // The billing servers from the login (none is fine): their answers come to `receive` too.
  virtual bool set_billing(const char* const* billing, size_t count) = 0;
  virtual core::Uplink& uplink() = 0;
  // Moves the network along: delivers received datagrams, runs the stack's timers.
  virtual void poll(uint64_t now_ms) = 0;
};

}  // namespace gm::sim
