#include "sim/subscriber_script.h"

#include "gatemeter.pb.h"

namespace gm::sim {

using Kind = ScriptEvent::Kind;

SubscriberScript::SubscriberScript(const SubscriberPlan& plan, uint64_t start_ms)
    : plan_(plan), rng_(plan.seed) {
  schedule_arrival(start_ms);
}

namespace {

constexpr const char roaming_prefix[] = "roaming:";

// The home realm a roaming entry of --accounts names, or "" for an account.
std::string roaming_realm(const std::vector<std::string>& accounts, uint32_t subscriber) {
  if (accounts.empty()) return "";
  const std::string& a = accounts[subscriber % accounts.size()];
  return a.rfind(roaming_prefix, 0) == 0 ? a.substr(sizeof roaming_prefix - 1) : "";
}

}  // namespace

std::string SubscriberScript::identity(uint32_t subscriber) const {
  const std::string home = free_billing(subscriber) ? "" : roaming_realm(plan_.accounts, subscriber);
  return "sub" + std::to_string(subscriber) + "@" + (home.empty() ? plan_.realm : home);
}

BillingChoice SubscriberScript::billing_choice(uint32_t subscriber) const {
  BillingChoice c;
  c.option = free_billing(subscriber) ? gatemeter_BillingOption_BILLING_FREE
                                      : gatemeter_BillingOption_BILLING_PREPAID;
  if (!plan_.accounts.empty()) c.account = plan_.accounts[subscriber % plan_.accounts.size()];
  c.address = "10." + std::to_string((subscriber >> 16) & 0xFF) + "." +
              std::to_string((subscriber >> 8) & 0xFF) + "." + std::to_string(subscriber & 0xFF);
  // A hash of seed and index (splitmix64), not the script's generator: deterministic per
  // subscriber whatever else the run draws.
  uint64_t z = plan_.seed * 0x9e3779b97f4a7c15ull + subscriber + 1;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  c.anonymous = !free_billing(subscriber) &&
                static_cast<double>(z >> 11) / 9007199254740992.0 < plan_.anonymous_share;
  if (c.anonymous) c.option = gatemeter_BillingOption_BILLING_POSTPAID;
  if (!free_billing(subscriber) && !roaming_realm(plan_.accounts, subscriber).empty()) {
    c.option = gatemeter_BillingOption_BILLING_ROAMING;
    c.account.clear();
    c.anonymous = false;
  }
  return c;
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
