// The agent's login conversation against a scripted login service: the credential is never
// sent, the server must prove it knows it, and every refusal has its own reason.
#include "firmware/core/login_exchange.h"

#include <gtest/gtest.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include <cstring>
#include <vector>

#include "tests/support/login_messages.h"

using namespace gm;
using namespace gm::core;

namespace {

using test::framed;

struct CountingRng final : hal::Rng {
  uint8_t next = 40;
  bool fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = next++;
    return true;
  }
};


struct Conversation {
  AgentIdentity id;
  CountingRng rng;
  LoginExchange ex;
  gatemeter_LoginChallenge challenge = gatemeter_LoginChallenge_init_zero;
  gatemeter_LoginRequest request = gatemeter_LoginRequest_init_zero;
  std::vector<uint8_t> written;  // every byte the agent wrote

  explicit Conversation(bool continuing = false) {
    id.agent_id = "gw-0001";
    for (size_t i = 0; i < sizeof id.credential; ++i) id.credential[i] = static_cast<uint8_t>(i * 7);
    for (size_t i = 0; i < sizeof challenge.server_nonce; ++i) challenge.server_nonce[i] = static_cast<uint8_t>(200 + i);
    ex.start(id, 3, continuing, rng);
  }

  // Sends the challenge (in two pieces, as TCP may) and decodes the agent's request.
  void challenge_and_read_request() {
    const auto c = framed(gatemeter_LoginChallenge_fields, challenge);
    ex.on_bytes(c.data(), 1);
    ASSERT_EQ(ex.on_bytes(c.data() + 1, c.size() - 1), LoginExchange::State::awaiting_response);
    size_t n = 0;
    const uint8_t* out = ex.output(n);
    ASSERT_GT(n, 2u);
    ASSERT_EQ(n, 2u + (static_cast<size_t>(out[0]) << 8 | out[1]));
    pb_istream_t in = pb_istream_from_buffer(out + 2, n - 2);
    ASSERT_TRUE(pb_decode(&in, gatemeter_LoginRequest_fields, &request));
    written.assign(out, out + n);
    ex.consumed(n);
  }

  gatemeter_LoginResponse good_response() {
    gatemeter_LoginResponse r = gatemeter_LoginResponse_init_zero;
    r.status = gatemeter_LoginStatus_LOGIN_OK;
    r.login_session_id = 0xABCDEF;
    for (size_t i = 0; i < sizeof r.session_key; ++i) r.session_key[i] = static_cast<uint8_t>(i);
    r.metering_interval_s = 30;
    r.track_usage = true;
    r.login_lifetime_s = 86400;
    r.census_count = 2;
    std::strcpy(r.census[0], "127.0.0.1:7100");
    std::strcpy(r.census[1], "127.0.0.1:7101");
    login::server_proof(id.credential, sizeof id.credential, challenge.server_nonce,
                        request.client_nonce, "gw-0001", r.server_proof);
    return r;
  }

  LoginExchange::State respond(const gatemeter_LoginResponse& r) {
    const auto b = framed(gatemeter_LoginResponse_fields, r);
    return ex.on_bytes(b.data(), b.size());
  }
};

}  // namespace

TEST(LoginExchange, ProvesTheCredentialWithoutSendingIt) {
  Conversation c;
  c.challenge_and_read_request();
  EXPECT_STREQ(c.request.agent_id, "gw-0001");
  EXPECT_EQ(c.request.boot_count, 3u);
  uint8_t expected[login::proof_size];
  login::agent_proof(c.id.credential, sizeof c.id.credential, c.challenge.server_nonce,
                     c.request.client_nonce, "gw-0001", expected);
  EXPECT_TRUE(login::proofs_equal(expected, c.request.proof));
  // The credential bytes appear nowhere in what was written.
  size_t n = 0;
  c.ex.output(n);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(nullptr, memmem(c.written.data(), c.written.size(), c.id.credential, 8));
}

TEST(LoginExchange, AcceptsAResponseThatProvesTheServerAndGrantsTheSession) {
  Conversation c;
  c.challenge_and_read_request();
  ASSERT_EQ(c.respond(c.good_response()), LoginExchange::State::done) << c.ex.error();
  const LoginGrant g = c.ex.grant();
  EXPECT_EQ(g.login_session, 0xABCDEFu);
  EXPECT_EQ(g.interval_s, 30u);
  EXPECT_TRUE(g.track_usage);
  EXPECT_EQ(g.session_key[5], 5);
  EXPECT_STREQ(c.ex.response().census[1], "127.0.0.1:7101");
  EXPECT_EQ(g.lifetime_s, 86400u);
}

