// The billing service's sweep end to end, as gatemeter-server wires it (make_services with
// services census,login,billing; a 1 s metering interval, stale_intervals 3; every port on
// 127.0.0.1 picked by the kernel), against scripted gateways (TestAgent: real logins, sealed
// batches, the census's acks with their commands): a session whose records stop while its
// gateway reports on is closed at its last reported totals and the gateway is told
// END_SESSION (STOP_SESSION_TIMEOUT); a gateway that goes silent has its sessions closed as
// lost carrier, and hears END_SESSION when it comes back; a prepaid session whose account is
// below the low-balance threshold is told COMMAND_LOW_BALANCE once.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "host/store/store.h"
#include "tests/integration/services_fixture.h"
#include "tests/support/billing_client.h"
#include "tests/support/eventually.h"
#include "tests/support/frames.h"
#include "tests/support/test_agent.h"

namespace gm::test {
namespace {

// A scripted gateway: its login, its census socket, the billing client, and every command the
// census's acks brought (each confirmed in the next batch, as the agent does).
struct Gateway {
  std::unique_ptr<TestAgent> agent;
  std::unique_ptr<BillingClient> billing;
  std::vector<gatemeter_Command> commands;
  std::vector<uint64_t> to_confirm;
  uint32_t seq = 0;  // the per-session record seq this script sends next

