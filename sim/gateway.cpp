#include "sim/gateway.h"

#include <cstring>

#include "shared/proto/wire_limits.h"
#include "sim/posix_gateway_net.h"

namespace gm::sim {

using Kind = ScriptEvent::Kind;

Gateway::Gateway(const GatewayConfig& config, hal::Flash& flash, hal::Clock& clock,
                 hal::Rng& rng, hal::Log& log, TruthLog& truth, RecordWitness& witness,
                 uint64_t start_ms)
    : config_(config),
      flash_(flash),
      clock_(clock),
      rng_(rng),
      log_(log),
      truth_(truth),
      witness_(witness),
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
  uplink_.reset();
  agent_.reset();
  journal_ = std::make_unique<store::Journal>(flash_);
  witnessed_journal_ = std::make_unique<WitnessStore>(*journal_, witness_, config_.agent_id, clock_);
  agent_ = std::make_unique<core::Agent>(clock_, *witnessed_journal_, rng_, log_);
  agent_->apply_settings(config_.settings);
  if (config_.fault != core::OutboxFault::none) agent_->inject_fault(config_.fault);
  agent_->on_session_end(&Gateway::on_session_end, this);
  agent_->on_billing(&Gateway::on_billing, this);
  const core::BootReport r = agent_->boot();
  boots_ = r.boot_count;
  net_ = config_.make_net
             ? config_.make_net(&Gateway::on_datagram, this)
             : std::make_unique<PosixGatewayNet>(&Gateway::on_datagram, this, config_.local_ip);
  logged_in_ = false;
  next_login_ms_ = now_ms;
  login_backoff_ms_ = 0;
  next_tick_ms_ = now_ms;
  session_of_.clear();
  billed_.clear();
}

void Gateway::power_cut(uint64_t now_ms) {
  if (agent_) {
    for (const auto& [who, id] : session_of_) {
      if (truth_.connected(config_.agent_id, id))
        truth_.cut(config_.agent_id, id, now_ms);
      else if (agent_->session(id) != nullptr)  // ended, but its STOP was still only in RAM
        truth_.cut_after_end(config_.agent_id, id, now_ms);
      // else: ended, and the agent let go of its STOP (acknowledged or in flash)
    }
  }
  session_of_.clear();
  billed_.clear();
  net_.reset();
  uplink_.reset();
  agent_.reset();
  witnessed_journal_.reset();
  journal_.reset();
  logged_in_ = false;
}

void Gateway::on_datagram(void* self, const uint8_t* data, size_t length) {
  auto* g = static_cast<Gateway*>(self);
  frame::Header h;
  if (frame::peek(data, length, h) == frame::Refusal::none && h.kind == frame::FrameKind::ack)
    g->witness_.from_census(data, length);
  if (g->agent_) g->agent_->on_datagram(data, length);
}

// The agent tells the board to cut the subscriber off the data plane: from this moment the
// subscriber is gone (only the cause is read from the agent; the moment is the simulator's).
void Gateway::on_session_end(void* self, const core::Session& s) {
  auto* g = static_cast<Gateway*>(self);
  const bool ignored = g->config_.ignore_zero_balance && s.cause == gatemeter_StopCause_STOP_ZERO_BALANCE;
  if (!ignored) g->truth_.ended(g->config_.agent_id, s.id, s.cause, g->now_ms_);
  if (g->billed_.count(s.id)) {
    if (s.cause == gatemeter_StopCause_STOP_ZERO_BALANCE) ++g->billing_.zero_balance;
    if (s.cause == gatemeter_StopCause_STOP_BILLING_UNREACHABLE) ++g->billing_.unreachable;
  }
}

