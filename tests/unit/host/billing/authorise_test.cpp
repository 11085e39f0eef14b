// The authorisation decision (authorise.h), rule by rule, with no store: each test builds what
// the store would have read for one AuthRequest and checks the answer and what is recorded.
#include "host/billing/authorise.h"

#include <gtest/gtest.h>

#include <cstring>

#include "shared/record/usage_record.h"
#include "tests/unit/host/billing/priced_rate.h"

namespace gm::billing {
namespace {

constexpr int64_t now = 1'800'000'000;
constexpr Micros per_minute = 20'000;

class AuthoriseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    realm_ = {"isp.example", "", gatemeter_OutagePolicy_OUTAGE_CONTINUE, "", 0};
    account_.id = 11;
    account_.name = "acct-1";
    account_.kind = host::AccountKind::prepaid;
    account_.balance_micros = 1'000'000;
    rate_ = priced(7, RateUnit::minute, per_minute, 60);
    c_.now_unix = now;
    c_.realm = &realm_;
    for (const int32_t o :
         {gatemeter_BillingOption_BILLING_PREPAID, gatemeter_BillingOption_BILLING_POSTPAID,
          gatemeter_BillingOption_BILLING_FREE, gatemeter_BillingOption_BILLING_ROAMING})
      c_.offers.push_back(
          {"isp.example", o, "Label " + std::to_string(o), "terms " + std::to_string(o)});
    c_.account = &account_;
    c_.rate = &rate_;
    c_.terms.grant_intervals = 3;
    c_.terms.interval_s = 60;
    c_.terms.validity_s = 3600;
    ask(gatemeter_BillingOption_BILLING_PREPAID, 1);
  }
  void ask(gatemeter_BillingOption option, uint32_t request) {
    c_.request = gatemeter_AuthRequest_init_zero;
    c_.request.session_id = 0xfedcba9876543210ull;
    copy_text(c_.request.subscriber, sizeof c_.request.subscriber, "ann@isp.example");
    copy_text(c_.request.service, sizeof c_.request.service, "web");
    c_.request.billing = option;
    c_.request.request = request;
  }
  // The session stands approved (request 1 answered) and holds `granted`.
  void approved_before(RemoteState remote = RemoteState::none, int64_t until = 0) {
    prior_.request = 1;
    prior_.decision = remote == RemoteState::asking ? gatemeter_AuthDecision_AUTH_TEMPORARY
                                                    : gatemeter_AuthDecision_AUTH_APPROVE;
    prior_.remote = remote;
    prior_.temporary_until_unix = until;
    prior_.live = true;
    prior_.account = account_.id;
    c_.prior = &prior_;
    c_.request.request = 2;
  }
  static void expect_reject(const AuthOutcome& o, gatemeter_RejectReason why) {
    EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_REJECT);
    EXPECT_EQ(wire_enum(o.response.reject), why);
    EXPECT_FALSE(o.response.has_grant);
    EXPECT_FALSE(o.live) << "a reject holds no money";
    EXPECT_EQ(o.granted_micros, 0);
    EXPECT_FALSE(o.start_inquiry);
    EXPECT_NE(o.response.reason[0], '\0') << "a reason for people";
  }

  host::RealmRow realm_;
  host::AccountRow account_;
  Rate rate_;
  PriorAuthorisation prior_;
  AuthContext c_;
};

TEST_F(AuthoriseTest, APrepaidSessionIsApprovedWithAGrantSizedFromTheBalance) {
  const AuthOutcome o = authorise(c_);
  const gatemeter_AuthResponse& r = o.response;
  EXPECT_EQ(wire_enum(r.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_EQ(r.session_id, 0xfedcba9876543210ull);
  EXPECT_EQ(r.request, 1u);
  EXPECT_EQ(wire_enum(r.reject), gatemeter_RejectReason_REJECT_NONE);
  EXPECT_EQ(wire_enum(r.outage_policy), gatemeter_OutagePolicy_OUTAGE_CONTINUE);
  EXPECT_EQ(r.balance_micros, 1'000'000);
  ASSERT_TRUE(r.has_grant);
  EXPECT_EQ(r.grant.charged_s, 3u * 60u);
  EXPECT_EQ(r.grant.validity_s, 3600u);
  EXPECT_FALSE(r.grant.final);
  EXPECT_EQ(o.granted_micros, 3 * per_minute);
  EXPECT_EQ(o.account, 11);
  EXPECT_TRUE(o.live);
  EXPECT_EQ(o.remote, RemoteState::none);
  EXPECT_FALSE(o.start_inquiry);
}

TEST_F(AuthoriseTest, AnUnknownRealmIsRejectedWithTheDefaultOutagePolicy) {
  c_.realm = nullptr;
  const AuthOutcome o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_UNKNOWN_REALM);
  EXPECT_EQ(wire_enum(o.response.outage_policy), gatemeter_OutagePolicy_OUTAGE_TERMINATE);
  EXPECT_NE(std::strstr(o.response.reason, "isp.example"), nullptr) << o.response.reason;
}

TEST_F(AuthoriseTest, AnOptionTheRealmDoesNotOfferIsRejected) {
  c_.offers.erase(c_.offers.begin() + 1);  // no postpaid
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  const AuthOutcome o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED);
  EXPECT_EQ(wire_enum(o.response.outage_policy), gatemeter_OutagePolicy_OUTAGE_CONTINUE)
      << "every answer carries the realm's policy";
  ask(gatemeter_BillingOption_BILLING_TIME_PASS, 1);
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED);
}