  // One datagram with these sessions' next records (none: a heartbeat), and its ack.
  void report(const std::vector<uint64_t>& sessions) {
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    ++seq;
    for (uint64_t s : sessions) b.records[b.records_count++] = make_record(s, seq);
    for (uint64_t id : to_confirm)
      if (b.confirmed_commands_count < std::size(b.confirmed_commands))
        b.confirmed_commands[b.confirmed_commands_count++] = id;
    to_confirm.clear();
    b.agent_time_unix = static_cast<uint64_t>(std::time(nullptr));
    ASSERT_NE(agent->send_batch(b), 0u);
    const auto ack = agent->receive_ack(2000);
    if (!ack) return;  // lost or slow: the next report goes on
    for (pb_size_t i = 0; i < ack->commands_count; ++i) {
      commands.push_back(ack->commands[i]);
      to_confirm.push_back(ack->commands[i].id);
    }
  }
  std::optional<gatemeter_Command> heard(gatemeter_CommandKind kind, uint64_t session) const {
    for (const auto& c : commands)
      if (wire_enum(c.kind) == kind && c.session_id == session) return c;
    return std::nullopt;
  }
};

class PresenceSweepTest : public ServicesFixture {
 protected:
  void SetUp() override {
    configure({"--metering_interval_s=1", "--stale_intervals=3", "--default_realm=isp.example"});
    for (const char* name : {"gw-1", "gw-2"}) {
      credentials_.push_back(host::CredentialVault::generate());
      ASSERT_TRUE(store_->add_agent(name, vault_->seal(credentials_.back(), name), 1));
    }
    auto& cat = store_->catalog();
    cat.set_realm({"isp.example", "", gatemeter_OutagePolicy_OUTAGE_CONTINUE, "", 0});
    cat.set_offer({"isp.example", gatemeter_BillingOption_BILLING_PREPAID, "Prepaid", "t"});
    host::RateRow r;
    r.service_type = r.band = r.zone = r.provider = "*";
    r.unit = "minute";
    r.price_micros = 20'000;
    r.increment = 60;
    cat.add_rate(r);
    account("acct-1", 50'000'000, "ann@isp.example");
    account("acct-low", 300'000, "lou@isp.example");  // below the default 1.00
    start_services();
  }
  void TearDown() override {
    gateways_.clear();
    ServicesFixture::TearDown();
  }
  void account(const std::string& name, int64_t balance, const std::string& subscriber) {
    host::AccountRow a;
    a.name = name;
    a.balance_micros = balance;
    store_->account_book().add_account(a);
    store_->account_book().add_subscriber({subscriber, name});
  }
  Gateway& gateway(size_t i) {
    while (gateways_.size() <= i) {
      const std::string name = "gw-" + std::to_string(gateways_.size() + 1);
      auto g = std::make_unique<Gateway>();
      g->agent = std::make_unique<TestAgent>(name, credentials_[gateways_.size()]);
      EXPECT_TRUE(g->agent->login("127.0.0.1", static_cast<uint16_t>(port_of("login")),
                                  login_pin()))
          << g->agent->error();
      EXPECT_TRUE(g->agent->open_census());
      g->billing =
          std::make_unique<BillingClient>(*g->agent, static_cast<uint16_t>(port_of("billing")));
      gateways_.push_back(std::move(g));
    }
    return *gateways_[i];
  }
  void approve(Gateway& g, uint64_t session, const char* subscriber) {
    const auto a = g.billing->ask(auth(session, subscriber));
    ASSERT_TRUE(a.has_value());
    ASSERT_EQ(wire_enum(a->auth.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  }
  // Reports (a gateway's interval, shortened) until `done`, at most `seconds`.
  template <typename Step, typename Done>
  static bool every_half_second(int seconds, Step step, Done done) {
    for (int i = 0; i < 2 * seconds; ++i) {
      step();
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }
  std::string feed_of(uint64_t session) {
    for (const auto& e : store_->feed().undelivered(host::FeedSink::file, 100))
      if (e.session_id == session) return e.event;
    return "";
  }
  int64_t agent_id(const char* name) { return store_->find_agent(name)->id; }
  // What session `id` of acct-1 has been charged, over its bill lines.
  int64_t charged(uint64_t id) {
    int64_t sum = 0;
    for (const auto& l : store_->account_book().charged_lines("acct-1", 0, INT64_MAX))
      if (l.session_id == id) sum += l.amount_micros;
    return sum;
  }

  std::vector<host::CredentialVault::Credential> credentials_;
  std::vector<std::unique_ptr<Gateway>> gateways_;
};

TEST_F(PresenceSweepTest, ASessionWhoseRecordsStopIsClosedAtItsLastTotalsAndTheGatewayTold) {
  Gateway& g = gateway(0);
  approve(g, 11, "ann@isp.example");
  approve(g, 12, "ann@isp.example");
  g.report({11, 12});
  g.report({11, 12});  // session 11's last: seq 2
  const auto last = store_->session("gw-1", 11);
  ASSERT_TRUE(last.has_value());
  const int64_t charged_before = charged(11);
  ASSERT_GT(charged_before, 0);
  // Session 11 goes quiet; session 12 (and so the gateway) reports on.
  ASSERT_TRUE(every_half_second(
      15, [&] { g.report({12}); },
      [&] { return g.heard(gatemeter_CommandKind_COMMAND_END_SESSION, 11).has_value(); }))
      << "no END_SESSION for the quiet session";
  EXPECT_EQ(wire_enum(g.heard(gatemeter_CommandKind_COMMAND_END_SESSION, 11)->cause),
            gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_FALSE(g.heard(gatemeter_CommandKind_COMMAND_END_SESSION, 12).has_value());

  const auto s = store_->session("gw-1", 11);
  EXPECT_EQ(s->state, host::SessionState::closed_by_restart) << "closed (state 2)";
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(s->totals, last->totals) << "its last reported totals";
  EXPECT_EQ(s->last_seq, 2u);
  EXPECT_EQ(store_->session("gw-1", 12)->state, host::SessionState::open);
  EXPECT_FALSE(store_->authorisations().find_authorisation(agent_id("gw-1"), 11)->live);
  EXPECT_TRUE(store_->authorisations().find_authorisation(agent_id("gw-1"), 12)->live);
  const std::string event = feed_of(11);
  EXPECT_NE(event.find("\"stop_cause\":\"session_timeout\""), std::string::npos) << event;
  EXPECT_NE(event.find("\"charged_s\":120,"), std::string::npos) << event;
  EXPECT_EQ(charged(11), charged_before) << "nothing charged for time nobody reported";
  EXPECT_NE(event.find("\"amount_micros\":" + std::to_string(charged_before) + "}"),
            std::string::npos)
      << event;
  EXPECT_EQ(metric("gatemeter_billing_sessions_swept_total{cause=\"session_timeout\"}"), 1);
  EXPECT_EQ(metric("gatemeter_billing_sessions_swept_total{cause=\"lost_carrier\"}"), 0);
}

TEST_F(PresenceSweepTest, AGatewayThatGoesSilentHasItsSessionsClosedAsLostCarrier) {
  Gateway& silent = gateway(0);
  Gateway& other = gateway(1);  // heard throughout: the census is not deaf
  approve(silent, 21, "ann@isp.example");
  silent.report({21});
  const auto last = store_->session("gw-1", 21);
  ASSERT_TRUE(last.has_value());
  ASSERT_TRUE(every_half_second(
      25, [&] { other.report({}); },
      [&] { return store_->session("gw-1", 21)->state != host::SessionState::open; }))
      << "the silent gateway's session stayed open";
  const auto s = store_->session("gw-1", 21);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(s->totals, last->totals);
  EXPECT_FALSE(store_->authorisations().find_authorisation(agent_id("gw-1"), 21)->live);
  EXPECT_NE(feed_of(21).find("\"stop_cause\":\"lost_carrier\""), std::string::npos);
  auto presence = store_->authorisations().presence();
  ASSERT_EQ(presence.size(), 2u);
  EXPECT_EQ(presence[0].agent_id, "gw-1");
  EXPECT_NE(presence[0].lost_unix, 0);
  EXPECT_EQ(presence[1].lost_unix, 0);
  EXPECT_EQ(metric("gatemeter_billing_gateways_lost_total"), 1);
  EXPECT_EQ(metric("gatemeter_billing_sessions_swept_total{cause=\"lost_carrier\"}"), 1);

  // It comes back: present again, and told to end what the host ended.
  ASSERT_TRUE(every_half_second(
      10, [&] { silent.report({}); },
      [&] { return silent.heard(gatemeter_CommandKind_COMMAND_END_SESSION, 21).has_value(); }));
  EXPECT_EQ(wire_enum(silent.heard(gatemeter_CommandKind_COMMAND_END_SESSION, 21)->cause),
            gatemeter_StopCause_STOP_LOST_CARRIER);
  presence = store_->authorisations().presence();
  EXPECT_EQ(presence[0].lost_unix, 0);
  EXPECT_EQ(metric("gatemeter_billing_gateways_lost_total"), 1) << "not lost again";
}

TEST_F(PresenceSweepTest, ASessionOfAnAccountBelowTheThresholdIsWarnedOnce) {
  Gateway& g = gateway(0);
  approve(g, 31, "lou@isp.example");
  ASSERT_TRUE(every_half_second(
      10, [&] { g.report({}); },
      [&] { return g.heard(gatemeter_CommandKind_COMMAND_LOW_BALANCE, 31).has_value(); }));
  EXPECT_EQ(g.heard(gatemeter_CommandKind_COMMAND_LOW_BALANCE, 31)->balance_micros, 300'000);
  for (int i = 0; i < 3; ++i) {  // more follow-up rounds, the warning confirmed
    g.report({});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  size_t warnings = 0;
  for (const auto& c : g.commands)
    if (wire_enum(c.kind) == gatemeter_CommandKind_COMMAND_LOW_BALANCE) ++warnings;
  EXPECT_EQ(warnings, 1u) << "told once";
  EXPECT_EQ(metric("gatemeter_billing_low_balance_sent_total"), 1);
  EXPECT_EQ(metric("gatemeter_billing_commands_queued_total{kind=\"low_balance\"}"), 1);
}

}  // namespace
}  // namespace gm::test
