// One turn of the login conversation over an established connection, whatever carries it
// (PosixLogin over a socket, LwipLogin over lwIP's TCP): advance the TLS handshake, then move
// the exchange's pending output into TLS and whatever TLS has read into the exchange.
#pragma once

#include <cstdint>

#include "firmware/core/login_exchange.h"
#include "firmware/net/tls_client.h"

namespace gm::net {

enum class LoginStep : uint8_t { busy, done, failed };

// On failed, *why names the reason ("handshake", "pin_mismatch", "write", "closed", or the
// exchange's own error). The caller closes the connection on done and failed.
LoginStep pump_login(TlsClient& tls, core::LoginExchange& exchange, const char** why);

}  // namespace gm::net
