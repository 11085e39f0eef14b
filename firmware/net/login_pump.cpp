#include "firmware/net/login_pump.h"

namespace gm::net {

LoginStep pump_login(TlsClient& tls, core::LoginExchange& exchange, const char** why) {
  const TlsClient::Step hs = tls.handshake();
  if (hs == TlsClient::Step::failed) {
    *why = tls.error();
    return LoginStep::failed;
  }
  if (hs == TlsClient::Step::busy) return LoginStep::busy;

  size_t pending = 0;
  const uint8_t* out = exchange.output(pending);
  if (pending > 0) {
    const int n = tls.write(out, pending);
    if (n < 0) {
      *why = "write";
      return LoginStep::failed;
    }
    exchange.consumed(static_cast<size_t>(n));
  }
  uint8_t buf[512];
  const int n = tls.read(buf, sizeof buf);
  if (n < 0) {
    *why = "closed";
    return LoginStep::failed;
  }
  if (n > 0) exchange.on_bytes(buf, static_cast<size_t>(n));

  switch (exchange.state()) {
    case core::LoginExchange::State::done:
      return LoginStep::done;
    case core::LoginExchange::State::failed:
      *why = exchange.error();
      return LoginStep::failed;
    default:
      return LoginStep::busy;
  }
}

}  // namespace gm::net
