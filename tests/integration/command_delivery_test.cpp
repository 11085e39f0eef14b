// Commands that arrive: the real agent core (firmware/core Agent, its journal on simulated
// flash, the POSIX uplink) against a real CensusServer, with 20 % of the datagrams lost in each
// direction, and a fifth of the acks that get through held back until later ones overtook
// them. Every command queued in the store must be applied exactly once on the agent, by id,
// and end up delivered (confirmed) in the store.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "boards/linux-gateway/posix_clock.h"
#include "firmware/core/agent.h"
#include "firmware/net/posix_uplink.h"
#include "firmware/store/journal.h"
#include "tests/integration/server_fixture.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_hal.h"

namespace gm::test {
namespace {

// The network between the agent and the census, losing datagrams both ways at random, and
// holding back some of those towards the agent so that later ones overtake them.
class LossyLink final : public core::Uplink {
 public:
  LossyLink(double loss, double hold_back, uint64_t seed)
      : loss_(loss), hold_back_(hold_back), rng_(seed), uplink_(&LossyLink::arrived, this) {}

  bool open(const std::string& census) {
    const char* list[] = {census.c_str()};
    return uplink_.set_census(list, 1) && uplink_.open("127.0.0.1");
  }
  void deliver_to(core::Agent& agent) { agent_ = &agent; }
  void poll(int timeout_ms) {
    uplink_.poll(timeout_ms);
    const auto now = std::chrono::steady_clock::now();
    while (!held_.empty() && held_.front().first <= now) {
      const std::vector<uint8_t> d = std::move(held_.front().second);
      held_.erase(held_.begin());
      agent_->on_datagram(d.data(), d.size());
    }
  }

  bool send(const uint8_t* d, size_t n) override {
    if (lose()) {
      ++lost_to_census;
      return true;  // handed over; the network lost it
    }
    return uplink_.send(d, n);
  }

  uint64_t lost_to_census = 0, lost_to_agent = 0, held_back = 0;

 private:
  static void arrived(void* self, const uint8_t* d, size_t n) {
    auto& link = *static_cast<LossyLink*>(self);
    if (link.lose()) {
      ++link.lost_to_agent;
      return;
    }
    if (std::uniform_real_distribution<>(0, 1)(link.rng_) < link.hold_back_) {
      ++link.held_back;
      link.held_.emplace_back(std::chrono::steady_clock::now() + std::chrono::milliseconds(400),
                              std::vector<uint8_t>(d, d + n));
      return;
    }
    link.agent_->on_datagram(d, n);
  }
  bool lose() { return std::uniform_real_distribution<>(0, 1)(rng_) < loss_; }