TEST_F(AuthoriseTest, PrepaidOrPostpaidWithoutAnAccountNeedsMoreInformation) {
  c_.account = nullptr;
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED);
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED);
  c_.account_named = true;  // one was named, and the store does not know it
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_UNKNOWN_ACCOUNT);
}

TEST_F(AuthoriseTest, ADisabledAccountIsRejected) {
  account_.enabled = false;
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_ACCOUNT_DISABLED);
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_ACCOUNT_DISABLED);
}

TEST_F(AuthoriseTest, APrepaidBalanceAtOrBelowZeroHasNoFunds) {
  for (const Micros balance : {Micros{0}, Micros{-1}}) {
    account_.balance_micros = balance;
    const AuthOutcome o = authorise(c_);
    expect_reject(o, gatemeter_RejectReason_REJECT_NO_FUNDS);
    EXPECT_EQ(o.response.balance_micros, balance) << "the subscriber is told the balance";
  }
  account_.kind = host::AccountKind::postpaid;  // postpaid has no balance to run out of
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  EXPECT_EQ(wire_enum(authorise(c_).response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
}

TEST_F(AuthoriseTest, ANewSessionWhoseMoneyOtherSessionsHoldHasNoFunds) {
  c_.others = {{700'000, 100'000}, {500'000, 0}};  // hold 600,000 + 500,000 of 1,000,000
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_NO_FUNDS);
  c_.others = {{700'000, 100'000}};  // 400,000 unreserved: enough for the whole chunk
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_EQ(o.granted_micros, 3 * per_minute);
}

TEST_F(AuthoriseTest, FreeAccessIsApprovedWithoutAGrantOrAccount) {
  c_.account = nullptr;
  ask(gatemeter_BillingOption_BILLING_FREE, 1);
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_FALSE(o.response.has_grant);
  EXPECT_EQ(o.account, 0);
  EXPECT_TRUE(o.live);
  EXPECT_EQ(o.granted_micros, 0);
}

TEST_F(AuthoriseTest, RoamingIsApprovedOnTheRealmsTermsForSettlementLater) {
  realm_.provider = "other-net";
  c_.account = nullptr;
  ask(gatemeter_BillingOption_BILLING_ROAMING, 1);
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_FALSE(o.response.has_grant);
  EXPECT_STREQ(o.response.reason,
               ("terms " + std::to_string(gatemeter_BillingOption_BILLING_ROAMING)).c_str());
  c_.offers.back().terms.clear();
  EXPECT_STREQ(authorise(c_).response.reason, "roaming via other-net");
}

TEST_F(AuthoriseTest, ARealmWhoseProviderSettlementRefusesIsRejectedWhateverTheOption) {
  realm_.provider = "other-net";
  c_.account = nullptr;
  c_.provider_refused = true;
  ask(gatemeter_BillingOption_BILLING_ROAMING, 1);
  AuthOutcome o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_PROVIDER_REFUSED);
  EXPECT_NE(std::string(o.response.reason).find("over its credit line"), std::string::npos);
  EXPECT_FALSE(o.live);
  c_.provider_refused = false;  // paid up: served again
  o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
}

TEST_F(AuthoriseTest, PostpaidIsApprovedWithoutALimitOrBalance) {
  account_.kind = host::AccountKind::postpaid;
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_FALSE(o.response.has_grant);
  EXPECT_EQ(o.response.balance_micros, 0);
  EXPECT_EQ(o.account, 11);
  EXPECT_TRUE(o.live);
}

TEST_F(AuthoriseTest, ARealmWithAnApprovalEndpointGetsATemporaryApprovalAndAnInquiry) {
  realm_.approval_url = "http://127.0.0.1:9/approve";
  realm_.temporary_s = 30;
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  EXPECT_EQ(o.response.temporary_s, 30u);
  EXPECT_TRUE(o.start_inquiry);
  EXPECT_EQ(o.remote, RemoteState::asking);
  EXPECT_EQ(o.temporary_until_unix, now + 30);
  ASSERT_TRUE(o.response.has_grant) << "a temporary prepaid session is limited too";
  EXPECT_EQ(o.response.grant.validity_s, 30u);
  EXPECT_TRUE(o.live);
}

TEST_F(AuthoriseTest, UpdatesFollowTheRemoteApprovalsState) {
  realm_.approval_url = "http://127.0.0.1:9/approve";
  realm_.temporary_s = 30;
  approved_before(RemoteState::asking, now + 12);
  AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_TEMPORARY);
  EXPECT_EQ(o.response.temporary_s, 12u) << "what is left of the period";
  EXPECT_FALSE(o.start_inquiry) << "the inquiry runs already";
  EXPECT_EQ(o.temporary_until_unix, now + 12);

  prior_.temporary_until_unix = now;  // the period is over with no answer: a reject
  o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_REMOTE);
  EXPECT_EQ(o.remote, RemoteState::rejected);

  prior_.remote = RemoteState::rejected;
  o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_REMOTE);
  prior_.live = false;  // as the reject left it: a new request does not ask again
  prior_.decision = gatemeter_AuthDecision_AUTH_REJECT;
  c_.request.request = 3;
  o = authorise(c_);
  expect_reject(o, gatemeter_RejectReason_REJECT_REMOTE);
  EXPECT_EQ(o.remote, RemoteState::rejected);
  prior_.live = true;
  prior_.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;

  prior_.remote = RemoteState::approved;
  prior_.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_EQ(o.remote, RemoteState::approved);
  EXPECT_TRUE(o.response.has_grant);
}

