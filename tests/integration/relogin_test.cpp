// Logging in again (issue 11, item 7): the real agent core (firmware/core Agent, its journal on
// simulated flash) with the real firmware login (PosixLogin: mbedTLS, pinned key) and POSIX
// uplink, against a real LoginServer and CensusServer over one store. A small board loop here
// logs in whenever the agent says a login is due, as sim/gateway.cpp does.
//
//   - A login session's lifetime: the agent renews before it ends (continuing, same boot), its
//     subscriber sessions stay open in the store, and the store ends with exactly the totals
//     the agent metered.
//   - Disabling the agent: the census refuses its datagrams, its logins are refused as
//     disabled while it keeps its records; enabled again, it logs in and loses nothing.
//
// The agent's clock runs 20 times faster than the servers' (FastClock): its 30 s intervals and
// a 60 s lifetime pass in seconds. The servers keep real time, so at the host the login never
// actually runs out: renewing is the agent's own doing, on its own count.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <thread>
#include <vector>

#include "boards/linux-gateway/linux_rng.h"
#include "boards/linux-gateway/posix_clock.h"
#include "firmware/core/agent.h"
#include "firmware/core/login_exchange.h"
#include "firmware/net/posix_login.h"
#include "firmware/net/posix_uplink.h"
#include "firmware/store/journal.h"
#include "tests/integration/server_fixture.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_hal.h"

namespace gm::test {
namespace {

constexpr uint64_t speed = 20;

class FastClock final : public hal::Clock {
 public:
  FastClock() : start_(real_.monotonic_ms()) {}
  uint64_t monotonic_ms() override { return start_ + (real_.monotonic_ms() - start_) * speed; }
  uint64_t wall_unix() override { return real_.wall_unix(); }

 private:
  board::PosixClock real_;
  uint64_t start_;
};

// One gateway: the agent and the board's login loop (a login whenever the agent says one is
// due, continuing unless it is the first since boot; a failed one retried after 2 s doubling
// to 32 s of the agent's time).
class Gateway {
  // First: the agent is built over them.
  AgentFlash flash_;
  store::Journal journal_;
  board::LinuxRng rng_;
  MemoryLog log_;

 public:
  Gateway(const std::string& agent_id, const TestAgent::Bytes32& credential,
          const std::array<uint8_t, 32>& pin)
      : journal_(flash_.device()),
        agent(clock, journal_, rng_, log_),
        uplink_(&Gateway::arrived, this),
        agent_id_(agent_id) {
    identity_.agent_id = agent_id_.c_str();
    std::memcpy(identity_.credential, credential.data(), sizeof identity_.credential);
    std::memcpy(pin_, pin.data(), sizeof pin_);
    core::AgentSettings s;
    s.copies = 1;
    // 3 s of real time: long enough that a slow commit on a busy machine is not silence.
    s.failover_after_ms = 60'000;
    agent.apply_settings(s);
    agent.on_session_end(
        [](void* self, const core::Session& x) {
          static_cast<Gateway*>(self)->final_totals[x.id] = x.totals();
        },
        this);
    boot_count_ = agent.boot().boot_count;
  }

  void step(const std::string& login_server) {
    uplink_.poll(2);
    const uint64_t now = clock.monotonic_ms();
    drive_login(login_server, now);
    agent.tick();
  }

  uint64_t start_session(int i) {
    uint64_t id = 0;
    EXPECT_EQ(agent.start_session(("user" + std::to_string(i) + "@isp.example").c_str(), "wifi",
                                  gatemeter_BillingOption_BILLING_PREPAID, id),
              core::StartResult::ok);
    EXPECT_TRUE(agent.authorise(id, gatemeter_AuthDecision_AUTH_APPROVE));
    return id;
  }

  FastClock clock;
  core::Agent agent;
  std::vector<bool> continuing;  // LoginRequest.continuing of every attempt, in order
  int logins = 0;                // attempts that succeeded
  int refused_disabled = 0;      // attempts refused with LOGIN_DISABLED
  std::map<uint64_t, UsageTotals> final_totals;  // what the agent metered, at each session's end

 private:
  static void arrived(void* self, const uint8_t* d, size_t n) {
    static_cast<Gateway*>(self)->agent.on_datagram(d, n);
  }