// What billing decided for a subscriber the agent asked it about. The agent allows the board to
// act on it at once (ask again, stop the session) from inside this callback.
void Gateway::on_billing(void* self, const core::Session& s, const core::BillingNotice& n) {
  auto* g = static_cast<Gateway*>(self);
  const auto it = g->billed_.find(s.id);
  if (it == g->billed_.end()) return;
  const std::string& agent = g->config_.agent_id;
  const uint64_t id = s.id;
  switch (n.event) {
    case core::BillingEvent::approved:
    case core::BillingEvent::approved_temporarily:
    case core::BillingEvent::approved_locally:
      // The moment charged time begins in the truth (free before: the walled garden). A
      // walled-garden session charged again (COMMAND_GRANT) is not modelled by the truth log.
      if (n.event == core::BillingEvent::approved_locally)
        ++g->billing_.approved_locally;
      else
        ++g->billing_.approved;
      g->truth_.decided(agent, id, g->now_ms_);
      if (n.event == core::BillingEvent::approved_temporarily)
        g->truth_.temporarily_approved(agent, id, g->now_ms_);
      break;
    case core::BillingEvent::rejected: {
      ++g->billing_.rejected;
      const BillingChoice c = g->script_.billing_choice(it->second);
      g->log_.write(hal::LogLevel::info, "gateway.auth_rejected", static_cast<int64_t>(id), n.reject);
      if (s.state != core::SessionState::authorising) break;  // running: the agent ends it
      // The portal asks for the account billing needs, once: the subscriber names the script's.
      if (n.reject == gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED && !c.account.empty() &&
          s.request == 1 &&
          g->agent_->request_authorisation(id, gatemeter_BillingOption_BILLING_PREPAID,
                                           c.account.c_str(), c.address.c_str()) ==
              core::AuthRequestResult::sent) {
        ++g->billing_.asked_again;
        break;
      }
      ++g->billing_.refused;
      g->agent_->stop_session(id, gatemeter_StopCause_STOP_AUTH_REJECTED);  // on_session_end
      break;
    }
    case core::BillingEvent::held:
      ++g->billing_.held;
      g->truth_.held(agent, id, g->now_ms_);
      break;
    case core::BillingEvent::released:
      g->truth_.released(agent, id, g->now_ms_);
      break;
    case core::BillingEvent::walled_garden:
      ++g->billing_.walled_garden;
      g->log_.write(hal::LogLevel::info, "gateway.walled_garden", static_cast<int64_t>(id));
      break;
    case core::BillingEvent::low_balance:
      ++g->billing_.low_balance;
      g->log_.write(hal::LogLevel::info, "gateway.low_balance", static_cast<int64_t>(id),
                    n.balance_micros);
      break;
  }
}