TEST_F(AuthoriseTest, AnUpdateWithNoMoneyLeftGetsAFinalGrantNotAReject) {
  approved_before();
  c_.usage.charged_s = 240;
  c_.usage.amount_micros = 4 * per_minute;
  c_.others = {{1'000'000, 0}};
  AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  ASSERT_TRUE(o.response.has_grant);
  EXPECT_TRUE(o.response.grant.final);
  EXPECT_FALSE(o.response.grant.final_redirect);
  EXPECT_EQ(o.response.grant.charged_s, 240u);
  EXPECT_EQ(o.granted_micros, 4 * per_minute);
  EXPECT_TRUE(o.live);

  account_.at_zero = host::AtZero::walled_garden;
  c_.others.clear();
  account_.balance_micros = -3;  // usage overran: still an update, still final
  o = authorise(c_);
  EXPECT_TRUE(o.response.grant.final);
  EXPECT_TRUE(o.response.grant.final_redirect);
  EXPECT_EQ(o.response.balance_micros, -3);
}

TEST_F(AuthoriseTest, AnUpdateOfASessionBillingEndedIsRejected) {
  approved_before();
  prior_.live = false;
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_SESSION_ENDED);
}

TEST_F(AuthoriseTest, ANewRequestAfterARejectIsDecidedAfresh) {
  prior_.request = 1;
  prior_.decision = gatemeter_AuthDecision_AUTH_REJECT;
  prior_.live = false;
  c_.prior = &prior_;
  c_.request.request = 2;
  const AuthOutcome o = authorise(c_);
  EXPECT_EQ(wire_enum(o.response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
  EXPECT_EQ(o.response.request, 2u);
}

TEST_F(AuthoriseTest, APrepaidSessionNoRatePricesIsNotOffered) {
  c_.rate = nullptr;
  expect_reject(authorise(c_), gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED);
  account_.kind = host::AccountKind::postpaid;  // postpaid is rated afterwards, if at all
  ask(gatemeter_BillingOption_BILLING_POSTPAID, 1);
  EXPECT_EQ(wire_enum(authorise(c_).response.decision), gatemeter_AuthDecision_AUTH_APPROVE);
}

TEST_F(AuthoriseTest, TheGrantEndsAtTheNextBandOrRateChange) {
  c_.band_changes_at = now + 900;
  EXPECT_EQ(authorise(c_).response.grant.validity_s, 900u);
  c_.rate_changes_at = now + 300;
  EXPECT_EQ(authorise(c_).response.grant.validity_s, 300u);
}

TEST(OutcomeLabelTest, NamesTheDecisionOrTheRejectReason) {
  gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
  r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  EXPECT_EQ(outcome_label(r), "approve");
  r.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;
  EXPECT_EQ(outcome_label(r), "temporary");
  r.decision = gatemeter_AuthDecision_AUTH_REJECT;
  r.reject = gatemeter_RejectReason_REJECT_NO_FUNDS;
  EXPECT_EQ(outcome_label(r), "no_funds");
}

}  // namespace
}  // namespace gm::billing
