// Logging in from a Linux gateway: TCP to the login service, TLS with the pinned key
// (TlsClient), then the login exchange (LoginExchange). Driven by step() from the gateway's
// loop; non-blocking after the TCP connect, and bounded by a deadline.
#pragma once

#include <mbedtls/net_sockets.h>

#include <cstdint>

#include "firmware/core/login_exchange.h"
#include "firmware/net/login_pump.h"
#include "firmware/net/tls_client.h"

namespace gm::net {

class PosixLogin {
 public:
  using Step = LoginStep;  // busy, done, failed

  PosixLogin() { mbedtls_net_init(&net_); }
  ~PosixLogin() { stop(); }
  PosixLogin(const PosixLogin&) = delete;
  PosixLogin& operator=(const PosixLogin&) = delete;

  // "a.b.c.d:port" of the login service. False (with error()) if it cannot even connect.
  // continuing: LoginRequest.continuing (Agent::login_continues()).
  bool start(const char* server, const uint8_t (&pin)[32], const core::AgentIdentity& identity,
             uint32_t boot_count, bool continuing, hal::Rng& rng, uint64_t deadline_ms);
  Step step(uint64_t now_ms);
  void stop();

  bool running() const { return open_; }
  const core::LoginExchange& exchange() const { return exchange_; }
  const char* error() const { return error_; }

 private:
  Step fail(const char* why) {
    error_ = why;
    stop();
    return Step::failed;
  }

  mbedtls_net_context net_;
  TlsClient tls_;
  core::LoginExchange exchange_;
  bool open_ = false;
  uint64_t deadline_ms_ = 0;
  const char* error_ = "";
};

}  // namespace gm::net
