#include "sim/subscriber_script.h"

namespace gm::sim {

using Kind = ScriptEvent::Kind;

SubscriberScript::SubscriberScript(const SubscriberPlan& plan, uint64_t start_ms)
    : plan_(plan), rng_(plan.seed) {
  schedule_arrival(start_ms);
}

std::string SubscriberScript::identity(uint32_t subscriber) const {
  return "sub" + std::to_string(subscriber) + "@" + plan_.realm;
}

void SubscriberScript::schedule_arrival(uint64_t after_ms) {
  if (plan_.arrivals_per_minute <= 0) return;
  if (plan_.max_sessions != 0 && next_subscriber_ >= plan_.max_sessions) return;
  std::exponential_distribution<> gap(plan_.arrivals_per_minute / 60'000.0);
  events_.push({after_ms + static_cast<uint64_t>(gap(rng_)), Kind::start, next_subscriber_++});
}

void SubscriberScript::plan_session(uint32_t who, uint64_t at_ms) {
  std::uniform_real_distribution<> u(0, 1);
  const double roll = u(rng_);
  const uint64_t decide_ms = at_ms + 200 + static_cast<uint64_t>(u(rng_) * 3000);
  if (roll < plan_.reject_share) {
    events_.push({decide_ms, Kind::reject, who});
    return;
  }
  const bool temporary = roll < plan_.reject_share + plan_.temporary_share;
  events_.push({decide_ms, temporary ? Kind::approve_temporarily : Kind::approve, who});
  if (temporary) events_.push({decide_ms + 10'000, Kind::approve, who});  // remote system answers

  std::exponential_distribution<> length(1.0 / plan_.mean_duration_s);
  const uint64_t end_ms = decide_ms + 1000 + static_cast<uint64_t>(length(rng_) * 1000);
  const bool goes_idle = u(rng_) < plan_.idle_share;
  std::exponential_distribution<> rate_in(1.0 / static_cast<double>(plan_.mean_bytes_per_s_in));
  std::exponential_distribution<> rate_out(1.0 / static_cast<double>(plan_.mean_bytes_per_s_out));
  const double in_per_s = rate_in(rng_), out_per_s = rate_out(rng_);
  for (uint64_t t = decide_ms + 1000; t < end_ms; t += 1000)
    events_.push({t, Kind::traffic, who, static_cast<uint64_t>(in_per_s), static_cast<uint64_t>(out_per_s)});
  if (u(rng_) < plan_.free_period_share)
    events_.push({decide_ms + (end_ms - decide_ms) / 3, Kind::free_period, who, 0, 0, plan_.free_period_s});
  if (goes_idle)
    events_.push({end_ms, Kind::go_idle, who});  // no more traffic; the idle timeout ends it
  else
    events_.push({end_ms, u(rng_) < 0.8 ? Kind::stop_user : Kind::stop_carrier, who});
}

std::vector<ScriptEvent> SubscriberScript::due(uint64_t now_ms) {
  std::vector<ScriptEvent> out;
  while (!events_.empty() && events_.top().at_ms <= now_ms) {
    ScriptEvent e = events_.top();
    events_.pop();
    if (e.kind == Kind::start) {
      plan_session(e.subscriber, e.at_ms);
      schedule_arrival(e.at_ms);
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace gm::sim
