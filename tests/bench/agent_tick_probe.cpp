// What bench_journal runs under callgrind for the agent's CPU per metering tick: 64 active
// sessions with traffic and a healthy uplink; gm_bench_ticks (the only function counted) runs
// TICKS one-second ticks, each with its sends and acknowledgements.
//
//   agent_tick_probe SESSIONS TICKS
#include <cstdio>
#include <cstdlib>
#include <string>

#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"

using namespace gm;

namespace {
class NullLog final : public hal::Log {
 public:
  void write(hal::LogLevel, const char*, int64_t, int64_t) override {}
};
}  // namespace

struct World {
  test::FakeClock clock;
  NullLog log;
  test::CaptureUplink uplink;
  test::AgentFlash flash;
  store::Journal journal{flash.device()};
  test::FakeRng rng;
  core::Agent agent{clock, journal, rng, log};
  test::FakeCensus* census = nullptr;
};

extern "C" __attribute__((noinline)) void gm_bench_ticks(World* w, int ticks) {
  for (int t = 0; t < ticks; ++t) {
    w->clock.advance_s(1);
    w->agent.tick();
    for (const auto& d : w->uplink.sent) {
      auto ack = w->census->receive(d);  // the census's work is not the agent's, but it is
      if (!ack.empty()) w->agent.on_datagram(ack.data(), ack.size());  // small; see the table
    }
    w->uplink.sent.clear();
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SESSIONS TICKS\n", argv[0]);
    return 2;
  }
  const int sessions = std::atoi(argv[1]), ticks = std::atoi(argv[2]);
  World w;
  w.agent.boot();
  core::LoginGrant g;
  g.login_session = 1;
  test::FakeCensus census(1, g.session_key);
  w.census = &census;
  w.agent.on_login(g, w.uplink);
  for (int i = 0; i < sessions; ++i) {
    uint64_t id = 0;
    const std::string who = "subscriber-" + std::to_string(i) + "@realm.example.net";
    if (w.agent.start_session(who.c_str(), "internet", gatemeter_BillingOption_BILLING_PREPAID,
                              id) != core::StartResult::ok)
      return 3;
    w.agent.authorise(id, gatemeter_AuthDecision_AUTH_APPROVE);
    w.agent.on_traffic(id, 1000, 100);
  }
  gm_bench_ticks(&w, 5);  // settle: START records sent and acknowledged
  gm_bench_ticks(&w, ticks);
  std::printf("ticks=%d sessions=%d acked=%llu\n", ticks, sessions,
              static_cast<unsigned long long>(w.agent.outbox().stats().records_acked));
  return 0;
}
