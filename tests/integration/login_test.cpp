// The login service against the test agent over real TLS on 127.0.0.1.
#include <gtest/gtest.h>

#include <cstring>
#include <ctime>

#include "tests/integration/server_fixture.h"

namespace gm::test {
namespace {

uint64_t refusal_count(host::UsageReports& store, const std::string& reason) {
  for (const auto& r : store.refusals())
    if (r.reason == reason) return r.count;
  return 0;
}

using LoginTest = ServerFixture;

TEST_F(LoginTest, RightCredentialGetsSessionKeyIntervalCensusListAndUpdates) {
  TestAgent agent("gw-1", add_agent("gw-1"));
  gatemeter_ComponentVersion old_agent = {"agent", 5};
  ASSERT_TRUE(agent.login("127.0.0.1", login_->port(), tls_.pin, 5000, {old_agent})) << agent.error();

  const gatemeter_LoginResponse& g = agent.grant();
  EXPECT_NE(g.login_session_id, 0u);
  EXPECT_TRUE(g.track_usage);
  EXPECT_EQ(g.metering_interval_s, 30u);
  ASSERT_EQ(g.census_count, 1);
  EXPECT_EQ(std::string(g.census[0]), "127.0.0.1:" + std::to_string(census_->port()));
  ASSERT_EQ(g.updates_count, 1);
  EXPECT_STREQ(g.updates[0].name, "agent");
  EXPECT_EQ(g.updates[0].version, 7u);

  // The store holds the tag key (a hash of the session key), sealed; never the key itself.
  const auto sessions = store_->open_logins(std::time(nullptr));
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].id, g.login_session_id);
  const auto key = vault_->open_tag_key(sessions[0].sealed_tag_key, sessions[0].id);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(0, std::memcmp(key->bytes, agent.tag_key().bytes, 32));
  EXPECT_NE(0, std::memcmp(key->bytes, g.session_key, 32));
  EXPECT_EQ(login_->stats().ok.load(), 1u);
}

TEST_F(LoginTest, CurrentComponentsGetNoUpdate) {
  TestAgent agent("gw-1", add_agent("gw-1"));
  gatemeter_ComponentVersion current = {"agent", 7};
  ASSERT_TRUE(agent.login("127.0.0.1", login_->port(), tls_.pin, 5000, {current})) << agent.error();
  EXPECT_EQ(agent.grant().updates_count, 0);
}

TEST_F(LoginTest, WrongCredentialIsRefusedAndCounted) {
  add_agent("gw-1");
  TestAgent impostor("gw-1", host::CredentialVault::generate());
  EXPECT_FALSE(impostor.login("127.0.0.1", login_->port(), tls_.pin));
  EXPECT_EQ(impostor.error(), "bad_credential");
  EXPECT_TRUE(store_->open_logins(std::time(nullptr)).empty());
  EXPECT_EQ(refusal_count(*store_, "login_bad_credential"), 1u);
}

TEST_F(LoginTest, UnknownAgentIsRefusedAndCounted) {
  TestAgent stranger("nobody", host::CredentialVault::generate());
  EXPECT_FALSE(stranger.login("127.0.0.1", login_->port(), tls_.pin));
  EXPECT_EQ(stranger.error(), "unknown_agent");
  EXPECT_EQ(refusal_count(*store_, "login_unknown_agent"), 1u);
}

TEST_F(LoginTest, DisabledAgentIsRefusedAfterProvingItself) {
  TestAgent agent("gw-1", add_agent("gw-1"));
  ASSERT_TRUE(store_->set_agent_enabled("gw-1", false, std::time(nullptr)));
  EXPECT_FALSE(agent.login("127.0.0.1", login_->port(), tls_.pin));
  EXPECT_EQ(agent.error(), "disabled");
}

TEST_F(LoginTest, AgentRefusesServerWithAnotherKey) {
  TestAgent agent("gw-1", add_agent("gw-1"));
  TestAgent::Bytes32 wrong_pin = tls_.pin;
  wrong_pin[0] ^= 1;
  EXPECT_FALSE(agent.login("127.0.0.1", login_->port(), wrong_pin));
  EXPECT_EQ(agent.error(), "pin_mismatch");
}

TEST_F(LoginTest, ServerStillServesAfterRefusals) {
  TestAgent agent("gw-1", add_agent("gw-1"));
  TestAgent impostor("gw-1", host::CredentialVault::generate());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(impostor.login("127.0.0.1", login_->port(), tls_.pin));
  EXPECT_TRUE(agent.login("127.0.0.1", login_->port(), tls_.pin)) << agent.error();
}

}  // namespace
}  // namespace gm::test