TEST(LoginExchange, GrantCarriesTheBillingServersRealmOffersAndOutagePolicy) {
  Conversation c;
  c.challenge_and_read_request();
  gatemeter_LoginResponse r = c.good_response();
  r.billing_count = 2;
  std::strcpy(r.billing[0], "127.0.0.1:7200");
  std::strcpy(r.billing[1], "127.0.0.2:7200");
  std::strcpy(r.realm, "hotspot.example");
  r.offers_count = 1;
  r.offers[0].option = gatemeter_BillingOption_BILLING_TIME_PASS;
  std::strcpy(r.offers[0].label, "1 hour pass");
  std::strcpy(r.offers[0].terms, "2.00 EUR");
  r.outage_policy = gatemeter_OutagePolicy_OUTAGE_CONTINUE;
  ASSERT_EQ(c.respond(r), LoginExchange::State::done) << c.ex.error();
  const LoginGrant g = c.ex.grant();
  ASSERT_EQ(g.billing_count, 2u);
  EXPECT_STREQ(g.billing[0], "127.0.0.1:7200");  // primary first
  EXPECT_STREQ(g.billing[1], "127.0.0.2:7200");
  EXPECT_STREQ(g.realm, "hotspot.example");
  ASSERT_EQ(g.offer_count, 1u);
  EXPECT_EQ(g.offers[0].option, gatemeter_BillingOption_BILLING_TIME_PASS);
  EXPECT_STREQ(g.offers[0].terms, "2.00 EUR");
  EXPECT_EQ(g.outage_policy, gatemeter_OutagePolicy_OUTAGE_CONTINUE);
}

TEST(LoginExchange, GrantWithoutBillingServersLeavesTheBoardToDecide) {
  Conversation c;
  c.challenge_and_read_request();
  ASSERT_EQ(c.respond(c.good_response()), LoginExchange::State::done) << c.ex.error();
  const LoginGrant g = c.ex.grant();
  EXPECT_EQ(g.billing_count, 0u);
  EXPECT_EQ(g.offer_count, 0u);
  EXPECT_EQ(g.outage_policy, gatemeter_OutagePolicy_OUTAGE_TERMINATE);
}

// The first login after a boot lets the login service close what the agent had open before it;
// a login while running (renewal) says it continues, and the sessions go on.
TEST(LoginExchange, SaysWhetherItContinuesWithoutAReboot) {
  Conversation after_boot;
  after_boot.challenge_and_read_request();
  EXPECT_FALSE(after_boot.request.continuing);
  Conversation renewal(/*continuing=*/true);
  renewal.challenge_and_read_request();
  EXPECT_TRUE(renewal.request.continuing);
  EXPECT_EQ(renewal.request.boot_count, 3u);
  // start() forgets the earlier exchange, the flag included.
  renewal.ex.start(renewal.id, 3, false, renewal.rng);
  renewal.challenge_and_read_request();
  EXPECT_FALSE(renewal.request.continuing);
}

TEST(LoginExchange, AnOlderServerTellsNoLifetime) {
  Conversation c;
  c.challenge_and_read_request();
  auto r = c.good_response();
  r.login_lifetime_s = 0;
  ASSERT_EQ(c.respond(r), LoginExchange::State::done) << c.ex.error();
  EXPECT_EQ(c.ex.grant().lifetime_s, 0u);
}

TEST(LoginExchange, RefusesAServerThatCannotProveItKnowsTheCredential) {
  Conversation c;
  c.challenge_and_read_request();
  auto r = c.good_response();
  r.server_proof[0] ^= 1;
  EXPECT_EQ(c.respond(r), LoginExchange::State::failed);
  EXPECT_STREQ(c.ex.error(), "server_proof");
}

TEST(LoginExchange, ReportsEachRefusalStatus) {
  const std::pair<gatemeter_LoginStatus, const char*> cases[] = {
      {gatemeter_LoginStatus_LOGIN_BAD_CREDENTIAL, "bad_credential"},
      {gatemeter_LoginStatus_LOGIN_UNKNOWN_AGENT, "unknown_agent"},
      {gatemeter_LoginStatus_LOGIN_DISABLED, "disabled"},
      {gatemeter_LoginStatus_LOGIN_MALFORMED, "refused"}};
  for (const auto& [status, reason] : cases) {
    Conversation c;
    c.challenge_and_read_request();
    gatemeter_LoginResponse r = gatemeter_LoginResponse_init_zero;
    r.status = status;
    EXPECT_EQ(c.respond(r), LoginExchange::State::failed);
    EXPECT_STREQ(c.ex.error(), reason);
  }
}

TEST(LoginExchange, RefusesGarbageAndOversizedMessages) {
  Conversation c;
  const uint8_t garbage[] = {0, 3, 0xFF, 0xFF, 0xFF};
  EXPECT_EQ(c.ex.on_bytes(garbage, sizeof garbage), LoginExchange::State::failed);
  EXPECT_STREQ(c.ex.error(), "malformed");
  Conversation d;
  const uint8_t huge[] = {0xFF, 0xFF, 1, 2, 3};
  EXPECT_EQ(d.ex.on_bytes(huge, sizeof huge), LoginExchange::State::failed);
  EXPECT_STREQ(d.ex.error(), "oversized");
}
