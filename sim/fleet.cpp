#include "sim/fleet.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace gm::sim {

void SimLog::write(hal::LogLevel level, const char* event, int64_t a, int64_t b) {
  if (level < hal::LogLevel::warning && std::strcmp(event, "agent.boot") != 0 &&
      std::strcmp(event, "agent.login") != 0 && std::strcmp(event, "agent.login_due") != 0)
    return;
  static const char* const names[] = {"debug", "info", "warning", "error"};
  std::fprintf(stderr, "%s %s %s %" PRId64 " %" PRId64 "\n", name_.c_str(),
               names[static_cast<int>(level)], event, a, b);
}

bool Fleet::add(const GatewayConfig& config, const std::string& flash_path, std::string& error) {
  auto m = std::make_unique<Member>();
  m->config = config;
  auto flash = board::FlashFile::open(flash_path, fleet_flash_geometry, error, rng_() | 1);
  if (!flash) return false;
  m->flash.emplace(std::move(*flash));
  m->log = std::make_unique<SimLog>(m->config.agent_id);
  m->gateway = std::make_unique<Gateway>(m->config, m->flash->device(), clock_, random_, *m->log,
                                         truth_, witness_, clock_.monotonic_ms());
  members_.push_back(std::move(m));
  return true;
}

void Fleet::boot_all(uint64_t now_ms) {
  clock_.set(now_ms);
  for (auto& m : members_) m->gateway->boot(now_ms);
}

void Fleet::plan_power_cuts(uint32_t count, uint64_t from_ms, uint64_t to_ms) {
  if (to_ms <= from_ms) return;
  for (auto& m : members_) {
    for (uint32_t i = 0; i < count; ++i) m->cuts_at.push_back(from_ms + rng_() % (to_ms - from_ms));
    std::sort(m->cuts_at.begin(), m->cuts_at.end());
  }
}

void Fleet::drive_power(Member& m, uint64_t now_ms) {
  store::SimFlash& flash = m.flash->device();
  if (m.off_until_ms != 0) {
    if (now_ms < m.off_until_ms) return;
    m.off_until_ms = 0;
    flash.power_on();
    m.gateway->boot(now_ms);
    return;
  }
  if (m.cut_armed_ms == 0 && !m.cuts_at.empty() && now_ms >= m.cuts_at.front() && !winding_down_) {
    m.cuts_at.erase(m.cuts_at.begin());
    flash.cut_power_at(flash.operations());  // the next write is torn
    m.cut_armed_ms = now_ms + 1000 + rng_() % 2000;
  }
  if (m.cut_armed_ms != 0 && (!flash.powered() || now_ms >= m.cut_armed_ms)) {
    if (!flash.powered()) ++m.torn_cuts;  // the armed write was torn part-way
    flash.cut_power_now();  // nothing wrote in time: the cut falls between writes
    m.gateway->power_cut(now_ms);
    m.cut_armed_ms = 0;
    ++m.cuts_done;
    m.off_until_ms = now_ms + 1000 + rng_() % 3000;
  }
}

void Fleet::step(uint64_t now_ms) {
  clock_.set(now_ms);
  witness_.drain();  // acks seen at the relays since the last step
  for (auto& m : members_) {
    drive_power(*m, now_ms);
    if (m->off_until_ms == 0) m->gateway->step(now_ms);
  }
}

void Fleet::wind_down(uint64_t now_ms) {
  clock_.set(now_ms);  // the agents stop their sessions at the moment the truth writes down
  winding_down_ = true;
  for (auto& m : members_) {
    if (m->cut_armed_ms != 0) {  // an armed cut never fires now: disarm it
      m->flash->device().power_on();
      m->cut_armed_ms = 0;
    }
    m->gateway->wind_down(now_ms);
  }
}

bool Fleet::drained() const {
  for (const auto& m : members_)
    if (m->off_until_ms != 0 || !m->gateway->drained()) return false;
  return true;
}

FleetTotals Fleet::totals() const {
  FleetTotals t;
  for (const auto& m : members_) {
    const GatewayStatus s = m->gateway->status();
    ++t.gateways;
    t.logged_in += s.logged_in ? 1 : 0;
    t.powered += m->gateway->powered() ? 1 : 0;
    t.sessions += s.sessions;
    t.pending += s.pending;
    t.acked += s.acked;
    t.charged_s += s.charged_s;
    t.free_s += s.free_s;
    t.octets_in += s.octets_in;
    t.octets_out += s.octets_out;
    t.power_cuts += m->cuts_done;
    t.torn_cuts += m->torn_cuts;
  }
  return t;
}

}  // namespace gm::sim