  void drive_login(const std::string& server, uint64_t now) {
    if (now < next_login_ms_) return;
    if (!login_.running()) {
      if (!agent.login_due()) return;
      continuing.push_back(agent.login_continues());
      // The deadline is 5 s of real time, however fast the agent's clock runs.
      if (!login_.start(server.c_str(), pin_, identity_, boot_count_, agent.login_continues(),
                        rng_, now + 5000 * speed)) {
        retry_later(now);
        return;
      }
    }
    switch (login_.step(now)) {
      case net::LoginStep::busy:
        return;
      case net::LoginStep::failed:
        if (std::strcmp(login_.error(), "disabled") == 0) ++refused_disabled;
        retry_later(now);
        return;
      case net::LoginStep::done:
        break;
    }
    const gatemeter_LoginResponse& r = login_.exchange().response();
    const char* census[4];
    for (pb_size_t i = 0; i < r.census_count; ++i) census[i] = r.census[i];
    ASSERT_TRUE(uplink_.set_census(census, r.census_count));
    ASSERT_TRUE(uplink_.open("127.0.0.1"));
    agent.on_login(login_.exchange().grant(), uplink_);
    ++logins;
    backoff_ms_ = 0;
  }

  void retry_later(uint64_t now) {
    backoff_ms_ = backoff_ms_ == 0 ? 2000 : backoff_ms_ >= 16000 ? 32000 : backoff_ms_ * 2;
    next_login_ms_ = now + backoff_ms_;
  }

  net::PosixUplink uplink_;
  net::PosixLogin login_;
  std::string agent_id_;
  core::AgentIdentity identity_;
  uint8_t pin_[32] = {};
  uint32_t boot_count_ = 0;
  uint64_t next_login_ms_ = 0;
  uint64_t backoff_ms_ = 0;
};

class ReloginTest : public ServerFixture {
 protected:
  std::string login_address() const { return "127.0.0.1:" + std::to_string(login_->port()); }

  // Runs the gateway's loop, feeding traffic to its sessions, until cond holds (bounded, no
  // timing asserted); true if it did.
  template <typename Cond>
  bool run_until(Gateway& gw, const std::vector<uint64_t>& sessions, Cond cond,
                 int max_ms = 30000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(max_ms);
    size_t next = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      gw.step(login_address());
      if (!sessions.empty()) {
        const uint64_t id = sessions[next++ % sessions.size()];
        if (gw.agent.session(id) != nullptr && gw.agent.session(id)->metering())
          gw.agent.on_traffic(id, 1500, 120);
      }
      if (cond()) return true;
    }
    return cond();
  }

  uint64_t census_refusals() const {
    return refused(frame::Refusal::unknown_session) +
           census_->refused(static_cast<size_t>(host::CensusRefusal::login_closed));
  }

  // Every session ends; once every record is acknowledged the store must hold exactly what the
  // agent metered, each session stopped by the user (none closed as an agent restart).
  void stop_all_and_expect_exact_totals(Gateway& gw, const std::string& agent_id,
                                        const std::vector<uint64_t>& sessions) {
    for (uint64_t id : sessions)
      ASSERT_TRUE(gw.agent.stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
    ASSERT_TRUE(run_until(gw, {}, [&] { return gw.agent.outbox().pending() == 0; }))
        << gw.agent.outbox().pending() << " records never acknowledged";
    for (uint64_t id : sessions) {
      const auto s = store_->session(agent_id, id);
      ASSERT_TRUE(s.has_value()) << id;
      EXPECT_EQ(s->state, host::SessionState::stopped) << id;
      EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_USER_REQUEST) << id;
      const UsageTotals& metered = gw.final_totals.at(id);
      EXPECT_EQ(s->totals, metered)
          << "session " << id << ": store charged " << s->totals.charged_s << " s, "
          << s->totals.octets_in << " octets in; agent " << metered.charged_s << " s, "
          << metered.octets_in;
      EXPECT_GT(metered.charged_s, 0u);
      EXPECT_GT(metered.octets_in, 0u);
    }
  }
};

TEST_F(ReloginTest, TheAgentRenewsBeforeTheLifetimeEndsKeepingEverySessionOpenAndExact) {
  host::LoginSettings short_lived = login_settings_;
  short_lived.login_lifetime_s = 60;
  restart_login(short_lived);

  Gateway gw("gw-renew", add_agent("gw-renew"), tls_.pin);
  ASSERT_TRUE(run_until(gw, {}, [&] { return gw.logins == 1; })) << "no first login";
  std::vector<uint64_t> sessions;
  for (int i = 0; i < 6; ++i) sessions.push_back(gw.start_session(i));

  // Three renewals: each some 45-52 s of the agent's time after the login before it.
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.logins == 4; }))
      << "logins: " << gw.logins;
  EXPECT_EQ(gw.agent.stats().logins_for_lifetime, 3u);
  ASSERT_EQ(gw.continuing.size(), 4u);
  EXPECT_FALSE(gw.continuing[0]) << "the first login after boot does not continue";
  for (size_t i = 1; i < gw.continuing.size(); ++i) EXPECT_TRUE(gw.continuing[i]) << i;
  EXPECT_EQ(login_->stats().ok.load(), 4u);

  // The store closed each earlier login, and none of the subscriber sessions with it.
  const auto open_logins = store_->open_logins(std::time(nullptr));
  ASSERT_EQ(open_logins.size(), 1u);
  EXPECT_EQ(open_logins[0].id, gw.agent.outbox().login_session());
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.agent.outbox().pending() == 0; }));
  for (uint64_t id : sessions) {
    const auto s = store_->session("gw-renew", id);
    ASSERT_TRUE(s.has_value()) << id;
    EXPECT_EQ(s->state, host::SessionState::open) << id;
  }

  stop_all_and_expect_exact_totals(gw, "gw-renew", sessions);
}

