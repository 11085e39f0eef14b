// Logging in over lwIP's raw TCP API: a TCP connection to the login service, TLS with the
// pinned key (TlsClient), then the login exchange (LoginExchange). The same public API as
// PosixLogin, so a board drives either the same way: start(), then step() from its loop until
// done or failed, bounded by a deadline.
//
// lwIP does the I/O in callbacks while the board's loop feeds it frames and timers; step()
// only moves bytes between the connection's queues and TLS. Nothing here blocks or allocates
// beyond lwIP's own pools and mbedTLS's TLS buffers.
#pragma once

#include <lwip/tcp.h>

#include <cstdint>

#include "firmware/core/login_exchange.h"
#include "firmware/net/login_pump.h"
#include "firmware/net/tls_client.h"

namespace gm::net {

class LwipLogin {
 public:
  using Step = LoginStep;  // busy, done, failed

  LwipLogin() = default;
  ~LwipLogin() { stop(); }
  LwipLogin(const LwipLogin&) = delete;
  LwipLogin& operator=(const LwipLogin&) = delete;

  // "a.b.c.d:port" of the login service. False (with error()) if the address is bad or lwIP
  // cannot even begin to connect (no pcb, no route); a refused or silent server shows later
  // as a failed step().
  // continuing: LoginRequest.continuing (Agent::login_continues()).
  bool start(const char* server, const uint8_t (&pin)[32], const core::AgentIdentity& identity,
             uint32_t boot_count, bool continuing, hal::Rng& rng, uint64_t deadline_ms);
  Step step(uint64_t now_ms);
  // Ends the conversation politely (TLS close_notify, TCP FIN).
  void stop();
  // Forgets the connection without a byte on the wire, as a power cut would.
  void drop();

  bool running() const { return open_; }
  const core::LoginExchange& exchange() const { return exchange_; }
  const char* error() const { return error_; }

 private:
  Step fail(const char* why) {
    error_ = why;
    stop();
    return Step::failed;
  }
  void release_pcb(bool send_fin);

  static err_t on_connected(void* self, tcp_pcb* pcb, err_t err);
  static err_t on_recv(void* self, tcp_pcb* pcb, pbuf* p, err_t err);
  static void on_error(void* self, err_t err);
  static int bio_send(void* self, const unsigned char* data, size_t length);
  static int bio_recv(void* self, unsigned char* data, size_t length);

  tcp_pcb* pcb_ = nullptr;
  pbuf* received_ = nullptr;  // bytes lwIP delivered that TLS has not read yet
  bool connected_ = false;
  bool peer_closed_ = false;
  bool reset_ = false;  // lwIP reported the connection dead (refused, reset, timed out)
  TlsClient tls_;
  core::LoginExchange exchange_;
  bool open_ = false;
  uint64_t deadline_ms_ = 0;
  const char* error_ = "";
};

}  // namespace gm::net
