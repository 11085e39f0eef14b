// The billing service against a logged-in agent, as gatemeter-server wires it (make_services
// with services census,login,billing, every port on 127.0.0.1 picked by the kernel): AuthRequest
// and OfferRequest frames sealed under the login's key, answers opened with the agent's replay
// window. Prepaid approvals and their grants, the same request answered with the same bytes,
// rejects by rule, remote approvals through the stand-in ending in commands, money shared by
// two sessions of one account, top-ups extending a final grant, and frames refused unanswered.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pb_decode.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "host/billing/billing_server.h"
#include "host/login/tls_identity.h"
#include "host/services.h"
#include "host/store/commit_rater.h"
#include "host/store/store.h"
#include "tests/integration/services_fixture.h"
#include "tests/support/approval_standin.h"
#include "tests/support/billing_client.h"
#include "tests/support/eventually.h"
#include "tests/support/frames.h"
#include "tests/support/test_agent.h"

namespace gm::test {
namespace {

using frame::FrameKind;
constexpr int64_t per_minute = 20'000;  // the test's one rate: 0.02 EUR a minute, by the minute

// Stands in for the census's commit-time rater: each growth costs one minute.
class MinuteRater final : public host::CommitRater {
 public:
  explicit MinuteRater(int64_t rate_id) : rate_id_(rate_id) {}
  void rate(host::RatingCase& c) override {
    c.charge.line = 1;
    c.charge.line_rate = rate_id_;
    c.charge.line_units = c.after.charged_s;
    c.charge.amount_micros += per_minute;
    c.charge.line_amount_micros = c.charge.amount_micros;
    c.debit_micros = per_minute;
  }

 private:
  int64_t rate_id_;
};

class BillingServiceTest : public ServicesFixture {
 protected:
  void SetUp() override {
    standin_.start();
    configure({"--metering_interval_s=60",
               // The tests count each session's commands: no low-balance warnings.
               "--low_balance_micros=0", "--default_realm=isp.example",
               // Settlement's refusals read each second (the roaming partner's test below).
               "--billing_settlement_refusals=true", "--billing_refusal_refresh_s=1"});
    credential_ = host::CredentialVault::generate();
    ASSERT_TRUE(store_->add_agent("gw-1", vault_->seal(credential_, "gw-1"), 1));
    seed_catalog();
    start_services();
    agent_ = std::make_unique<TestAgent>("gw-1", credential_);
    ASSERT_TRUE(agent_->login("127.0.0.1", static_cast<uint16_t>(port_of("login")), login_pin()))
        << agent_->error();
    billing_ = std::make_unique<BillingClient>(*agent_, static_cast<uint16_t>(port_of("billing")));
  }
  void TearDown() override {
    billing_.reset();
    ServicesFixture::TearDown();
    standin_.stop();
  }

  void seed_catalog() {
    auto& cat = store_->catalog();
    cat.set_realm({"isp.example", "", gatemeter_OutagePolicy_OUTAGE_CONTINUE, "", 0});
    cat.set_realm({"remote.example", "", gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE,
                   standin_.url(), 30});
    for (const char* realm : {"isp.example", "remote.example"})
      cat.set_offer({realm, gatemeter_BillingOption_BILLING_PREPAID, "Prepaid", "0.02 EUR/min"});
    cat.set_offer({"isp.example", gatemeter_BillingOption_BILLING_FREE, "Free", "walled garden"});
    cat.set_service({"web", "web"});
    host::RateRow r;
    r.service_type = r.band = r.zone = r.provider = "*";
    r.unit = "minute";
    r.price_micros = per_minute;
    r.increment = 60;
    rate_id_ = cat.add_rate(r);
    account("acct-1", 1'000'000, {"ann@isp.example", "carl@remote.example", "dave@remote.example"});
  }
  void account(const std::string& name, int64_t balance, std::vector<std::string> subscribers) {
    host::AccountRow a;
    a.name = name;
    a.balance_micros = balance;
    store_->account_book().add_account(a);
    for (const std::string& s : subscribers) store_->account_book().add_subscriber({s, name});
  }
  std::vector<host::PendingCommand> commands_for(uint64_t session) {
    std::vector<host::PendingCommand> out;
    for (const auto& c : store_->pending_commands(100))
      if (c.command.session_id == session) out.push_back(c);
    return out;
  }
  template <typename Cond>
  static bool eventually(Cond cond) {
    return test::eventually(cond, 10000, 20);
  }
  int64_t agent_id() { return store_->find_agent("gw-1")->id; }

