// Authorisation through billing servers, end to end in memory: the real agent over the real
// journal, a census model for records and commands (fake_census.h), and billing servers that open
// the agent's AuthRequest frames under the login's tag key and answer what each test decides
// (fake_billing.h). Billing servers can go silent one by one, as a crashed or unreachable
// process would.
#include "firmware/core/auth_client.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/agent_rig.h"
#include "tests/support/fake_billing.h"
#include "tests/support/fake_census.h"

using namespace gm;
using namespace gm::core;

namespace {

struct Notice {
  uint64_t session = 0;
  BillingEvent event = BillingEvent::approved;
  int32_t reject = 0;
  std::string reason;
  int64_t balance = 0;
};

gatemeter_Grant grant_of(uint32_t charged_s, uint64_t octets = 0, bool final = false,
                         bool redirect = false) {
  gatemeter_Grant g = gatemeter_Grant_init_zero;
  g.charged_s = charged_s;
  g.octets = octets;
  g.final = final;
  g.final_redirect = redirect;
  return g;
}

gatemeter_AuthResponse approval(const gatemeter_Grant& g, int32_t decision = gatemeter_AuthDecision_AUTH_APPROVE) {
  gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
  r.decision = static_cast<gatemeter_AuthDecision>(decision);
  r.has_grant = true;
  r.grant = g;
  return r;
}

struct Harness : test::AgentRig {
  LoginGrant grant;
  std::unique_ptr<test::FakeCensus> census;
  std::unique_ptr<test::FakeBilling> billing;
  bool billing_up[2] = {true, true};  // false: that server receives nothing (silent)
  size_t sent_to[2] = {0, 0};         // datagrams the agent sent each server, silent or not
  std::vector<Notice> notices;
  std::vector<gatemeter_OfferResponse> offers;

  explicit Harness(int32_t policy = gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE,
                   size_t servers = 2) {
    reboot();
    agent->on_billing(
        [](void* self, const Session& session, const BillingNotice& n) {
          static_cast<Harness*>(self)->notices.push_back(
              {session.id, n.event, n.reject, n.reason, n.balance_micros});
        },
        this);
    agent->on_offers(
        [](void* self, const gatemeter_OfferResponse& r) {
          static_cast<Harness*>(self)->offers.push_back(r);
        },
        this);
    login(7, policy, servers);
  }

  void login(uint64_t login_session, int32_t policy, size_t servers) {
    grant = LoginGrant{};
    grant.login_session = login_session;
    for (int i = 0; i < 32; ++i) grant.session_key[i] = static_cast<uint8_t>(5 * i + login_session);
    grant.interval_s = 60;
    grant.billing_count = servers;
    for (size_t i = 0; i < servers; ++i)
      copy_text(grant.billing[i], sizeof grant.billing[i], i == 0 ? "127.0.0.1:7100" : "127.0.0.2:7100");
    copy_text(grant.realm, sizeof grant.realm, "hotspot.example");
    grant.offer_count = 2;
    grant.offers[0].option = gatemeter_BillingOption_BILLING_PREPAID;
    copy_text(grant.offers[0].label, sizeof grant.offers[0].label, "Prepaid account");
    grant.offers[1].option = gatemeter_BillingOption_BILLING_TIME_PASS;
    copy_text(grant.offers[1].label, sizeof grant.offers[1].label, "1 hour pass");
    grant.outage_policy = policy;
    uplink.billing = servers;
    census = std::make_unique<test::FakeCensus>(login_session, grant.session_key);
    billing = std::make_unique<test::FakeBilling>(login_session, grant.session_key);
    agent->on_login(grant, uplink);
  }

  // Census datagrams to the census (acks back); billing datagrams to the server they were sent
  // to, unless it is silent. Answers are the test's to deliver.
  void exchange() {
    auto sent = std::move(uplink.sent);
    uplink.sent.clear();
    for (const auto& d : sent) {
      auto ack = census->receive(d);
      if (!ack.empty()) agent->on_datagram(ack.data(), ack.size());
    }
    auto to_billing = std::move(uplink.billing_sent);
    uplink.billing_sent.clear();
    for (const auto& [server, d] : to_billing) {
      ++sent_to[server];
      if (billing_up[server]) billing->receive(server, d);
    }
  }

  void run_s(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock.advance_s(1);
      agent->tick();
      exchange();
    }
  }

