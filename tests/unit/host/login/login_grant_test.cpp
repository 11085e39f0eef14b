// The login decision without TLS: proofs, refusals, and what the grant carries.
#include "host/login/login_grant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "host/login/login_billing.h"
#include "host/store/store.h"
#include "shared/frame/frame_tag.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

class LoginGrantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test::TestDatabase::create("sqlite", nullptr);
    store_ = open_store(db_->spec());
    credential_ = CredentialVault::generate();
    store_->add_agent("gw-1", vault_.seal(credential_, "gw-1"), 1);
    settings_.census = {"127.0.0.1:7100", "127.0.0.2:7100"};
    settings_.metering_interval_s = 45;
    std::memset(nonce_, 7, sizeof nonce_);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  gatemeter_LoginRequest request(const char* id, const CredentialVault::Credential& cred) {
    gatemeter_LoginRequest r = gatemeter_LoginRequest_init_zero;
    copy_text(r.agent_id, sizeof r.agent_id, id);
    std::memset(r.client_nonce, 3, sizeof r.client_nonce);
    login::agent_proof(cred.data(), cred.size(), nonce_, r.client_nonce, r.agent_id, r.proof);
    return r;
  }
  LoginOutcome grant(const gatemeter_LoginRequest& r, int64_t now) {
    return grant_login(*store_, *store_, vault_, settings_, nonce_, r, now);
  }
  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  CredentialVault vault_{std::array<uint8_t, 32>{5}};
  CredentialVault::Credential credential_{};
  LoginSettings settings_;
  uint8_t nonce_[login::nonce_size];
};

TEST_F(LoginGrantTest, ValidProofGetsAGrantWithServerProof) {
  const auto o = grant(request("gw-1", credential_), 10);
  ASSERT_STREQ(o.outcome, "ok");
  EXPECT_EQ(o.response.status, gatemeter_LoginStatus_LOGIN_OK);
  EXPECT_TRUE(o.response.track_usage);
  EXPECT_EQ(o.response.metering_interval_s, 45u);
  ASSERT_EQ(o.response.census_count, 2);
  EXPECT_STREQ(o.response.census[1], "127.0.0.2:7100");
  uint8_t expected[login::proof_size];
  const auto req = request("gw-1", credential_);
  login::server_proof(credential_.data(), 32, nonce_, req.client_nonce, "gw-1", expected);
  EXPECT_TRUE(login::proofs_equal(expected, o.response.server_proof));
  const auto logins = store_->open_logins(10);
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].expires_unix, 10 + 86400);
  EXPECT_EQ(o.response.login_lifetime_s, 86400u);
  // The store holds the tag key sealed, bound to its login: it opens under the vault, and
  // neither under another key nor as another login's.
  frame::TagKey expected_key;
  frame::derive_tag_key(o.response.session_key, 32, expected_key);
  const auto key = vault_.open_tag_key(logins[0].sealed_tag_key, logins[0].id);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(0, std::memcmp(key->bytes, expected_key.bytes, sizeof key->bytes));
  EXPECT_FALSE(vault_.open_tag_key(logins[0].sealed_tag_key, logins[0].id + 1).has_value());
  EXPECT_FALSE(CredentialVault(std::array<uint8_t, 32>{6})
                   .open_tag_key(logins[0].sealed_tag_key, logins[0].id)
                   .has_value());
  const std::vector<uint8_t>& sealed = logins[0].sealed_tag_key;
  EXPECT_EQ(std::search(sealed.begin(), sealed.end(), expected_key.bytes, expected_key.bytes + 32),
            sealed.end())
      << "the tag key is stored in clear";
}

TEST_F(LoginGrantTest, EachLoginHasItsOwnSessionAndKey) {
  const auto a = grant(request("gw-1", credential_), 10);
  const auto b = grant(request("gw-1", credential_), 11);
  EXPECT_NE(a.response.login_session_id, b.response.login_session_id);
  EXPECT_NE(0, std::memcmp(a.response.session_key, b.response.session_key, 32));
  EXPECT_EQ(store_->open_logins(10).size(), 1u);  // the first was closed
}

