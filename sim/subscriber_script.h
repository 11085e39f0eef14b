// Scripted subscribers for a simulated gateway: arrivals (Poisson), authorisation decisions,
// session lengths, traffic, free periods, and how sessions end. Pure and deterministic for a
// seed, so a failing chaos run can be replayed exactly.
#pragma once

#include <cstdint>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace gm::sim {

struct SubscriberPlan {
  double arrivals_per_minute = 6;
  uint32_t mean_duration_s = 300;
  uint64_t mean_bytes_per_s_in = 40'000;
  uint64_t mean_bytes_per_s_out = 8'000;
  double temporary_share = 0.1;    // sessions first approved temporarily
  double reject_share = 0.05;      // sessions the host rejects
  double free_period_share = 0.2;  // sessions granted a free period mid-way
  uint32_t free_period_s = 120;
  double idle_share = 0.1;         // sessions that go silent and end by idle timeout
  uint32_t max_sessions = 0;       // stop arrivals after this many (0: no limit)
  std::string realm = "hotspot.example";
  uint64_t seed = 1;
  // With billing servers (the login lists them), what subscribers tell the captive portal:
  // subscriber i names accounts[i % size] (--accounts FILE; none: no account), and a share of
  // them first asks without one, so billing answers more_info_needed and the portal asks again.
  // An entry "roaming:<realm>" makes its subscribers roamers instead: named user@<realm> (their
  // home provider's realm) and asking for the roaming option, with no account.
  // None of this draws from the script's random numbers: the scripted run stays as it was.
  std::vector<std::string> accounts;
  double anonymous_share = 0.2;
};

// How a subscriber asks billing to let it in (Agent::request_authorisation).
struct BillingChoice {
  uint8_t option = 0;       // gatemeter_BillingOption
  std::string account;      // "" none
  std::string address;      // its address at the gateway
  bool anonymous = false;   // asks first without its account (then as prepaid with it)
};

struct ScriptEvent {
  enum class Kind : uint8_t { start, approve, approve_temporarily, reject, traffic, free_period, stop_user, stop_carrier, go_idle };
  uint64_t at_ms = 0;
  Kind kind = Kind::start;
  uint32_t subscriber = 0;   // index of the scripted subscriber (stable across the run)
  uint64_t octets_in = 0;    // traffic events
  uint64_t octets_out = 0;
  uint32_t seconds = 0;      // free_period
  bool operator>(const ScriptEvent& o) const { return at_ms > o.at_ms; }
};

class SubscriberScript {
 public:
  SubscriberScript(const SubscriberPlan& plan, uint64_t start_ms);

  // Events due at or before now_ms, in time order.
  std::vector<ScriptEvent> due(uint64_t now_ms);
  std::string identity(uint32_t subscriber) const;
  // Whether subscriber i's billing option is free (every tenth, as the scripted decisions have it).
  static bool free_billing(uint32_t subscriber) { return subscriber % 10 == 0; }
  BillingChoice billing_choice(uint32_t subscriber) const;
  uint32_t started() const { return next_subscriber_; }

 private:
  void schedule_arrival(uint64_t after_ms);
  void plan_session(uint32_t who, uint64_t at_ms);

  SubscriberPlan plan_;
  std::mt19937_64 rng_;
  uint32_t next_subscriber_ = 0;
  std::priority_queue<ScriptEvent, std::vector<ScriptEvent>, std::greater<>> events_;
};

}  // namespace gm::sim