  // Runs until billing has been asked for request `request` of the session (at most `limit` s);
  // returns how many seconds that took, or -1.
  int run_until_asked(uint64_t id, uint32_t request, int limit = 600) {
    exchange();  // what was sent at once (request_authorisation) arrives without a tick
    for (int t = 0; t <= limit; ++t) {
      for (const auto& a : billing->asked)
        if (a.request.session_id == id && a.request.request == request) return t;
      run_s(1);
    }
    return -1;
  }

  const test::FakeBilling::Asked& last_asked() const { return billing->asked.back(); }

  // Billing always says the subscriber's realm's policy; here it is the gateway realm's.
  frame::Refusal answer(const test::FakeBilling::Asked& to, gatemeter_AuthResponse r) {
    r.outage_policy = static_cast<gatemeter_OutagePolicy>(grant.outage_policy);
    const auto d = billing->answer(to, r);
    return agent->on_datagram(d.data(), d.size());
  }

  // A session started and sent to billing (request 1 reaches a server that is up).
  uint64_t start(const char* who = "alice@hotspot.example",
                 uint8_t option = gatemeter_BillingOption_BILLING_PREPAID,
                 const char* account = "acct-1") {
    uint64_t id = 0;
    EXPECT_EQ(agent->start_session(who, "wifi", option, id), StartResult::ok);
    EXPECT_EQ(agent->request_authorisation(id, option, account, "10.0.0.5"), AuthRequestResult::sent);
    return id;
  }
  uint64_t start_approved(const gatemeter_Grant& g) {
    const uint64_t id = start();
    EXPECT_EQ(run_until_asked(id, 1), 0);
    EXPECT_EQ(answer(last_asked(), approval(g)), frame::Refusal::none);
    return id;
  }

  const UsageRecord& at_census(uint64_t id) { return census->sessions.at(id); }
  size_t asked_for(uint64_t id, uint32_t request) const {
    size_t n = 0;
    for (const auto& a : billing->asked) n += a.request.session_id == id && a.request.request == request;
    return n;
  }
  bool told(uint64_t id, BillingEvent e) const {
    for (const auto& n : notices)
      if (n.session == id && n.event == e) return true;
    return false;
  }
};

}  // namespace

TEST(AuthClient, FirstRequestCarriesWhatTheSubscriberChoseAndTheLoginsRealm) {
  Harness h;
  EXPECT_TRUE(h.agent->billing_enabled());
  const uint64_t id = h.start("bob@roam.example", gatemeter_BillingOption_BILLING_TIME_PASS, "pass-77");
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  const gatemeter_AuthRequest& r = h.last_asked().request;
  EXPECT_EQ(h.last_asked().server, 0u);  // the primary first
  EXPECT_EQ(r.session_id, id);
  EXPECT_STREQ(r.subscriber, "bob@roam.example");
  EXPECT_STREQ(r.service, "wifi");
  EXPECT_EQ(r.billing, gatemeter_BillingOption_BILLING_TIME_PASS);
  EXPECT_STREQ(r.account, "pass-77");
  EXPECT_STREQ(r.subscriber_address, "10.0.0.5");
  EXPECT_EQ(r.request, 1u);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::authorising);
  // The gateway's own offers came with the login.
  EXPECT_STREQ(h.agent->auth().realm(), "hotspot.example");
  ASSERT_EQ(h.agent->auth().offer_count(), 2u);
  EXPECT_STREQ(h.agent->auth().offers()[1].label, "1 hour pass");
}

TEST(AuthClient, ApprovalWithAGrantIsExtendedByAnUpdateSentBeforeTheLimit) {
  Harness h;
  const uint64_t id = h.start_approved(grant_of(300));
  EXPECT_TRUE(h.told(id, BillingEvent::approved));
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  // A tenth of 300 s before the limit, the agent asks for more (request 2).
  const int waited = h.run_until_asked(id, 2);
  ASSERT_GT(waited, 0);
  const uint32_t charged_when_asked = h.agent->session(id)->charged_s;
  EXPECT_GE(charged_when_asked, 260u);
  EXPECT_LT(charged_when_asked, 300u);
  EXPECT_EQ(h.asked_for(id, 1), 1u);  // the first request was answered: never sent again
  ASSERT_EQ(h.answer(h.last_asked(), approval(grant_of(900))), frame::Refusal::none);
  h.run_s(120);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_GT(h.agent->session(id)->charged_s, 300u);
  EXPECT_EQ(h.agent->stats().auth_updates, 1u);
}

