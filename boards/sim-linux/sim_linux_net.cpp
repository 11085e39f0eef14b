#include "boards/sim-linux/sim_linux_net.h"

#include <lwip/init.h>
#include <lwip/timeouts.h>

#include "boards/sim-linux/lwip_clock.h"
#include "boards/sim-linux/netns_scope.h"

namespace gm::board {

namespace {
bool lwip_started = false;   // lwIP cannot be initialised twice in one process
bool interface_taken = false;  // and this board drives its only interface
}  // namespace

void SimLinuxNet::down() {
  power_cut();
  if (tap_.fd() >= 0) interface_taken = false;
  tap_.close();
}

bool SimLinuxNet::up(const SimLinuxNetConfig& config, std::string& error) {
  if (is_up()) return true;
  if (interface_taken) {
    error = "sim-linux: lwIP is already up in this process (one SimLinuxNet per process)";
    return false;
  }
  TapAddress a;
  if (!ip4addr_aton(config.address.c_str(), &a.address) ||
      !ip4addr_aton(config.netmask.c_str(), &a.netmask) ||
      !ip4addr_aton(config.gateway.c_str(), &a.gateway)) {
    error = "sim-linux: bad address, netmask or gateway";
    return false;
  }
  // Locally administered and derived from the address: gateways sharing one bridge differ.
  const uint32_t ip = lwip_ntohl(ip4_addr_get_u32(&a.address));
  a.mac = {0x02, 0x67, 0x6d, static_cast<uint8_t>(ip >> 16), static_cast<uint8_t>(ip >> 8),
           static_cast<uint8_t>(ip)};
  if (!lwip_started) {
    gm_lwip_seed(config.seed);  // before lwip_init: it draws the first local ports
    gm_lwip_set_clock(&lwip_clock_ms);
    lwip_init();
    lwip_started = true;
  }
  NetnsScope scope;
  if (!config.netns.empty() && !scope.enter(config.netns, error)) return false;
  if (!tap_.open(config.tap, a, error)) return false;
  scope.leave();
  address_ = config.address;
  interface_taken = true;
  return true;
}

int SimLinuxNet::poll(int timeout_ms) {
  const u32_t due = sys_timeouts_sleeptime();
  const int wait = due < static_cast<u32_t>(timeout_ms) ? static_cast<int>(due) : timeout_ms;
  const int frames = tap_.poll(wait < 0 ? 0 : wait);
  sys_check_timeouts();
  netif_poll_all();
  return frames;
}

void SimLinuxNet::power_cut() {
  login_.drop();
  uplink_.close();
}

}  // namespace gm::board