// The agent says when to log in: after a boot, before its login's lifetime ends, when no census
// answers it any more (Agent::login_due). The gateway runs the login and hands over the grant;
// only the first login after a boot says it is not continuing, so a renewal keeps the
// subscriber sessions open at the host. Meanwhile the agent meters on, under its old login if
// it has one. A failed attempt (login service down, or the agent disabled) is retried after a
// backoff, 2 s doubling to 32 s, so a refused gateway keeps asking without hammering the
// service; its records wait in the outbox and the journal.
void Gateway::drive_login(uint64_t now_ms) {
  if (now_ms < next_login_ms_) return;
  if (!net_->login_running()) {
    if (!agent_->login_due()) return;
    uint8_t pin[32];
    std::memcpy(pin, config_.login_pin.data(), sizeof pin);
    const bool continuing = agent_->login_continues();
    log_.write(hal::LogLevel::info, "gateway.login", static_cast<int64_t>(agent_->login_reason()),
               continuing ? 1 : 0);
    if (!net_->start_login(config_.login_server.c_str(), pin, identity_, boots_, continuing, rng_,
                           now_ms + 5000)) {
      log_.write(hal::LogLevel::warning, "gateway.login_unreachable");
      net_->end_login();
      retry_login_later(now_ms);
      return;
    }
  }
  switch (net_->step_login(now_ms)) {
    case GatewayNet::LoginStep::busy:
      return;
    case GatewayNet::LoginStep::failed:
      // A disabled agent is told so (LOGIN_DISABLED); it asks again until it is enabled.
      log_.write(hal::LogLevel::warning, std::strcmp(net_->exchange().error(), "disabled") == 0
                                             ? "gateway.login_disabled"
                                             : "gateway.login_failed");
      net_->end_login();
      retry_login_later(now_ms);
      return;
    case GatewayNet::LoginStep::done:
      break;
  }
  const gatemeter_LoginResponse& r = net_->exchange().response();
  const char* census[wire::max_census];
  for (pb_size_t i = 0; i < r.census_count; ++i) census[i] = r.census[i];
  if (r.census_count == 0 || !net_->open_uplink(census, r.census_count)) {
    log_.write(hal::LogLevel::error, "gateway.bad_census_list", r.census_count);
    net_->end_login();
    retry_login_later(now_ms);
    return;
  }
  core::LoginGrant grant = net_->exchange().grant();
  if (grant.billing_count == 0 && !config_.billing.empty()) {
    grant.billing_count = config_.billing.size();
    for (size_t i = 0; i < grant.billing_count; ++i)
      copy_text(grant.billing[i], sizeof grant.billing[i], config_.billing[i].c_str());
  }
  const char* billing[wire::max_billing];
  for (size_t i = 0; i < grant.billing_count; ++i) billing[i] = grant.billing[i];
  if (!net_->set_billing(billing, grant.billing_count)) {
    log_.write(hal::LogLevel::error, "gateway.bad_billing_list", static_cast<int64_t>(grant.billing_count));
    net_->end_login();
    retry_login_later(now_ms);
    return;
  }
  frame::TagKey key;
  frame::derive_tag_key(grant.session_key, sizeof grant.session_key, key);
  witness_.login(config_.agent_id, grant.login_session, key);
  // A renewal replaces the wrapper too: the agent is handed the new one in the same breath.
  uplink_ = std::make_unique<WitnessUplink>(net_->uplink(), witness_);
  agent_->on_login(grant, *uplink_);
  net_->end_login();
  logged_in_ = true;
  login_backoff_ms_ = 0;
}

void Gateway::retry_login_later(uint64_t now_ms) {
  login_backoff_ms_ = login_backoff_ms_ == 0       ? 2000
                      : login_backoff_ms_ >= 16000 ? 32000
                                                   : login_backoff_ms_ * 2;
  next_login_ms_ = now_ms + login_backoff_ms_;
}

void Gateway::apply(const ScriptEvent& e, uint64_t now_ms) {
  const std::string& agent = config_.agent_id;
  if (e.kind == Kind::start && agent_->billing_enabled()) {
    start_billed(e.subscriber, now_ms);
    return;
  }
  if (e.kind == Kind::start) {
    uint64_t id = 0;
    const std::string who = script_.identity(e.subscriber);
    const bool free = SubscriberScript::free_billing(e.subscriber);
    const uint8_t billing = free ? gatemeter_BillingOption_BILLING_FREE
                                 : gatemeter_BillingOption_BILLING_PREPAID;
    if (agent_->start_session(who.c_str(), "wifi", billing, id) == core::StartResult::ok) {
      session_of_[e.subscriber] = id;
      truth_.started(agent, id, who, free, now_ms);
    }
    return;
  }
  const auto it = session_of_.find(e.subscriber);
  if (it == session_of_.end()) return;  // refused, or lost to a power cut
  const uint64_t id = it->second;
  if (!truth_.connected(agent, id)) return;  // gone: the agent or the simulator ended it
  const bool decision =
      e.kind == Kind::approve || e.kind == Kind::approve_temporarily || e.kind == Kind::reject;
  if (decision && billed_.count(id) != 0) return;  // billing decides this one (on_billing)
  switch (e.kind) {
    case Kind::approve:
      truth_.decided(agent, id, now_ms);
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE, 0, 0, config_.idle_timeout_s);
      break;
    case Kind::approve_temporarily:
      truth_.decided(agent, id, now_ms);
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_TEMPORARY, 30, 0, config_.idle_timeout_s);
      break;
    case Kind::reject:
      truth_.decided(agent, id, now_ms);
      agent_->authorise(id, gatemeter_AuthDecision_AUTH_REJECT);  // ends it (on_session_end)
      break;
    case Kind::traffic: {
      const bool counted = agent_->on_traffic(id, e.octets_in, e.octets_out);
      truth_.fed(agent, id, e.octets_in, e.octets_out, !counted);
      break;
    }
    case Kind::free_period:
      truth_.free_period(agent, id, e.seconds, now_ms);
      agent_->set_free_period(id, e.seconds);
      break;
    case Kind::stop_user:
    case Kind::stop_carrier: {
      const int32_t cause = e.kind == Kind::stop_user ? gatemeter_StopCause_STOP_USER_REQUEST
                                                      : gatemeter_StopCause_STOP_LOST_CARRIER;
      agent_->stop_session(id, cause);
      truth_.ended(agent, id, cause, now_ms);  // the subscriber left, whatever the agent did
      break;
    }
    case Kind::go_idle:
    case Kind::start:
      break;
  }
}