TEST(AuthClient, FinalGrantEndsTheSessionWithZeroBalanceAtItsLimit) {
  Harness h;
  const uint64_t id = h.start_approved(grant_of(120, 0, true));
  h.run_s(130);
  ASSERT_EQ(h.agent->session(id), nullptr);
  ASSERT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_ZERO_BALANCE);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 120u);
  EXPECT_EQ(h.asked_for(id, 2), 0u);  // no more will come: nothing is asked
}

TEST(AuthClient, FinalOctetGrantEndsTheSessionWhenTrafficReachesIt) {
  Harness h;
  const uint64_t id = h.start_approved(grant_of(0, 100 * 1024, true));
  for (int i = 0; i < 9; ++i) {
    h.agent->on_traffic(id, 8 * 1024, 2 * 1024);
    h.run_s(1);
  }
  ASSERT_NE(h.agent->session(id), nullptr);  // 90 KiB of 100
  h.agent->on_traffic(id, 8 * 1024, 2 * 1024);
  h.run_s(1);
  EXPECT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_ZERO_BALANCE);
  EXPECT_EQ(h.at_census(id).totals.octets_in + h.at_census(id).totals.octets_out, 100u * 1024);
}

TEST(AuthClient, FinalRedirectMovesToTheWalledGardenAndCommandGrantTakesItBack) {
  Harness h;
  const uint64_t id = h.start_approved(grant_of(60, 0, true, true));
  h.run_s(70);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::walled_garden);
  EXPECT_TRUE(h.told(id, BillingEvent::walled_garden));
  EXPECT_EQ(h.agent->session(id)->charged_s, 60u);  // the garden is free
  const uint32_t free_before = h.agent->session(id)->free_s;
  h.run_s(10);
  EXPECT_EQ(h.agent->session(id)->charged_s, 60u);
  EXPECT_EQ(h.agent->session(id)->free_s, free_before + 10);

  // A top-up: billing sends new terms through the confirmed command path.
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_GRANT;
  c.session_id = id;
  c.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  c.has_grant = true;
  c.grant = grant_of(600);
  c.balance_micros = 5'000'000;
  const uint64_t cmd = h.census->queue(c);
  h.run_s(61);  // the next interval's record draws the ack that carries it
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_TRUE(h.told(id, BillingEvent::approved));
  EXPECT_EQ(h.notices.back().balance, 5'000'000);
  EXPECT_GT(h.agent->session(id)->charged_s, 60u);
  h.run_s(5);
  EXPECT_GT(h.census->confirmations[cmd], 0u);
  EXPECT_EQ(h.agent->stats().commands, 1u);  // applied once, however often it came
}

TEST(AuthClient, TemporaryApprovalBecomesFinalOnCommandGrantApprove) {
  Harness h;
  const uint64_t id = h.start();
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  gatemeter_AuthResponse r = approval(grant_of(0), gatemeter_AuthDecision_AUTH_TEMPORARY);
  r.has_grant = false;
  r.temporary_s = 90;
  ASSERT_EQ(h.answer(h.last_asked(), r), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::temporary);
  EXPECT_TRUE(h.told(id, BillingEvent::approved_temporarily));

  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_GRANT;
  c.session_id = id;
  c.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  c.has_grant = true;
  c.grant = grant_of(3600);
  h.census->queue(c);
  h.run_s(61);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  h.run_s(60);  // past the temporary approval's 90 s: it was made final
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_GT(h.agent->session(id)->charged_s, 90u);
}

