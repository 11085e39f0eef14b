#include "sim/gateway.h"

#include <cstring>

#include "sim/posix_gateway_net.h"

namespace gm::sim {

using Kind = ScriptEvent::Kind;

Gateway::Gateway(const GatewayConfig& config, hal::Flash& flash, hal::Clock& clock,
                 hal::Rng& rng, hal::Log& log, TruthLog& truth, uint64_t start_ms)
    : config_(config),
      flash_(flash),
      clock_(clock),
      rng_(rng),
      log_(log),
      truth_(truth),
      script_(config.subscribers, start_ms) {
  identity_.agent_id = config_.agent_id.c_str();
  std::memcpy(identity_.credential, config_.credential.data(), sizeof identity_.credential);
  identity_.component_count = 1;
  copy_text(identity_.components[0].name, sizeof identity_.components[0].name, "agent");
  identity_.components[0].version = 1;
}

Gateway::~Gateway() = default;

void Gateway::boot(uint64_t now_ms) {
  now_ms_ = now_ms;
  net_.reset();
  agent_.reset();
  journal_ = std::make_unique<store::Journal>(flash_);
  agent_ = std::make_unique<core::Agent>(clock_, *journal_, log_);
  agent_->apply_settings(config_.settings);
  agent_->on_session_end(&Gateway::on_session_end, this);
  const core::BootReport r = agent_->boot();
  boots_ = r.boot_count;
  net_ = config_.make_net
             ? config_.make_net(&Gateway::on_datagram, this)
             : std::make_unique<PosixGatewayNet>(&Gateway::on_datagram, this, config_.local_ip);
  logged_in_ = false;
  next_login_ms_ = now_ms;
  next_tick_ms_ = now_ms;
  session_of_.clear();
}

void Gateway::power_cut(uint64_t now_ms) {
  if (agent_) {
    for (const auto& [who, id] : session_of_) {
      const core::Session* s = agent_->session(id);
      if (s == nullptr) continue;  // ended and its STOP durable (acknowledged or in flash)
      if (s->state == core::SessionState::stopping)
        truth_.cut_after_end(config_.agent_id, id);  // its STOP was still only in RAM
      else
        record_end(*s, true, now_ms);
    }
  }
  session_of_.clear();
  net_.reset();
  agent_.reset();
  journal_.reset();
  logged_in_ = false;
}

void Gateway::on_datagram(void* self, const uint8_t* data, size_t length) {
  auto* g = static_cast<Gateway*>(self);
  if (g->agent_) g->agent_->on_datagram(data, length);
}

void Gateway::on_session_end(void* self, const core::Session& s) {
  auto* g = static_cast<Gateway*>(self);
  g->record_end(s, false, g->now_ms_);
}

void Gateway::record_end(const core::Session& s, bool power_cut, uint64_t now_ms) {
  truth_.end(config_.agent_id, s.id, s.subscriber, s.charged_s, s.free_s,
             power_cut ? static_cast<int32_t>(gatemeter_StopCause_STOP_AGENT_RESTART) : s.cause,
             power_cut, now_ms);
}

void Gateway::drive_login(uint64_t now_ms) {
  if (logged_in_ || now_ms < next_login_ms_) return;
  if (!net_->login_running()) {
    uint8_t pin[32];
    std::memcpy(pin, config_.login_pin.data(), sizeof pin);
    if (!net_->start_login(config_.login_server.c_str(), pin, identity_, boots_, rng_,
                           now_ms + 5000)) {
      log_.write(hal::LogLevel::warning, "gateway.login_unreachable");
      net_->end_login();
      next_login_ms_ = now_ms + 2000;
      return;
    }
  }
  switch (net_->step_login(now_ms)) {
    case GatewayNet::LoginStep::busy:
      return;
    case GatewayNet::LoginStep::failed:
      log_.write(hal::LogLevel::warning, "gateway.login_failed");
      net_->end_login();
      next_login_ms_ = now_ms + 2000;
      return;
    case GatewayNet::LoginStep::done:
      break;
  }
  const gatemeter_LoginResponse& r = net_->exchange().response();
  const char* census[4];
  for (pb_size_t i = 0; i < r.census_count; ++i) census[i] = r.census[i];
  if (r.census_count == 0 || !net_->open_uplink(census, r.census_count)) {
    log_.write(hal::LogLevel::error, "gateway.bad_census_list", r.census_count);
    net_->end_login();
    next_login_ms_ = now_ms + 2000;
    return;
  }
  agent_->on_login(net_->exchange().grant(), net_->uplink());
  net_->end_login();
  logged_in_ = true;
}

void Gateway::apply(const ScriptEvent& e, uint64_t now_ms) {
  if (e.kind == Kind::start) {
    uint64_t id = 0;
    const std::string who = script_.identity(e.subscriber);
    const uint8_t billing = e.subscriber % 10 == 0 ? gatemeter_BillingOption_BILLING_FREE
                                                   : gatemeter_BillingOption_BILLING_PREPAID;
    if (agent_->start_session(who.c_str(), "wifi", billing, id) == core::StartResult::ok) {
      session_of_[e.subscriber] = id;
      TruthEntry& t = truth_.at(config_.agent_id, id);
      t.subscriber = who;
    }
    return;
  }
  const auto it = session_of_.find(e.subscriber);
  if (it == session_of_.end()) return;  // refused, or lost to a power cut
  const uint64_t id = it->second;
  switch (e.kind) {
    case Kind::approve:
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE, 0, 0, config_.idle_timeout_s);
      break;
    case Kind::approve_temporarily:
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_TEMPORARY, 30, 0, config_.idle_timeout_s);
      break;
    case Kind::reject:
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_REJECT);
      break;
    case Kind::traffic:
      if (agent_->on_traffic(id, e.octets_in, e.octets_out))
        truth_.add_traffic(config_.agent_id, id, now_ms, e.octets_in, e.octets_out);
      break;
    case Kind::free_period:
      agent_->set_free_period(id, e.seconds);
      break;
    case Kind::stop_user:
      agent_->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
      break;
    case Kind::stop_carrier:
      agent_->stop_session(id, gatemeter_StopCause_STOP_LOST_CARRIER);
      break;
    case Kind::go_idle:
    case Kind::start:
      break;
  }
}

void Gateway::step(uint64_t now_ms) {
  if (!agent_) return;  // powered off
  now_ms_ = now_ms;
  drive_login(now_ms);
  for (const ScriptEvent& e : script_.due(now_ms))
    if (!winding_down_) apply(e, now_ms);
  if (now_ms >= next_tick_ms_) {
    agent_->tick();
    next_tick_ms_ = now_ms + 1000;
  }
  net_->poll(now_ms);
}

void Gateway::wind_down(uint64_t now_ms) {
  winding_down_ = true;
  now_ms_ = now_ms;
  if (!agent_) return;
  for (const auto& [who, id] : session_of_)
    agent_->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
}

bool Gateway::drained() const {
  return agent_ != nullptr && logged_in_ && agent_->outbox().pending() == 0;
}

GatewayStatus Gateway::status() const {
  GatewayStatus st;
  st.logged_in = logged_in_;
  st.boots = boots_;
  if (!agent_) return st;
  st.pending = agent_->outbox().pending();
  st.acked = agent_->outbox().stats().records_acked;
  for (const core::Session& s : agent_->sessions()) {
    if (!s.in_use()) continue;
    ++st.sessions;
    st.charged_s += s.charged_s;
    st.free_s += s.free_s;
    st.octets_in += s.octets_in;
    st.octets_out += s.octets_out;
  }
  return st;
}

}  // namespace gm::sim