// A subscriber of a gateway whose login lists billing servers: the agent asks them (with what
// the subscriber chose, BillingChoice) and on_billing hears the answer; the script's decisions
// are not used for it.
void Gateway::start_billed(uint32_t subscriber, uint64_t now_ms) {
  uint64_t id = 0;
  const std::string who = script_.identity(subscriber);
  const BillingChoice c = script_.billing_choice(subscriber);
  if (agent_->start_session(who.c_str(), "wifi", c.option, id) != core::StartResult::ok) return;
  session_of_[subscriber] = id;
  billed_[id] = subscriber;
  const bool free = SubscriberScript::free_billing(subscriber);
  truth_.started(config_.agent_id, id, who, free, now_ms);
  truth_.billed(config_.agent_id, id, free ? "" : c.account);
  ++billing_.asked;
  if (agent_->request_authorisation(id, c.option, c.anonymous ? "" : c.account.c_str(),
                                    c.address.c_str()) != core::AuthRequestResult::sent) {
    ++billing_.not_asked;
    agent_->stop_session(id, gatemeter_StopCause_STOP_AUTH_REJECTED);  // on_session_end
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
  watch_final_grants(now_ms);
}

// The agent does not tell the board of grants, only of what the board must act on; the truth
// reads a final grant's limit off the agent's table right after the answer or command that
// brought it (both arrive in poll), before the tick that may end the session at it. A later
// grant that is not final (a remote approval, a top-up) takes the final one back.
void Gateway::watch_final_grants(uint64_t now_ms) {
  if (!agent_) return;
  for (const auto& [id, subscriber] : billed_) {
    const core::Session* s = agent_->session(id);
    if (s == nullptr || s->state == core::SessionState::stopping) continue;
    const bool final = (s->auth & core::auth_final) && s->grant_s != 0;
    truth_.told_final(config_.agent_id, id, final ? s->grant_s : 0, now_ms);
  }
}

void Gateway::wind_down(uint64_t now_ms) {
  winding_down_ = true;
  now_ms_ = now_ms;
  if (!agent_) return;
  for (const auto& [who, id] : session_of_) {
    if (!truth_.connected(config_.agent_id, id)) continue;
    agent_->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
    truth_.ended(config_.agent_id, id, gatemeter_StopCause_STOP_USER_REQUEST, now_ms);
  }
}

bool Gateway::drained() const {
  return agent_ != nullptr && logged_in_ && agent_->outbox().pending() == 0;
}

GatewayStatus Gateway::status() const {
  GatewayStatus st;
  st.logged_in = logged_in_;
  st.boots = boots_;
  st.billing = billing_;
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