TEST(AuthClient, RejectKeepsTheSessionInTheGardenUntilASecondRequestIsApproved) {
  Harness h;
  const uint64_t id = h.start("carol@hotspot.example", gatemeter_BillingOption_BILLING_POSTPAID, "");
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  const test::FakeBilling::Asked first = h.last_asked();
  gatemeter_AuthResponse no = gatemeter_AuthResponse_init_zero;
  no.decision = gatemeter_AuthDecision_AUTH_REJECT;
  no.reject = gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED;
  copy_text(no.reason, sizeof no.reason, "an account is needed");
  ASSERT_EQ(h.answer(first, no), frame::Refusal::none);
  ASSERT_FALSE(h.notices.empty());
  EXPECT_EQ(h.notices.back().event, BillingEvent::rejected);
  EXPECT_EQ(h.notices.back().reject, gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED);
  EXPECT_EQ(h.notices.back().reason, "an account is needed");
  EXPECT_EQ(h.agent->session(id)->state, SessionState::authorising);
  h.run_s(20);
  EXPECT_EQ(h.agent->session(id)->charged_s, 0u);  // still free

  ASSERT_EQ(h.agent->request_authorisation(id, gatemeter_BillingOption_BILLING_PREPAID, "acct-9", "10.0.0.6"),
            AuthRequestResult::sent);
  ASSERT_EQ(h.run_until_asked(id, 2), 0);
  EXPECT_EQ(h.last_asked().request.billing, gatemeter_BillingOption_BILLING_PREPAID);
  EXPECT_STREQ(h.last_asked().request.account, "acct-9");
  ASSERT_EQ(h.answer(h.last_asked(), approval(grant_of(600))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_EQ(h.agent->session(id)->billing, gatemeter_BillingOption_BILLING_PREPAID);
  // The first request's reject, answered again late (to one of its resends), is stale.
  test::FakeBilling::Asked late = first;
  late.frame_seq += 40;
  ASSERT_EQ(h.answer(late, no), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_EQ(h.agent->auth().stats().answers_stale, 1u);
  h.run_s(40);  // the interval's record
  EXPECT_EQ(h.at_census(id).billing, gatemeter_BillingOption_BILLING_PREPAID);
}

TEST(AuthClient, RejectedSessionNobodyAsksAgainForEndsAuthRejectedAfterTheTimeout) {
  Harness h;
  const uint64_t id = h.start();
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  gatemeter_AuthResponse no = gatemeter_AuthResponse_init_zero;
  no.decision = gatemeter_AuthDecision_AUTH_REJECT;
  no.reject = gatemeter_RejectReason_REJECT_NO_FUNDS;
  ASSERT_EQ(h.answer(h.last_asked(), no), frame::Refusal::none);
  h.run_s(290);
  ASSERT_NE(h.agent->session(id), nullptr);
  h.run_s(15);
  ASSERT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_AUTH_REJECTED);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 0u);
  EXPECT_GE(h.at_census(id).totals.free_s, 300u);
}

TEST(AuthClient, RepeatedAndStaleAnswersChangeNothing) {
  Harness h;
  const uint64_t id = h.start();
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  const test::FakeBilling::Asked first = h.last_asked();
  const auto approve_100 = h.billing->answer(first, approval(grant_of(100)));
  ASSERT_EQ(h.agent->on_datagram(approve_100.data(), approve_100.size()), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->grant_s, 100u);
  // The same frame again (a duplicate on the network): the replay window refuses it.
  EXPECT_EQ(h.agent->on_datagram(approve_100.data(), approve_100.size()), frame::Refusal::replayed);
  // Another answer to request 1 (a resend answered twice, by another server): stale.
  test::FakeBilling::Asked again = first;
  again.frame_seq += 50;
  ASSERT_EQ(h.answer(again, approval(grant_of(5, 0, true))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->grant_s, 100u);
  EXPECT_FALSE(h.agent->session(id)->auth & auth_final);
  EXPECT_EQ(h.agent->auth().stats().answers, 1u);
  EXPECT_EQ(h.agent->auth().stats().answers_stale, 1u);
  // An answer naming a request number never asked: stale too.
  again.frame_seq += 1;
  again.request.request = 9;
  ASSERT_EQ(h.answer(again, approval(grant_of(5, 0, true))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->grant_s, 100u);
  EXPECT_EQ(h.agent->auth().stats().answers_stale, 2u);
}

TEST(AuthClient, AnAckAndAnAuthResponseWithTheSameSequenceAreBothAccepted) {
  Harness h;
  const uint64_t id = h.start();
  ASSERT_EQ(h.run_until_asked(id, 1), 0);
  ASSERT_EQ(h.last_asked().frame_seq, 1u);
  h.run_s(1);
  // The census acked the START's datagram, frame seq 1 too; billing answers request frame 1.
  ASSERT_EQ(h.census->datagrams_seen, 1u);
  EXPECT_EQ(h.agent->outbox().stats().records_acked, 1u);
  EXPECT_EQ(h.answer(h.last_asked(), approval(grant_of(100))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  // A forged answer under another key is refused and changes nothing.
  uint8_t other[32] = {};
  test::FakeBilling forger(7, other);
  const auto forged = forger.answer(h.last_asked(), approval(grant_of(1, 0, true)));
  EXPECT_EQ(h.agent->on_datagram(forged.data(), forged.size()), frame::Refusal::bad_tag);
  EXPECT_EQ(h.agent->session(id)->grant_s, 100u);
}

TEST(AuthClient, SilentPrimaryFailsOverToTheSecondaryWhichNewRequestsThenStartAt) {
  Harness h;
  h.billing_up[0] = false;
  const uint64_t id = h.start();
  const int waited = h.run_until_asked(id, 1, 60);
  ASSERT_GT(waited, 0);
  EXPECT_EQ(h.last_asked().server, 1u);
  // Three tries went to the primary, 3 s apart, before the secondary was asked.
  EXPECT_GE(waited, 9);
  EXPECT_EQ(h.agent->auth().stats().server_moves, 1u);
  ASSERT_EQ(h.answer(h.last_asked(), approval(grant_of(600))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_EQ(h.agent->auth().current_server(), 1u);
  const uint64_t next = h.start("dave@hotspot.example");
  EXPECT_EQ(h.run_until_asked(next, 1, 5), 0);
  EXPECT_EQ(h.last_asked().server, 1u);
}

namespace {
// Every billing server is silent; a new session asks, and is refused once the servers the
// policy allows have had their tries (`servers` of them, none moved to under TERMINATE).
void expect_new_session_refused(int32_t policy, uint32_t servers) {
  Harness h(policy);
  h.billing_up[0] = h.billing_up[1] = false;
  const uint64_t id = h.start();
  h.run_s(30);
  ASSERT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_BILLING_UNREACHABLE);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 0u);
  EXPECT_EQ(h.agent->auth().stats().frames_sent, servers * config::auth_tries_per_server);
  EXPECT_EQ(h.agent->auth().stats().server_moves, servers - 1);
  EXPECT_EQ(h.sent_to[1], servers == 2 ? config::auth_tries_per_server : 0u);
  EXPECT_EQ(h.agent->stats().auth_unreachable, 1u);
}
}  // namespace

TEST(AuthClient, TerminatePolicyAsksOnlyThePrimaryThenRefusesTheNewSession) {
  expect_new_session_refused(gatemeter_OutagePolicy_OUTAGE_TERMINATE, 1);
}

TEST(AuthClient, RetryAndTerminatePolicyAsksEveryServerThenRefusesTheNewSession) {
  expect_new_session_refused(gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE, 2);
}

TEST(AuthClient, ContinuePolicyApprovesANewSessionLocallyAndItsRecordsSayBillingOutage) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  h.billing_up[0] = h.billing_up[1] = false;
  const uint64_t id = h.start();
  h.run_s(30);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_TRUE(h.told(id, BillingEvent::approved_locally));
  h.run_s(60);
  EXPECT_TRUE(h.at_census(id).billing_outage);
  EXPECT_GT(h.at_census(id).totals.charged_s, 0u);
  ASSERT_TRUE(h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
  h.run_s(1);
  EXPECT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_TRUE(h.at_census(id).billing_outage);
}

TEST(AuthClient, ApprovedSessionsRecordsDoNotSayBillingOutage) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  const uint64_t id = h.start_approved(grant_of(600));
  h.run_s(61);
  EXPECT_GT(h.at_census(id).totals.charged_s, 0u);
  EXPECT_FALSE(h.at_census(id).billing_outage);
}

namespace {
// A running session with a non-final 120 s grant whose billing servers then all go silent.
void run_into_silence(Harness& h, uint64_t& id) {
  id = h.start_approved(grant_of(120));
  h.billing_up[0] = h.billing_up[1] = false;
}
}  // namespace

TEST(AuthClient, TerminatePolicyEndsARunningSessionWhenItsGrantRunsOut) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_TERMINATE);
  uint64_t id = 0;
  run_into_silence(h, id);
  h.run_s(118);
  ASSERT_NE(h.agent->session(id), nullptr);  // the update went unanswered, but the grant stands
  EXPECT_GE(h.agent->stats().auth_updates, 1u);
  h.run_s(5);
  ASSERT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_BILLING_UNREACHABLE);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 120u);
  EXPECT_EQ(h.sent_to[1], 0u);  // the secondary was never asked
  EXPECT_GE(h.sent_to[0], 1u + config::auth_tries_per_server);  // request 1, then the update
}

