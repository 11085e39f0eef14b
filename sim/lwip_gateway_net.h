// GatewayNet over lwIP on a TAP device (the sim-linux board). lwIP is one stack per process,
// so one gateway per process uses it: LwipBoard owns the stack and hands out one
// LwipGatewayNet per boot; destroying it (a power cut) drops the agent's connections without
// a packet on the wire.
#pragma once

#include <memory>
#include <string>

#include "boards/sim-linux/sim_linux_net.h"
#include "sim/gateway_net.h"

namespace gm::sim {

class LwipBoard {
 public:
  LwipBoard() : net_(&LwipBoard::deliver, this) {}
  bool up(const board::SimLinuxNetConfig& config, std::string& error) {
    return net_.up(config, error);
  }
  // The gateway's network for one boot; datagrams from the census go to receive(context).
  std::unique_ptr<GatewayNet> make(GatewayNet::Receive receive, void* context);

 private:
  friend class LwipGatewayNet;
  static void deliver(void* self, const uint8_t* data, size_t length) {
    auto* b = static_cast<LwipBoard*>(self);
    if (b->receive_ != nullptr) b->receive_(b->context_, data, length);
  }
  board::SimLinuxNet net_;
  GatewayNet::Receive receive_ = nullptr;
  void* context_ = nullptr;
};

class LwipGatewayNet final : public GatewayNet {
 public:
  explicit LwipGatewayNet(LwipBoard& board) : b_(board) {}
  ~LwipGatewayNet() override {
    b_.net_.power_cut();
    b_.receive_ = nullptr;
  }

  bool start_login(const char* server, const uint8_t (&pin)[32],
                   const core::AgentIdentity& identity, uint32_t boot_count, bool continuing,
                   hal::Rng& rng, uint64_t deadline_ms) override {
    return b_.net_.login().start(server, pin, identity, boot_count, continuing, rng, deadline_ms);
  }
  LoginStep step_login(uint64_t now_ms) override {
    switch (b_.net_.login().step(now_ms)) {
      case net::LwipLogin::Step::busy: return LoginStep::busy;
      case net::LwipLogin::Step::done: return LoginStep::done;
      case net::LwipLogin::Step::failed: break;
    }
    return LoginStep::failed;
  }
  bool login_running() const override { return b_.net_.login().running(); }
  void end_login() override { b_.net_.login().stop(); }
  const core::LoginExchange& exchange() const override { return b_.net_.login().exchange(); }
  const char* error() const override { return b_.net_.login().error(); }

  bool open_uplink(const char* const* census, size_t count) override {
    return b_.net_.uplink().set_census(census, count) &&
           b_.net_.uplink().open(b_.net_.address());
  }
  bool set_billing(const char* const* billing, size_t count) override {
    return b_.net_.uplink().set_billing(billing, count);
  }
  core::Uplink& uplink() override { return b_.net_.uplink(); }
  void poll(uint64_t) override { b_.net_.poll(0); }

 private:
  LwipBoard& b_;
};

inline std::unique_ptr<GatewayNet> LwipBoard::make(GatewayNet::Receive receive, void* context) {
  receive_ = receive;
  context_ = context;
  return std::make_unique<LwipGatewayNet>(*this);
}

}  // namespace gm::sim
