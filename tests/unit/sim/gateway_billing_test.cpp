// A simulated gateway whose login lists a billing server: its scripted subscribers go through
// the agent's authorisation (what each names comes from the script), it asks again after
// more_info_needed, and what the census ends up holding is still exactly the simulator's truth.
// The network is in memory: a scripted login (the real LoginExchange, answered with a real server
// proof), the census model and a billing server that wants an account.
#include <gtest/gtest.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "shared/login/login_proof.h"
#include "sim/gateway.h"
#include "sim/stepped_clock.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_billing.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"
#include "tests/support/login_messages.h"

using namespace gm;
using namespace gm::sim;

namespace {

using test::framed;

// The login succeeds at once, listing one census and one billing server; datagrams go to the
// census model and the billing server, and their answers come back through `receive`.
class ScriptedNet final : public GatewayNet {
 public:
  ScriptedNet(Receive receive, void* context, const uint8_t (&credential)[32])
      : receive_(receive), context_(context) {
    std::memcpy(credential_, credential, sizeof credential_);
    for (int i = 0; i < 32; ++i) key_[i] = static_cast<uint8_t>(7 * i + 1);
    census = std::make_unique<test::FakeCensus>(login_session, key_);
    billing = std::make_unique<test::FakeBilling>(login_session, key_);
  }

  static constexpr uint64_t login_session = 0x77AA;
  std::unique_ptr<test::FakeCensus> census;
  std::unique_ptr<test::FakeBilling> billing;
  std::set<uint64_t> approved;  // sessions billing approved
  size_t rejected = 0;
  size_t answered = 0;

  bool start_login(const char*, const uint8_t (&)[32], const core::AgentIdentity& identity,
                   uint32_t boot_count, bool continuing, hal::Rng& rng, uint64_t) override {
    ex_.start(identity, boot_count, continuing, rng);
    running_ = true;
    gatemeter_LoginChallenge c = gatemeter_LoginChallenge_init_zero;
    for (size_t i = 0; i < sizeof c.server_nonce; ++i) c.server_nonce[i] = static_cast<uint8_t>(90 + i);
    const auto bytes = framed(gatemeter_LoginChallenge_fields, c);
    ex_.on_bytes(bytes.data(), bytes.size());
    size_t n = 0;
    const uint8_t* out = ex_.output(n);
    gatemeter_LoginRequest req = gatemeter_LoginRequest_init_zero;
    pb_istream_t in = pb_istream_from_buffer(out + 2, n - 2);
    EXPECT_TRUE(pb_decode(&in, gatemeter_LoginRequest_fields, &req));
    ex_.consumed(n);
    gatemeter_LoginResponse r = gatemeter_LoginResponse_init_zero;
    r.status = gatemeter_LoginStatus_LOGIN_OK;
    r.login_session_id = login_session;
    std::memcpy(r.session_key, key_, sizeof key_);
    r.metering_interval_s = 60;
    r.track_usage = true;
    r.census_count = 1;
    std::strcpy(r.census[0], "127.0.0.1:7001");
    r.billing_count = 1;
    std::strcpy(r.billing[0], "127.0.0.1:7300");
    std::strcpy(r.realm, "hotspot.example");
    r.outage_policy = gatemeter_OutagePolicy_OUTAGE_TERMINATE;
    login::server_proof(credential_, sizeof credential_, c.server_nonce, req.client_nonce,
                        identity.agent_id, r.server_proof);
    const auto resp = framed(gatemeter_LoginResponse_fields, r);
    ex_.on_bytes(resp.data(), resp.size());
    return true;
  }
  LoginStep step_login(uint64_t) override {
    return ex_.state() == core::LoginExchange::State::done ? LoginStep::done : LoginStep::failed;
  }
  bool login_running() const override { return running_; }
  void end_login() override { running_ = false; }
  const core::LoginExchange& exchange() const override { return ex_; }
  const char* error() const override { return ex_.error(); }
  bool open_uplink(const char* const*, size_t count) override { return count == 1; }
  bool set_billing(const char* const*, size_t count) override {
    uplink_.billing = count;
    return true;
  }
  core::Uplink& uplink() override { return uplink_; }

