// The login decision without TLS: proofs, refusals, and what the grant carries.
#include "host/login/login_grant.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace gm::host {
namespace {

class LoginGrantTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gm-grant-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = open_sqlite_store(dir_ + "/usage.db");
    credential_ = CredentialVault::generate();
    store_->add_agent("gw-1", vault_.seal(credential_, "gw-1"), 1);
    settings_.census = {"127.0.0.1:7100", "127.0.0.2:7100"};
    settings_.metering_interval_s = 45;
    std::memset(nonce_, 7, sizeof nonce_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  gatemeter_LoginRequest request(const char* id, const CredentialVault::Credential& cred) {
    gatemeter_LoginRequest r = gatemeter_LoginRequest_init_zero;
    copy_text(r.agent_id, sizeof r.agent_id, id);
    std::memset(r.client_nonce, 3, sizeof r.client_nonce);
    login::agent_proof(cred.data(), cred.size(), nonce_, r.client_nonce, r.agent_id, r.proof);
    return r;
  }
  std::string dir_;
  std::unique_ptr<UsageStore> store_;
  CredentialVault vault_{std::array<uint8_t, 32>{5}};
  CredentialVault::Credential credential_{};
  LoginSettings settings_;
  uint8_t nonce_[login::nonce_size];
};

TEST_F(LoginGrantTest, ValidProofGetsAGrantWithServerProof) {
  const auto o = grant_login(*store_, vault_, settings_, nonce_, request("gw-1", credential_), 10);
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
  EXPECT_EQ(store_->open_login_sessions_after(0).size(), 1u);
}

TEST_F(LoginGrantTest, EachLoginHasItsOwnSessionAndKey) {
  const auto a = grant_login(*store_, vault_, settings_, nonce_, request("gw-1", credential_), 10);
  const auto b = grant_login(*store_, vault_, settings_, nonce_, request("gw-1", credential_), 11);
  EXPECT_NE(a.response.login_session_id, b.response.login_session_id);
  EXPECT_NE(0, std::memcmp(a.response.session_key, b.response.session_key, 32));
  EXPECT_EQ(store_->open_login_sessions_after(0).size(), 1u);  // the first was closed
}

TEST_F(LoginGrantTest, RefusalsSayWhy) {
  EXPECT_STREQ(grant_login(*store_, vault_, settings_, nonce_,
                           request("gw-1", CredentialVault::generate()), 10).outcome,
               "bad_credential");
  EXPECT_STREQ(grant_login(*store_, vault_, settings_, nonce_, request("gw-9", credential_), 10).outcome,
               "unknown_agent");
  EXPECT_STREQ(grant_login(*store_, vault_, settings_, nonce_, request("", credential_), 10).outcome,
               "malformed");
  EXPECT_TRUE(store_->open_login_sessions_after(0).empty());
}

}  // namespace
}  // namespace gm::host