  double loss_, hold_back_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::vector<uint8_t>>> held_;
  std::mt19937_64 rng_;
  net::PosixUplink uplink_;
  core::Agent* agent_ = nullptr;
};

class CommandDeliveryTest : public ServerFixture {};

TEST_F(CommandDeliveryTest, UnderTwentyPercentLossEachWayEveryQueuedCommandIsAppliedExactlyOnce) {
  // An eager census: every ack to the agent carries its unconfirmed commands (the usual rule
  // is once per 2 s), so the agent sees commands again while its confirmations are on their
  // way or lost, in the acks of the several datagrams each flush of 60 sessions makes.
  host::CensusSettings eager = census_settings_;
  eager.command_resend_ms = 0;
  restart_census(&eager);

  // The login (TLS, pinned key) by the test client; the agent core takes over its grant.
  auto login = logged_in("gw-cmd");
  const gatemeter_LoginResponse& g = login->grant();
  core::LoginGrant grant;
  grant.login_session = g.login_session_id;
  std::memcpy(grant.session_key, g.session_key, sizeof grant.session_key);
  // Commands ride on acks, so they reach an agent as often as it sends: every interval at
  // least. One second keeps the test short.
  grant.interval_s = 1;
  grant.track_usage = g.track_usage;

  board::PosixClock clock;
  FakeRng rng;
  MemoryLog log;
  AgentFlash flash;
  store::Journal journal(flash.device());
  core::Agent agent(clock, journal, rng, log);
  core::AgentSettings settings;
  settings.copies = 1;            // each datagram once: the loss is all the link's
  settings.retransmit_ms = 300;
  agent.apply_settings(settings);
  ASSERT_EQ(agent.boot().journal, store::JournalStatus::ok);
  std::map<uint64_t, int> applied;  // command id -> times the agent applied it
  agent.on_command([](void* m, const gatemeter_Command& c) { ++(*static_cast<std::map<uint64_t, int>*>(m))[c.id]; },
                   &applied);

  LossyLink link(0.20, 0.20, 20240610);
  ASSERT_TRUE(link.open(g.census[0]));
  link.deliver_to(agent);
  agent.on_login(grant, link);

  std::vector<uint64_t> sessions;
  for (int i = 0; i < 60; ++i) {
    uint64_t id = 0;
    ASSERT_EQ(agent.start_session(("user" + std::to_string(i) + "@isp.example").c_str(), "wifi",
                                  gatemeter_BillingOption_BILLING_PREPAID, id),
              core::StartResult::ok);
    ASSERT_TRUE(agent.authorise(id, gatemeter_AuthDecision_AUTH_APPROVE));
    sessions.push_back(id);
  }

  // 24 commands in twelve waves, 400 ms apart: more than one ack carries (8), fewer than the
  // agent remembers (32). Each session command names one of the first 12 sessions.
  const int64_t agent_row = store_->find_agent("gw-cmd")->id;
  std::vector<int64_t> queued;
  // Each wave: a free period for session i, then an end (every third) or a second free period
  // (its own id, applied once too).
  auto queue_wave = [&](size_t i) {
    gatemeter_Command c = gatemeter_Command_init_zero;
    c.kind = gatemeter_CommandKind_COMMAND_SET_FREE_PERIOD;
    c.session_id = sessions[i];
    c.free_s = 5;
    queued.push_back(store_->queue_command(agent_row, c, 1));
    if (i % 3 == 0) {
      c = gatemeter_Command_init_zero;
      c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
      c.session_id = sessions[i];
      c.cause = gatemeter_StopCause_STOP_ZERO_BALANCE;
    } else {
      c.free_s = 7;
    }
    queued.push_back(store_->queue_command(agent_row, c, 1));
  };

  // Run like a gateway's loop until every command is confirmed in the store, then a while
  // longer so that late resends would show as second applications.
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(90);
  std::chrono::steady_clock::time_point settled{};
  size_t waves = 0;
  for (;;) {
    link.poll(10);
    agent.tick();
    const auto now = std::chrono::steady_clock::now();
    if (waves < 12 && now - start >= waves * std::chrono::milliseconds(400)) queue_wave(waves++);
    if (waves == 12 && settled == std::chrono::steady_clock::time_point{} &&
        store_->pending_commands(100).empty() && agent.applied_commands().confirming() == 0)
      settled = now;
    // At least 10 s in all, so that some 40 datagrams each way meet the loss.
    if (settled != std::chrono::steady_clock::time_point{} && now - settled > std::chrono::seconds(2) &&
        now - start > std::chrono::seconds(10))
      break;
    ASSERT_LT(now, deadline) << "commands still pending: " << store_->pending_commands(100).size();
  }

  for (int64_t id : queued)
    EXPECT_EQ(applied[static_cast<uint64_t>(id)], 1) << "command " << id;
  ASSERT_EQ(queued.size(), 24u);
  EXPECT_EQ(applied.size(), queued.size());
  EXPECT_EQ(agent.stats().commands, queued.size());
  EXPECT_EQ(agent.stats().sessions_stopped[gatemeter_StopCause_STOP_ZERO_BALANCE], 4u);
  EXPECT_TRUE(store_->pending_commands(100).empty());
  // The faults happened, and so did the resends they call for.
  EXPECT_GT(link.lost_to_census, 0u);
  EXPECT_GT(link.lost_to_agent, 0u);
  std::printf("command_delivery: commands=%zu sent_in_acks=%llu repeated_at_agent=%llu "
              "lost_to_census=%llu lost_to_agent=%llu held_back=%llu confirmations=%llu\n",
              queued.size(), static_cast<unsigned long long>(census_->stats().commands_sent.load()),
              static_cast<unsigned long long>(agent.stats().commands_repeated),
              static_cast<unsigned long long>(link.lost_to_census),
              static_cast<unsigned long long>(link.lost_to_agent),
              static_cast<unsigned long long>(link.held_back),
              static_cast<unsigned long long>(census_->stats().confirmations.load()));
  // Lost acks, and acks of several datagrams committed together, make the census send most
  // commands more than once; acks held back and overtaken bring the agent commands it has
  // already applied.
  EXPECT_GT(census_->stats().commands_sent.load(), queued.size()) << "no command was ever resent";
  EXPECT_GT(agent.stats().commands_repeated, 0u) << "the agent never saw a command twice";
}

}  // namespace
}  // namespace gm::test