  // Billing wants an account: a request without one is rejected (more_info_needed); one with an
  // account is approved for 60 s more each time it asks.
  void poll(uint64_t) override {
    auto sent = std::move(uplink_.sent);
    uplink_.sent.clear();
    for (const auto& d : sent) {
      const auto ack = census->receive(d);
      if (!ack.empty()) receive_(context_, ack.data(), ack.size());
    }
    auto to_billing = std::move(uplink_.billing_sent);
    uplink_.billing_sent.clear();
    for (const auto& [server, d] : to_billing) {
      if (!billing->receive(server, d)) continue;
      const test::FakeBilling::Asked& a = billing->asked.back();
      gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
      r.outage_policy = gatemeter_OutagePolicy_OUTAGE_TERMINATE;
      const bool known = approved.count(a.request.session_id) != 0;
      if (!known && a.request.account[0] == '\0') {
        r.decision = gatemeter_AuthDecision_AUTH_REJECT;
        r.reject = gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED;
        ++rejected;
      } else {
        approved.insert(a.request.session_id);
        r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
        r.has_grant = true;
        r.grant.charged_s = 60 * a.request.request;
      }
      ++answered;
      const auto answer = billing->answer(a, r);
      receive_(context_, answer.data(), answer.size());
    }
  }

 private:
  Receive receive_;
  void* context_;
  uint8_t credential_[32];
  uint8_t key_[32];
  core::LoginExchange ex_;
  bool running_ = false;
  test::CaptureUplink uplink_;
};

}  // namespace

TEST(GatewayBilling, SubscribersAreAuthorisedThroughBillingAndTheCensusHoldsTheTruth) {
  const uint64_t t0 = 10'000'000;
  SteppedClock clock(t0, 1'790'000'000);
  test::FakeRng rng;
  test::MemoryLog log;
  test::AgentFlash flash;
  TruthLog truth;
  RecordWitness witness;
  ScriptedNet* net = nullptr;
  GatewayConfig c;
  for (size_t i = 0; i < c.credential.size(); ++i) c.credential[i] = static_cast<uint8_t>(i + 3);
  c.subscribers.arrivals_per_minute = 30;
  c.subscribers.mean_duration_s = 120;
  c.subscribers.max_sessions = 20;
  c.subscribers.accounts = {"acct-1", "acct-2"};
  c.subscribers.anonymous_share = 0.4;
  c.subscribers.idle_share = 0;
  c.subscribers.seed = 5;
  c.settings.interval_s = 60;
  c.settings.copies = 1;
  c.make_net = [&net, &c](GatewayNet::Receive receive, void* context) {
    uint8_t cred[32];
    std::memcpy(cred, c.credential.data(), sizeof cred);
    auto n = std::make_unique<ScriptedNet>(receive, context, cred);
    net = n.get();
    return std::unique_ptr<GatewayNet>(std::move(n));
  };
  Gateway gw(c, flash.device(), clock, rng, log, truth, witness, t0);
  gw.boot(t0);
  uint64_t now = t0;
  for (; now < t0 + 300'000; now += 100) {
    clock.set(now);
    gw.step(now);
  }
  gw.wind_down(now);
  for (const uint64_t end = now + 60'000; now < end && !gw.drained(); now += 100) {
    clock.set(now);
    gw.step(now);
  }
  ASSERT_TRUE(gw.drained());
  ASSERT_NE(net, nullptr);
  ASSERT_TRUE(gw.agent()->billing_enabled());

  const BillingCounts b = gw.status().billing;
  EXPECT_EQ(b.asked, 20u);
  EXPECT_GT(b.rejected, 0u);                // the anonymous ones, first
  EXPECT_EQ(b.asked_again, b.rejected);     // each asked again as prepaid with its account
  EXPECT_EQ(net->rejected, b.rejected);
  EXPECT_EQ(b.approved, 20u);               // in the end every one got in
  EXPECT_EQ(b.refused, 0u);
  EXPECT_GT(gw.agent()->stats().auth_updates, 0u);  // sessions near 60 s asked for more

  // The census holds exactly what the simulator saw happen: charged time from billing's approval.
  size_t compared = 0;
  for (const auto& [key, e] : truth.entries()) {
    ASSERT_TRUE(e.ended);
    ASSERT_TRUE(e.decided) << e.subscriber;
    ASSERT_TRUE(net->census->sessions.count(e.session_id)) << e.subscriber;
    const UsageRecord& r = net->census->sessions.at(e.session_id);
    EXPECT_EQ(r.kind, gatemeter_RecordKind_RECORD_STOP);
    EXPECT_EQ(r.totals, truth_totals(e)) << e.subscriber;
    ++compared;
  }
  EXPECT_EQ(compared, 20u);
}