TEST_F(ReloginTest, ADisabledAgentIsRefusedUntilEnabledAgainAndLosesNothing) {
  Gateway gw("gw-off", add_agent("gw-off"), tls_.pin);
  std::vector<uint64_t> sessions;
  for (int i = 0; i < 6; ++i) sessions.push_back(gw.start_session(i));
  ASSERT_TRUE(run_until(gw, sessions, [&] {
    return gw.logins == 1 && gw.agent.outbox().stats().records_acked >= 12;
  }));

  // Disabled: the census refuses the agent's next datagrams and acknowledges none...
  const uint64_t refusals_before = census_refusals();
  const uint64_t acked_before = gw.agent.outbox().stats().records_acked;
  ASSERT_TRUE(store_->set_agent_enabled("gw-off", false, std::time(nullptr)));
  EXPECT_TRUE(run_until(gw, sessions, [&] { return census_refusals() > refusals_before; }))
      << "the census never refused the disabled agent's datagrams";
  // ...so the agent finds every census silent and logs in again, refused as disabled; it
  // keeps asking (with its backoff) and keeps its records meanwhile.
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.refused_disabled >= 2; }))
      << "logins refused as disabled: " << gw.refused_disabled;
  EXPECT_GE(gw.agent.stats().logins_for_silence, 1u);
  EXPECT_GE(login_->stats().disabled.load(), 2u);
  EXPECT_EQ(gw.logins, 1);
  EXPECT_GT(gw.agent.outbox().pending(), 0u);
  // Acks already on their way when the login closed may still have arrived; none since.
  const uint64_t acked_while_disabled = gw.agent.outbox().stats().records_acked;
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.refused_disabled >= 3; }));
  EXPECT_EQ(gw.agent.outbox().stats().records_acked, acked_while_disabled);
  EXPECT_GE(acked_while_disabled, acked_before);
  for (uint64_t id : sessions) EXPECT_NE(gw.agent.session(id), nullptr) << id;

  // Enabled again: the next attempt logs in, continuing (no reboot), and what waited is
  // committed; the sessions were never closed at the host.
  ASSERT_TRUE(store_->set_agent_enabled("gw-off", true, std::time(nullptr)));
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.logins == 2; }));
  for (size_t i = 1; i < gw.continuing.size(); ++i) EXPECT_TRUE(gw.continuing[i]) << i;
  ASSERT_TRUE(run_until(gw, sessions, [&] { return gw.agent.outbox().pending() == 0; }));
  for (uint64_t id : sessions) {
    const auto s = store_->session("gw-off", id);
    ASSERT_TRUE(s.has_value()) << id;
    EXPECT_EQ(s->state, host::SessionState::open) << id;
    EXPECT_EQ(s->login_session, gw.agent.outbox().login_session()) << id;
  }

  stop_all_and_expect_exact_totals(gw, "gw-off", sessions);
}

}  // namespace
}  // namespace gm::test