TEST_F(LoginGrantTest, AContinuingLoginInTheSameBootIsARenewal) {
  auto r = request("gw-1", credential_);
  r.boot_count = 3;
  EXPECT_FALSE(grant(r, 10).renewal);
  r.continuing = true;
  EXPECT_TRUE(grant(r, 20).renewal);
  r.boot_count = 4;  // continuing after a reboot is not a renewal
  EXPECT_FALSE(grant(r, 30).renewal);
}

TEST_F(LoginGrantTest, RefusalsSayWhy) {
  EXPECT_STREQ(grant(request("gw-1", CredentialVault::generate()), 10).outcome,
               "bad_credential");
  EXPECT_STREQ(grant(request("gw-9", credential_), 10).outcome,
               "unknown_agent");
  EXPECT_STREQ(grant(request("", credential_), 10).outcome,
               "malformed");
  EXPECT_TRUE(store_->open_logins(10).empty());
}

}  // namespace
}  // namespace gm::host

namespace gm::host {
namespace {

// The billing part of a login (add_billing_terms): the billing servers in order, the gateway's
// realm with its outage policy, and the realm's offers with the gateway's own winning.
TEST_F(LoginGrantTest, ALoginCarriesTheBillingServersTheRealmItsOffersAndItsOutagePolicy) {
  settings_.billing = {"127.0.0.1:7200", "127.0.0.2:7200"};
  settings_.default_realm = "isp.example";
  store_->catalog().set_realm({"isp.example", "", gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE, "", 0});
  store_->catalog().set_offer({"isp.example", gatemeter_BillingOption_BILLING_PREPAID, "Prepaid", "0.02 EUR/min"});
  store_->catalog().set_offer({"isp.example", gatemeter_BillingOption_BILLING_FREE, "Free", "walled garden"});
  store_->catalog().set_offer({"gateway:gw-1", gatemeter_BillingOption_BILLING_FREE, "Free here", "lobby"});
  store_->catalog().set_offer({"gateway:gw-2", gatemeter_BillingOption_BILLING_POSTPAID, "Invoice", "x"});
  store_->catalog().set_offer({"other.example", gatemeter_BillingOption_BILLING_ROAMING, "Roam", "y"});
  gatemeter_LoginResponse r = gatemeter_LoginResponse_init_zero;
  add_billing_terms(r, store_->catalog(), settings_, "gw-1");
  ASSERT_EQ(r.billing_count, 2);
  EXPECT_STREQ(r.billing[0], "127.0.0.1:7200");
  EXPECT_STREQ(r.billing[1], "127.0.0.2:7200");
  EXPECT_STREQ(r.realm, "isp.example");
  EXPECT_EQ(wire_enum(r.outage_policy), gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  ASSERT_EQ(r.offers_count, 2) << "the gateway's free offer replaces the realm's; nobody else's";
  EXPECT_EQ(wire_enum(r.offers[0].option), gatemeter_BillingOption_BILLING_FREE);
  EXPECT_STREQ(r.offers[0].label, "Free here");
  EXPECT_EQ(wire_enum(r.offers[1].option), gatemeter_BillingOption_BILLING_PREPAID);
  EXPECT_STREQ(r.offers[1].terms, "0.02 EUR/min");

  // No realm set, none known: no offers of a realm, and the policy stays terminate.
  settings_.default_realm = "unknown.example";
  gatemeter_LoginResponse bare = gatemeter_LoginResponse_init_zero;
  add_billing_terms(bare, store_->catalog(), settings_, "gw-9");
  EXPECT_EQ(bare.offers_count, 0);
  EXPECT_EQ(wire_enum(bare.outage_policy), gatemeter_OutagePolicy_OUTAGE_TERMINATE);
}

}  // namespace
}  // namespace gm::host