  ApprovalStandin standin_{{"dave@", 0}};
  host::CredentialVault::Credential credential_{};
  int64_t rate_id_ = 0;
  std::unique_ptr<TestAgent> agent_;
  std::unique_ptr<BillingClient> billing_;
};

TEST_F(BillingServiceTest, TheLoginNamesThisBillingServerAndTheGatewaysRealmWithItsOffers) {
  const gatemeter_LoginResponse& g = agent_->grant();
  ASSERT_EQ(g.billing_count, 1);
  EXPECT_EQ(std::string(g.billing[0]), "127.0.0.1:" + std::to_string(port_of("billing")));
  EXPECT_STREQ(g.realm, "isp.example");
  EXPECT_EQ(wire_enum(g.outage_policy), gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  EXPECT_EQ(g.offers_count, 2);
}

TEST_F(BillingServiceTest, APrepaidSessionIsApprovedWithAGrantAndTheSameRequestGetsTheSameBytes) {
  const auto first = billing_->ask(auth(0x1122334455667788ull, "ann@isp.example"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->header.seq, billing_->last_seq) << "the answer carries the request's seq";
  EXPECT_EQ(first->header.kind, FrameKind::auth_response);
  const gatemeter_AuthResponse& r = first->auth;
  EXPECT_EQ(wire_enum(r.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_EQ(r.session_id, 0x1122334455667788ull);
  EXPECT_EQ(r.request, 1u);
  EXPECT_EQ(r.balance_micros, 1'000'000);
  EXPECT_EQ(wire_enum(r.outage_policy), gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  ASSERT_TRUE(r.has_grant);
  EXPECT_EQ(r.grant.charged_s, 3u * 60u) << "grant_intervals 3 of a 60 s interval";
  EXPECT_FALSE(r.grant.final);

  const auto stored =
      store_->authorisations().find_authorisation(agent_id(), 0x1122334455667788ull);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(stored->live);
  EXPECT_EQ(stored->granted_micros, 3 * per_minute);
  EXPECT_EQ(stored->response, first->payload) << "what was sent is what is stored";
  EXPECT_EQ(stored->address, "10.0.0.9");
  ASSERT_EQ(store_->sessions("gw-1").size(), 1u) << "the session is linked to its account";

  // The agent did not hear it and asks again (a new frame, the same request): the same bytes.
  const auto again = billing_->ask(auth(0x1122334455667788ull, "ann@isp.example"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->header.seq, billing_->last_seq);
  EXPECT_EQ(again->payload, first->payload);
  EXPECT_EQ(metric("gatemeter_billing_repeated_total"), 1);
  EXPECT_EQ(metric("gatemeter_billing_decisions_total{outcome=\"approve\"}"), 1);

  // An update is decided again; an older request number than the one answered gets nothing.
  const auto update = billing_->ask(auth(0x1122334455667788ull, "ann@isp.example", 2));
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->auth.request, 2u);
  const gatemeter_AuthRequest older = auth(0x1122334455667788ull, "ann@isp.example", 1);
  billing_->send(FrameKind::auth_request, &older);
  EXPECT_FALSE(billing_->receive(FrameKind::auth_response, 500).has_value());
  EXPECT_TRUE(eventually([&] { return metric("gatemeter_billing_stale_total") == 1; }));
}

TEST_F(BillingServiceTest, NoAccountNeedsMoreInformationThenTheNamedAccountIsApproved) {
  const auto first = billing_->ask(auth(7, "bob@isp.example"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(wire_enum(first->auth.decision), gatemeter_AuthDecision_AUTH_REJECT);
  EXPECT_EQ(wire_enum(first->auth.reject), gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED);
  EXPECT_FALSE(store_->authorisations().find_authorisation(agent_id(), 7)->live);
  // The captive portal asked for an account: the next request names it.
  const auto second = billing_->ask(auth(7, "bob@isp.example", 2, "acct-1"));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(wire_enum(second->auth.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_TRUE(second->auth.has_grant);
  EXPECT_TRUE(store_->authorisations().find_authorisation(agent_id(), 7)->live);
  const auto unknown = billing_->ask(auth(8, "bob@isp.example", 1, "acct-nobody"));
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(wire_enum(unknown->auth.reject), gatemeter_RejectReason_REJECT_UNKNOWN_ACCOUNT);
}

TEST_F(BillingServiceTest, AnUnknownRealmAndAnOptionNotOfferedAreRejected) {
  const auto realm = billing_->ask(auth(9, "ann@nowhere.example"));
  ASSERT_TRUE(realm.has_value());
  EXPECT_EQ(wire_enum(realm->auth.reject), gatemeter_RejectReason_REJECT_UNKNOWN_REALM);
  const auto option =
      billing_->ask(auth(10, "ann@isp.example", 1, "", gatemeter_BillingOption_BILLING_POSTPAID));
  ASSERT_TRUE(option.has_value());
  EXPECT_EQ(wire_enum(option->auth.reject), gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED);
  EXPECT_EQ(metric("gatemeter_billing_decisions_total{outcome=\"unknown_realm\"}"), 1);
}

TEST_F(BillingServiceTest, ARemoteApprovalTurnsATemporaryApprovalIntoAGrantCommand) {
  const auto temporary = billing_->ask(auth(21, "carl@remote.example"));
  ASSERT_TRUE(temporary.has_value());
  EXPECT_EQ(wire_enum(temporary->auth.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  EXPECT_EQ(temporary->auth.temporary_s, 30u);
  EXPECT_EQ(wire_enum(temporary->auth.outage_policy),
            gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  ASSERT_TRUE(eventually([&] { return !commands_for(21).empty(); }));
  const auto commands = commands_for(21);
  ASSERT_EQ(commands.size(), 1u);
  const gatemeter_Command& c = commands[0].command;
  EXPECT_EQ(commands[0].agent, agent_id());
  EXPECT_EQ(wire_enum(c.kind), gatemeter_CommandKind_COMMAND_GRANT);
  EXPECT_EQ(wire_enum(c.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  ASSERT_TRUE(c.has_grant);
  EXPECT_EQ(c.grant.charged_s, 180u);
  EXPECT_EQ(c.balance_micros, 1'000'000);
  const auto stored = store_->authorisations().find_authorisation(agent_id(), 21);
  EXPECT_EQ(stored->remote, 2);
  EXPECT_EQ(stored->decision, gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_TRUE(stored->live);
  ASSERT_EQ(standin_.bodies().size(), 1u);
  EXPECT_NE(standin_.bodies()[0].find("\"session\":\"0000000000000015\""), std::string::npos)
      << standin_.bodies()[0];
  EXPECT_NE(standin_.bodies()[0].find("\"account\":\"acct-1\""), std::string::npos);
  EXPECT_NE(standin_.bodies()[0].find("\"agent\":\"gw-1\""), std::string::npos);
  EXPECT_TRUE(store_->authorisations().pending_inquiries(10).empty());
}

TEST_F(BillingServiceTest, ARemoteRejectEndsTheSessionAsAuthRejected) {
  const auto temporary = billing_->ask(auth(22, "dave@remote.example"));
  ASSERT_TRUE(temporary.has_value());
  EXPECT_EQ(wire_enum(temporary->auth.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  ASSERT_TRUE(eventually([&] { return !commands_for(22).empty(); }));
  const gatemeter_Command c = commands_for(22)[0].command;
  EXPECT_EQ(wire_enum(c.kind), gatemeter_CommandKind_COMMAND_END_SESSION);
  EXPECT_EQ(wire_enum(c.cause), gatemeter_StopCause_STOP_AUTH_REJECTED);
  const auto stored = store_->authorisations().find_authorisation(agent_id(), 22);
  EXPECT_EQ(stored->remote, 3);
  EXPECT_FALSE(stored->live) << "its money is free again";
  // Its next update hears the same.
  const auto update = billing_->ask(auth(22, "dave@remote.example", 2));
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(wire_enum(update->auth.decision), gatemeter_AuthDecision_AUTH_REJECT);
}

// A port where nothing listens now (a stand-in bound it and is gone).
uint16_t vacant_port() {
  auto gone = std::make_unique<ApprovalStandin>(ApprovalStandin::Options{});
  gone->start();
  const uint16_t port = gone->port();
  gone.reset();
  return port;
}

TEST_F(BillingServiceTest, NoAnswerByTheEndOfTheTemporaryPeriodIsAReject) {
  const uint16_t port = vacant_port();
  store_->catalog().set_realm(
      {"silent.example", "", 0, "http://127.0.0.1:" + std::to_string(port) + "/approve", 1});
  store_->catalog().set_offer(
      {"silent.example", gatemeter_BillingOption_BILLING_PREPAID, "P", "t"});
  store_->account_book().add_subscriber({"eve@silent.example", "acct-1"});
  const auto temporary = billing_->ask(auth(23, "eve@silent.example"));
  ASSERT_TRUE(temporary.has_value());
  EXPECT_EQ(wire_enum(temporary->auth.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  EXPECT_EQ(temporary->auth.temporary_s, 1u);
  ASSERT_TRUE(eventually([&] { return !commands_for(23).empty(); }));
  const gatemeter_Command c = commands_for(23)[0].command;
  EXPECT_EQ(wire_enum(c.kind), gatemeter_CommandKind_COMMAND_END_SESSION);
  EXPECT_EQ(wire_enum(c.cause), gatemeter_StopCause_STOP_AUTH_REJECTED);
  EXPECT_EQ(store_->authorisations().find_authorisation(agent_id(), 23)->remote, 3);
  EXPECT_EQ(metric("gatemeter_billing_remote_total{result=\"timed_out\"}"), 1);
  EXPECT_GE(metric("gatemeter_billing_inquiries_failed_total"), 1);
}

TEST_F(BillingServiceTest, ARestartedBillingServiceResumesAnInquiryFromTheStore) {
  const uint16_t port = vacant_port();
  store_->catalog().set_realm(
      {"later.example", "", 0, "http://127.0.0.1:" + std::to_string(port) + "/approve", 60});
  store_->catalog().set_offer({"later.example", gatemeter_BillingOption_BILLING_PREPAID, "P", "t"});
  store_->account_book().add_subscriber({"fay@later.example", "acct-1"});
  const auto temporary = billing_->ask(auth(24, "fay@later.example"));
  ASSERT_TRUE(temporary.has_value());
  EXPECT_EQ(wire_enum(temporary->auth.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  // The service stops with the inquiry unanswered; the approval system comes up; another
  // billing service over the same store takes the inquiry up where the store has it.
  for (auto& s : services_)
    if (std::strcmp(s->name(), "billing") == 0) s->stop();
  ASSERT_EQ(store_->authorisations().pending_inquiries(10).size(), 1u);
  ApprovalStandin answering({"", 0});
  answering.start(port);
  host::BillingServer restarted(config_.store, *vault_, config_.billing);
  restarted.start();
  ASSERT_TRUE(eventually([&] { return !commands_for(24).empty(); }));
  const gatemeter_Command c = commands_for(24)[0].command;
  EXPECT_EQ(wire_enum(c.kind), gatemeter_CommandKind_COMMAND_GRANT);
  EXPECT_EQ(store_->authorisations().find_authorisation(agent_id(), 24)->remote, 2);
  EXPECT_EQ(answering.bodies().size(), 1u);
  restarted.stop();
  answering.stop();
}

TEST_F(BillingServiceTest, TwoSessionsOfOneAccountAreNeverGrantedMoreThanItsBalance) {
  account("acct-small", 5 * per_minute, {"sue@isp.example"});
  const auto a = billing_->ask(auth(31, "sue@isp.example"));
  const auto b = billing_->ask(auth(32, "sue@isp.example"));
  const auto c = billing_->ask(auth(33, "sue@isp.example"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->auth.grant.charged_s, 180u) << "three minutes of five";
  EXPECT_EQ(b->auth.grant.charged_s, 120u) << "the two left";
  EXPECT_EQ(wire_enum(c->auth.reject), gatemeter_RejectReason_REJECT_NO_FUNDS);
  // Updates in any order never take more than what is left.
  for (uint32_t request = 2; request <= 4; ++request) {
    ASSERT_TRUE(billing_->ask(auth(32, "sue@isp.example", request)).has_value());
    ASSERT_TRUE(billing_->ask(auth(31, "sue@isp.example", request)).has_value());
  }
  const int64_t account = store_->account_book().find_account("acct-small")->id;
  int64_t granted = 0;
  for (const auto& x : store_->authorisations().live_authorisations(account))
    granted += x.granted_micros;
  EXPECT_LE(granted, 5 * per_minute);
  EXPECT_EQ(granted, 5 * per_minute) << "and all of it is in use";
}

TEST_F(BillingServiceTest, ATopUpSendsASessionHoldingAFinalGrantANewOne) {
  account("acct-topup", per_minute, {"tina@isp.example"});
  const auto first = billing_->ask(auth(41, "tina@isp.example"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->auth.grant.charged_s, 60u);
  // The census commits a minute of usage and rates it (the rater here stands in for billing's).
  MinuteRater rater(rate_id_);
  host::CommitDebits debits;
  host::CensusCommit commit;
  commit.datagrams.push_back({agent_id(), agent_->login_session(), 1});
  host::VerifiedRecord v;
  v.agent = agent_id();
  v.login_session = agent_->login_session();
  gatemeter_UsageRecord record = make_record(41, 1, gatemeter_RecordKind_RECORD_INTERIM);
  record.charged_s = 60;
  ASSERT_TRUE(from_wire(record, v.record));
  commit.records.push_back(v);
  commit.rater = &rater;
  commit.debits = &debits;
  store_->commit_datagrams(commit, 1'790'000'100);
  ASSERT_EQ(store_->account_book().find_account("acct-topup")->balance_micros, 0);
  // At its limit it asks again: nothing left, a final grant at what it used.
  const auto second = billing_->ask(auth(41, "tina@isp.example", 2));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(wire_enum(second->auth.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_TRUE(second->auth.grant.final);
  EXPECT_EQ(second->auth.grant.charged_s, 60u);
  EXPECT_TRUE(commands_for(41).empty());

  store_->account_book().top_up("pay-1", "acct-topup", 2 * per_minute, 1'790'000'200);
  ASSERT_TRUE(eventually([&] { return !commands_for(41).empty(); }));
  const gatemeter_Command c = commands_for(41)[0].command;
  EXPECT_EQ(wire_enum(c.kind), gatemeter_CommandKind_COMMAND_GRANT);
  EXPECT_EQ(wire_enum(c.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_FALSE(c.grant.final);
  EXPECT_EQ(c.grant.charged_s, 60u + 120u) << "two more minutes, all the top-up buys";
  EXPECT_EQ(c.balance_micros, 2 * per_minute);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // two more follow-up rounds
  EXPECT_EQ(commands_for(41).size(), 1u) << "told once";
}

TEST_F(BillingServiceTest, ForgedReplayedAndForeignFramesGetNoAnswerAndAreCounted) {
  const gatemeter_AuthRequest r = auth(51, "ann@isp.example");
  std::vector<uint8_t> forged = billing_->seal(FrameKind::auth_request, &r, 100);
  forged[frame::header_size + 2] ^= 0x40;
  billing_->send_raw(forged);
  EXPECT_FALSE(billing_->receive(FrameKind::auth_response, 300).has_value());

  const std::vector<uint8_t> genuine = billing_->seal(FrameKind::auth_request, &r, 101);
  billing_->send_raw(genuine);
  EXPECT_TRUE(billing_->receive(FrameKind::auth_response, 3000).has_value());
  billing_->send_raw(genuine);  // the same frame again
  EXPECT_FALSE(billing_->receive(FrameKind::auth_response, 300).has_value());

  const gatemeter_MeteringBatch batch = make_batch(1);
  billing_->send_raw(billing_->seal(FrameKind::metering_batch, &batch, 102));
  EXPECT_FALSE(billing_->receive(FrameKind::auth_response, 300).has_value());
  std::vector<uint8_t> stranger(40, 0x5a);
  billing_->send_raw(stranger);
  EXPECT_FALSE(billing_->receive(FrameKind::auth_response, 300).has_value());

  EXPECT_EQ(metric("gatemeter_billing_refusals_total{reason=\"bad_tag\"}"), 1);
  EXPECT_EQ(metric("gatemeter_billing_refusals_total{reason=\"replayed\"}"), 1);
  EXPECT_EQ(metric("gatemeter_billing_refusals_total{reason=\"wrong_kind\"}"), 1);
  EXPECT_EQ(metric("gatemeter_billing_refusals_total{reason=\"bad_magic\"}"), 1);
  EXPECT_EQ(metric("gatemeter_billing_answers_sent_total"), 1);
}

TEST_F(BillingServiceTest, ARoamingPartnerOverItsCreditLineIsRefusedUntilItPays) {
  // The partner's realm as billing offers it (roaming) and as settlement knows it.
  store_->catalog().set_realm(
      {"partner.example", "Partner", gatemeter_OutagePolicy_OUTAGE_CONTINUE, "", 0});
  store_->catalog().set_offer(
      {"partner.example", gatemeter_BillingOption_BILLING_ROAMING, "Roaming", "via Partner"});
  auto& settlement = store_->settlement();
  settlement.set_provider({"Partner", "UK"});
  settlement.set_realm("partner.example", "Partner");
  const auto ask = [&](uint64_t session) {
    return billing_->ask(auth(session, "pat@partner.example", 1, "",
                              gatemeter_BillingOption_BILLING_ROAMING));
  };
  auto first = ask(0x51);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(wire_enum(first->auth.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  // Settlement finds it 5.00 over its line (what settlectl's exposure stores).
  settlement.set_exposure({{"Partner", -5'000'000, 0, 0, -5'000'000, true}}, 1);
  uint64_t session = 0x60;
  EXPECT_TRUE(eventually([&] {
    const auto a = ask(++session);
    return a && wire_enum(a->auth.reject) == gatemeter_RejectReason_REJECT_PROVIDER_REFUSED;
  }));
  // Its receipt brings it back within its line.
  settlement.set_exposure({{"Partner", 0, 0, 0, 0, false}}, 2);
  EXPECT_TRUE(eventually([&] {
    const auto a = ask(++session);
    return a && wire_enum(a->auth.decision) == gatemeter_AuthDecision_AUTH_APPROVE;
  }));
}

TEST_F(BillingServiceTest, AnOfferRequestIsAnsweredWithTheRealmsOffers) {
  gatemeter_OfferRequest q = gatemeter_OfferRequest_init_zero;
  copy_text(q.realm, sizeof q.realm, "isp.example");
  const uint32_t seq = billing_->send(FrameKind::offer_request, &q);
  const auto a = billing_->receive(FrameKind::offer_response, 3000);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->header.seq, seq);
  EXPECT_STREQ(a->offer.realm, "isp.example");
  EXPECT_EQ(wire_enum(a->offer.outage_policy), gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  ASSERT_EQ(a->offer.offers_count, 2);
  EXPECT_EQ(wire_enum(a->offer.offers[0].option), gatemeter_BillingOption_BILLING_PREPAID);
  EXPECT_STREQ(a->offer.offers[0].terms, "0.02 EUR/min");

  copy_text(q.realm, sizeof q.realm, "nowhere.example");
  billing_->send(FrameKind::offer_request, &q);
  const auto none = billing_->receive(FrameKind::offer_response, 3000);
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->offer.offers_count, 0);
  EXPECT_EQ(metric("gatemeter_billing_requests_total{kind=\"offer\"}"), 2);
}

}  // namespace
}  // namespace gm::test