TEST(AuthClient, RetryAndTerminatePolicyEndsARunningSessionWhenItsGrantRunsOut) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  uint64_t id = 0;
  run_into_silence(h, id);
  h.run_s(123);
  ASSERT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_BILLING_UNREACHABLE);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 120u);
}

TEST(AuthClient, ContinuePolicyLetsARunningSessionGoOnPastItsGrant) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  uint64_t id = 0;
  run_into_silence(h, id);
  h.run_s(200);
  ASSERT_NE(h.agent->session(id), nullptr) << int{h.at_census(id).cause};
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_GT(h.agent->session(id)->charged_s, 120u);
  EXPECT_TRUE(h.told(id, BillingEvent::approved_locally));
  EXPECT_TRUE(h.at_census(id).billing_outage);
}

TEST(AuthClient, AnUpdateIsAskedEarlyEnoughForEveryServerToBeTriedBeforeTheLimit) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  const uint64_t id = h.start_approved(grant_of(120));
  h.billing_up[0] = false;
  ASSERT_GT(h.run_until_asked(id, 2), 0);
  EXPECT_EQ(h.last_asked().server, 1u);
  // The primary's tries and the secondary's first came before the limit, with room to answer.
  EXPECT_LE(h.agent->session(id)->charged_s, 112u);
  ASSERT_EQ(h.answer(h.last_asked(), approval(grant_of(600))), frame::Refusal::none);
  h.run_s(30);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_GT(h.agent->session(id)->charged_s, 120u);
}

