// GatewayNet over POSIX sockets: the linux-gateway board's uplink and login.
#pragma once

#include <memory>
#include <string>

#include "firmware/net/posix_login.h"
#include "firmware/net/posix_uplink.h"
#include "sim/gateway_net.h"

namespace gm::sim {

class PosixGatewayNet final : public GatewayNet {
 public:
  PosixGatewayNet(Receive receive, void* context, std::string local_ip)
      : uplink_(receive, context), local_ip_(std::move(local_ip)),
        login_(std::make_unique<net::PosixLogin>()) {}

  bool start_login(const char* server, const uint8_t (&pin)[32],
                   const core::AgentIdentity& identity, uint32_t boot_count, bool continuing,
                   hal::Rng& rng, uint64_t deadline_ms) override {
    return login_->start(server, pin, identity, boot_count, continuing, rng, deadline_ms);
  }
  LoginStep step_login(uint64_t now_ms) override {
    switch (login_->step(now_ms)) {
      case net::PosixLogin::Step::busy: return LoginStep::busy;
      case net::PosixLogin::Step::done: return LoginStep::done;
      case net::PosixLogin::Step::failed: break;
    }
    return LoginStep::failed;
  }
  bool login_running() const override { return login_->running(); }
  void end_login() override {
    last_error_ = login_->error();
    login_ = std::make_unique<net::PosixLogin>();
  }
  const core::LoginExchange& exchange() const override { return login_->exchange(); }
  const char* error() const override { return login_->running() ? login_->error() : last_error_; }

  bool open_uplink(const char* const* census, size_t count) override {
    return uplink_.set_census(census, count) && uplink_.open(local_ip_.c_str());
  }
  bool set_billing(const char* const* billing, size_t count) override {
    return uplink_.set_billing(billing, count);
  }
  core::Uplink& uplink() override { return uplink_; }
  void poll(uint64_t) override { uplink_.poll(0); }

 private:
  net::PosixUplink uplink_;
  std::string local_ip_;
  std::unique_ptr<net::PosixLogin> login_;
  const char* last_error_ = "";
};

}  // namespace gm::sim
