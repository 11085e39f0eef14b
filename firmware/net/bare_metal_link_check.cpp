// Linked for bare metal only, never run: reaches every path of the lwIP census uplink and the
// lwIP login (TCP, TLS handshake, login exchange) so that the link proves they need no heap,
// exceptions or RTTI, and the size report shows what they cost on a Cortex-M3.
#include <lwip/init.h>
#include <lwip/timeouts.h>
#include <mbedtls/memory_buffer_alloc.h>

#include "firmware/net/lwip_login.h"
#include "firmware/net/lwip_uplink.h"

namespace {

struct CountingRng final : gm::hal::Rng {
  uint8_t next = 1;
  bool fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = next++;
    return true;
  }
};

// mbedTLS's TLS state lives in this arena: record buffers (16 KiB in, 2 KiB out), the
// handshake, the server's certificate, ECP scratch (see bare_metal_tls_config.h for the sizing).
unsigned char tls_arena[48 * 1024];

void deliver(void*, const uint8_t*, size_t) {}

}  // namespace

int main() {
  mbedtls_memory_buffer_alloc_init(tls_arena, sizeof tls_arena);
  lwip_init();
  gm::net::LwipUplink uplink(&deliver, nullptr);
  gm::net::LwipLogin login;
  CountingRng rng;
  gm::core::AgentIdentity identity;
  const uint8_t pin[32] = {};
  const char* census[] = {"192.0.2.1:7000"};
  uplink.set_census(census, 1);
  uplink.open();
  login.start("192.0.2.1:7443", pin, identity, 1, false, rng, 60000);
  for (uint64_t now = 0;; ++now) {
    sys_check_timeouts();
    if (login.step(now) != gm::net::LwipLogin::Step::busy) break;
  }
  const uint8_t hello[] = {1, 2, 3};
  uplink.fail_over();
  return uplink.send(hello, sizeof hello) ? 0 : 1;
}