TEST(AuthClient, ALimitReachedWhileTheUpdateIsUnansweredWaitsForTheAnswer) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_TERMINATE);
  const uint64_t id = h.start_approved(grant_of(0, 1000 * 1024));
  h.agent->on_traffic(id, 950 * 1024, 0);
  ASSERT_EQ(h.run_until_asked(id, 2, 5), 1);
  const test::FakeBilling::Asked update = h.last_asked();
  h.agent->on_traffic(id, 100 * 1024, 0);  // past the limit before billing answers
  h.run_s(3);
  ASSERT_NE(h.agent->session(id), nullptr);  // the primary may still answer: it waits
  ASSERT_EQ(h.answer(update, approval(grant_of(0, 5000 * 1024))), frame::Refusal::none);
  h.run_s(30);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_EQ(h.agent->session(id)->grant_kib, 5000u);
}

TEST(AuthClient, AtATimeLimitWithTheUpdateUnansweredTheSessionIsHeldFreeUntilTheGrantComes) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  // A grant of 4 s is asked about 2 s before its limit: the tries outlast it (as an answer
  // delayed by loss or load does).
  const uint64_t id = h.start_approved(grant_of(4));
  ASSERT_GT(h.run_until_asked(id, 2, 10), 0);
  const test::FakeBilling::Asked update = h.last_asked();  // answered late, below
  for (int i = 0; i < 10 && h.agent->session(id)->charged_s < 4; ++i) h.run_s(1);
  ASSERT_EQ(h.agent->session(id)->charged_s, 4u);
  EXPECT_TRUE(h.told(id, BillingEvent::held));
  const uint32_t free_at_limit = h.agent->session(id)->free_s;
  h.run_s(1);
  ASSERT_NE(h.agent->session(id), nullptr);  // a server may still answer: it waits
  EXPECT_EQ(h.agent->session(id)->charged_s, 4u) << "past the grant nothing is charged";
  EXPECT_EQ(h.agent->session(id)->free_s, free_at_limit + 1);
  ASSERT_EQ(h.answer(update, approval(grant_of(600))), frame::Refusal::none);
  EXPECT_TRUE(h.told(id, BillingEvent::released));
  h.run_s(10);
  ASSERT_NE(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_GE(h.agent->session(id)->charged_s, 13u) << "charged again from the grant on";
  EXPECT_EQ(h.agent->session(id)->free_s, free_at_limit + 1) << "held no more";
  EXPECT_EQ(h.agent->stats().holds, 1u);
}

