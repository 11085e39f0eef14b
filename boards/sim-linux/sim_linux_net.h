// The sim-linux board's network: lwIP (NO_SYS, the agent's lwipopts.h) over a TAP device with
// a static IPv4 address, and the agent's lwIP census uplink and login on top, for one gateway.
//
// lwIP is one global stack, so there is one SimLinuxNet alive per process (fleet mode stays on
// POSIX sockets). A simulated power cut is power_cut() (the network card stays up), or down()
// / destroying the SimLinuxNet and bringing one up again on the same TAP: all drop what the agent held in RAM (the uplink's
// pcb, the login connection) without a packet on the wire. lwIP itself is initialised once per
// process, so its own tables (ARP cache, port counter) carry over as if the network card had
// kept them; for a cut that loses those too, kill the process.
//
// Use from a simulator main:
//   SimLinuxNet net(&on_datagram, ctx);              // ctx: the gateway
//   SimLinuxNetConfig c; c.tap = "gm0"; c.netns = "gm-ns"; c.address = "192.0.2.2"; ...
//   if (!net.up(c, error)) ...
//   net.login().start(...); net.uplink().set_census(...); net.uplink().open(net.address());
//   loop: net.poll(10); net.login().step(now); agent ticks -> net.uplink().send(...)
#pragma once

#include <cstdint>
#include <string>

#include "boards/sim-linux/tap_netif.h"
#include "firmware/net/lwip_login.h"
#include "firmware/net/lwip_uplink.h"

namespace gm::board {

struct SimLinuxNetConfig {
  std::string tap = "gm0";  // TAP device; must exist (ip tuntap add) or be creatable there
  std::string netns;        // its network namespace; empty: the calling thread's own
  std::string address = "192.0.2.2";
  std::string netmask = "255.255.255.0";
  std::string gateway = "192.0.2.1";
  uint32_t seed = 1;  // lwIP's initial local ports and IP ids; pass RNG output so boots differ
};

class SimLinuxNet {
 public:
  SimLinuxNet(net::LwipUplink::Receive on_datagram, void* context)
      : uplink_(on_datagram, context) {}
  ~SimLinuxNet() { down(); }
  SimLinuxNet(const SimLinuxNet&) = delete;
  SimLinuxNet& operator=(const SimLinuxNet&) = delete;

  // Initialises lwIP (first call in the process only), attaches the TAP inside `netns` and
  // adds it as lwIP's default interface. False with `error` set; then nothing is up.
  bool up(const SimLinuxNetConfig& config, std::string& error);
  bool is_up() const { return tap_.fd() >= 0; }
  // The board loses power: login and uplink dropped without a packet, the interface removed
  // from lwIP and the TAP let go. up() may follow, on this object or a new one.
  void down();

  // One turn of the board's loop: waits up to timeout_ms (less if an lwIP timer is due) for
  // frames from the TAP, hands them to lwIP, runs due timers and the loopback queue. Uplink
  // datagrams are delivered to the callback from in here. Returns the frames read.
  int poll(int timeout_ms);

  net::LwipUplink& uplink() { return uplink_; }
  net::LwipLogin& login() { return login_; }
  const char* address() const { return address_.c_str(); }  // for uplink().open()
  TapNetif& tap() { return tap_; }

  void power_cut();

 private:
  TapNetif tap_;
  net::LwipUplink uplink_;
  net::LwipLogin login_;
  std::string address_;
};

}  // namespace gm::board
