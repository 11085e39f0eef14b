#include "firmware/net/posix_login.h"

#include <cstring>

namespace gm::net {

bool PosixLogin::start(const char* server, const uint8_t (&pin)[32],
                       const core::AgentIdentity& identity, uint32_t boot_count, bool continuing,
                       hal::Rng& rng, uint64_t deadline_ms) {
  stop();
  error_ = "";
  const char* colon = std::strrchr(server, ':');
  if (colon == nullptr || colon == server || colon - server > 63) {
    error_ = "bad_address";
    return false;
  }
  char host[64] = {};
  std::memcpy(host, server, static_cast<size_t>(colon - server));
  if (mbedtls_net_connect(&net_, host, colon + 1, MBEDTLS_NET_PROTO_TCP) != 0) {
    error_ = "connect";
    return false;
  }
  open_ = true;
  mbedtls_net_set_nonblock(&net_);
  const TlsClient::Io io{&net_, mbedtls_net_send, mbedtls_net_recv};
  if (!tls_.start(io, pin, rng)) {
    error_ = "tls_setup";
    stop();
    return false;
  }
  exchange_.start(identity, boot_count, continuing, rng);
  deadline_ms_ = deadline_ms;
  return true;
}

PosixLogin::Step PosixLogin::step(uint64_t now_ms) {
  if (!open_) return Step::failed;
  if (now_ms >= deadline_ms_) return fail("timeout");

  const char* why = "";
  const Step s = pump_login(tls_, exchange_, &why);
  if (s == Step::failed) return fail(why);
  if (s == Step::done) stop();
  return s;
}

void PosixLogin::stop() {
  if (!open_) return;
  tls_.close();
  mbedtls_net_free(&net_);
  mbedtls_net_init(&net_);
  open_ = false;
}

}  // namespace gm::net