TEST(AuthClient, LowBalanceCommandTellsTheBoard) {
  Harness h;
  const uint64_t id = h.start_approved(grant_of(600));
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_LOW_BALANCE;
  c.session_id = id;
  c.balance_micros = 120'000;
  const uint64_t cmd = h.census->queue(c);
  h.run_s(62);
  ASSERT_TRUE(h.told(id, BillingEvent::low_balance));
  EXPECT_EQ(h.notices.back().balance, 120'000);
  EXPECT_GT(h.census->confirmations[cmd], 0u);
  size_t low = 0;
  for (const auto& n : h.notices) low += n.event == BillingEvent::low_balance;
  EXPECT_EQ(low, 1u);  // resent in every ack, applied once
}

TEST(AuthClient, OffersOfAnotherRealmComeBackToTheBoard) {
  Harness h;
  ASSERT_TRUE(h.agent->request_offers("roam.example"));
  h.exchange();
  ASSERT_EQ(h.billing->offers_asked.size(), 1u);
  EXPECT_STREQ(h.billing->offers_asked[0].request.realm, "roam.example");
  gatemeter_OfferResponse r = gatemeter_OfferResponse_init_zero;
  copy_text(r.realm, sizeof r.realm, "roam.example");
  r.offers_count = 1;
  r.offers[0].option = gatemeter_BillingOption_BILLING_ROAMING;
  copy_text(r.offers[0].terms, sizeof r.offers[0].terms, "0.05 EUR/min");
  r.outage_policy = gatemeter_OutagePolicy_OUTAGE_CONTINUE;
  const auto d = h.billing->answer(h.billing->offers_asked[0], r);
  ASSERT_EQ(h.agent->on_datagram(d.data(), d.size()), frame::Refusal::none);
  ASSERT_EQ(h.offers.size(), 1u);
  EXPECT_STREQ(h.offers[0].realm, "roam.example");
  EXPECT_STREQ(h.offers[0].offers[0].terms, "0.05 EUR/min");
}

TEST(AuthClient, PendingRequestsGoAgainUnderARenewedLogin) {
  Harness h;
  h.billing_up[0] = h.billing_up[1] = false;
  const uint64_t id = h.start();
  h.run_s(2);
  h.billing_up[0] = h.billing_up[1] = true;
  h.login(8, gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE, 2);
  ASSERT_EQ(h.run_until_asked(id, 1, 5), 1);
  EXPECT_EQ(h.last_asked().frame_seq, 1u);  // numbered afresh under the new login
  ASSERT_EQ(h.answer(h.last_asked(), approval(grant_of(600))), frame::Refusal::none);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
}

TEST(AuthClient, AFullRequestTableRefusesAndSaysSo) {
  Harness h;
  h.billing_up[0] = h.billing_up[1] = false;
  for (size_t i = 0; i < AuthClient::capacity; ++i) {
    const std::string who = "u" + std::to_string(i) + "@hotspot.example";
    h.start(who.c_str());
  }
  uint64_t id = 0;
  ASSERT_EQ(h.agent->start_session("late@hotspot.example", "wifi", 1, id), StartResult::ok);
  EXPECT_EQ(h.agent->request_authorisation(id, 1, "", ""), AuthRequestResult::table_full);
  EXPECT_TRUE(h.log.saw("auth.requests_full"));
  EXPECT_EQ(h.agent->session(id)->request, 0u);  // no number was used
}

TEST(AuthClient, WithoutBillingServersTheBoardDecides) {
  Harness h(gatemeter_OutagePolicy_OUTAGE_TERMINATE, 0);
  EXPECT_FALSE(h.agent->billing_enabled());
  uint64_t id = 0;
  ASSERT_EQ(h.agent->start_session("erin@hotspot.example", "wifi", 1, id), StartResult::ok);
  EXPECT_EQ(h.agent->request_authorisation(id, 1, "", ""), AuthRequestResult::no_billing);
  EXPECT_FALSE(h.agent->request_offers("roam.example"));
  h.run_s(5);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::authorising);  // nobody else decides
  EXPECT_TRUE(h.agent->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE));
  h.run_s(5);
  EXPECT_EQ(h.agent->session(id)->state, SessionState::active);
  EXPECT_TRUE(h.billing->asked.empty());
}
