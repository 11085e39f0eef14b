// The agent's login over lwIP's raw TCP (LwipLogin) through the TAP to a TLS login service in
// the test's namespace: TLS with the pinned key, the challenge-response, the grant; and the
// refusals a board must see as a failed step with a reason.
#include "firmware/net/lwip_login.h"

#include <gtest/gtest.h>
#include <sys/random.h>

#include <cstring>

#include "tests/netns/fake_login_server.h"
#include "tests/netns/lwip_over_tap.h"

using gm::net::LwipLogin;
using gm::test::FakeLoginServer;
using gm::test::LwipOverTap;
using gm::test::namespace_socket;

namespace {

struct KernelRng final : gm::hal::Rng {
  bool fill(uint8_t* out, size_t n) override {
    return getrandom(out, n, 0) == static_cast<ssize_t>(n);
  }
};

class LwipLoginOverTap : public LwipOverTap {
 protected:
  void SetUp() override {
    LwipOverTap::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(server.ok()) << "openssl could not make a test certificate";
    ASSERT_TRUE(server.pin(pin));
    identity.agent_id = "gw-lwip";
    for (size_t i = 0; i < sizeof identity.credential; ++i)
      identity.credential[i] = static_cast<uint8_t>(3 * i + 1);
  }

  // Steps the login with the board's loop until it is no longer busy (bounded).
  LwipLogin::Step drive(LwipLogin& login) {
    LwipLogin::Step s = LwipLogin::Step::busy;
    // The deadline is only a backstop for the API; the loop bound ends the test.
    run_until([&] { return (s = login.step(1)) != LwipLogin::Step::busy; }, 1000);
    return s;
  }

  FakeLoginServer server;
  uint8_t pin[32] = {};
  gm::core::AgentIdentity identity;
  KernelRng rng;
};

}  // namespace

TEST_F(LwipLoginOverTap, LogsInOverTlsWithThePinnedKeyAndReceivesTheGrant) {
  const int listener = namespace_socket(ns, SOCK_STREAM, 7444);
  ASSERT_GE(listener, 0);
  server.serve_once(listener, "gw-lwip", identity.credential, {"192.0.2.1:7000", "192.0.2.1:7001"});
  LwipLogin& login = net.login();
  ASSERT_TRUE(login.start("192.0.2.1:7444", pin, identity, 5, false, rng, UINT64_MAX)) << login.error();
  EXPECT_TRUE(login.running());
  ASSERT_EQ(drive(login), LwipLogin::Step::done) << login.error();
  EXPECT_FALSE(login.running());
  server.join();
  EXPECT_EQ(server.result, "granted");
  const gm::core::LoginGrant g = login.exchange().grant();
  EXPECT_EQ(g.login_session, 0x5151u);
  EXPECT_EQ(g.interval_s, 10u);
  ASSERT_EQ(login.exchange().response().census_count, 2u);
  EXPECT_STREQ(login.exchange().response().census[1], "192.0.2.1:7001");

  // The grant's census list is what the uplink takes.
  const gatemeter_LoginResponse& r = login.exchange().response();
  const char* census[] = {r.census[0], r.census[1]};
  EXPECT_TRUE(net.uplink().set_census(census, 2));
  ::close(listener);
}

TEST_F(LwipLoginOverTap, RefusesAServerWhoseKeyIsNotThePinnedOne) {
  const int listener = namespace_socket(ns, SOCK_STREAM, 7445);
  ASSERT_GE(listener, 0);
  server.serve_once(listener, "gw-lwip", identity.credential, {"192.0.2.1:7000"});
  uint8_t wrong[32];
  std::memcpy(wrong, pin, sizeof wrong);
  wrong[0] ^= 0x80;
  LwipLogin& login = net.login();
  ASSERT_TRUE(login.start("192.0.2.1:7445", wrong, identity, 1, false, rng, UINT64_MAX));
  ASSERT_EQ(drive(login), LwipLogin::Step::failed);
  EXPECT_STREQ(login.error(), "pin_mismatch");
  EXPECT_FALSE(login.running());
  ::close(listener);  // the server thread sees the connection end and stops
  server.join();
  EXPECT_NE(server.result, "granted");
}

TEST_F(LwipLoginOverTap, AClosedPortFailsAsConnectAndABadAddressBeforeAnything) {
  LwipLogin& login = net.login();
  EXPECT_FALSE(login.start("192.0.2.1", pin, identity, 1, false, rng, UINT64_MAX));
  EXPECT_STREQ(login.error(), "bad_address");
  ASSERT_TRUE(login.start("192.0.2.1:7999", pin, identity, 1, false, rng, UINT64_MAX));  // nobody there
  ASSERT_EQ(drive(login), LwipLogin::Step::failed);
  EXPECT_STREQ(login.error(), "connect");
}

TEST_F(LwipLoginOverTap, GivesUpAtTheDeadline) {
  LwipLogin& login = net.login();
  ASSERT_TRUE(login.start("192.0.2.1:7999", pin, identity, 1, false, rng, 100));
  EXPECT_EQ(login.step(100), LwipLogin::Step::failed);
  EXPECT_STREQ(login.error(), "timeout");
}
