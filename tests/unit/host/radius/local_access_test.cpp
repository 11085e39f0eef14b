// A local realm's decision as the NAS hears it (host/radius/local_access.h): billing's answer
// made into Access-Accept terms or an Access-Reject, and the answer's bytes; subscribers'
// password hashes (host/billing/password_hash.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "host/billing/password_hash.h"
#include "host/radius/access_crypto.h"
#include "host/radius/local_access.h"

namespace gm::host {
namespace {

gatemeter_AuthResponse approval(uint32_t charged_s, uint32_t validity_s) {
  gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
  r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  std::snprintf(r.reason, sizeof r.reason, "%s", "approved");
  if (charged_s != 0 || validity_s != 0) {
    r.has_grant = true;
    r.grant.charged_s = charged_s;
    r.grant.validity_s = validity_s;
  }
  return r;
}

TEST(LocalAccessTerms, APrepaidGrantsSecondsAreTheSessionTimeoutUnlessTheRateEndsFirst) {
  LocalAccessSettings s;
  s.longest_session_s = 86'400;
  s.interim_interval_s = 60;
  bool accept = false;
  auto t = access_terms_of(approval(300, 3'600), s, accept);
  EXPECT_TRUE(accept);
  EXPECT_EQ(t.session_timeout_s, 300u);
  EXPECT_EQ(t.interim_interval_s, 60u);
  EXPECT_EQ(t.reply_message, "approved");
  t = access_terms_of(approval(5'000, 1'200), s, accept);  // a band change in 20 minutes
  EXPECT_EQ(t.session_timeout_s, 1'200u);
}

TEST(LocalAccessTerms, NoGrantIsTheLongestSessionAndBillingsOwnTimeoutsWin) {
  LocalAccessSettings s;
  s.longest_session_s = 7'200;
  bool accept = false;
  gatemeter_AuthResponse r = approval(0, 0);  // postpaid: no grant
  EXPECT_EQ(access_terms_of(r, s, accept).session_timeout_s, 7'200u);
  r.session_timeout_s = 1'800;
  r.idle_timeout_s = 300;
  const auto t = access_terms_of(r, s, accept);
  EXPECT_EQ(t.session_timeout_s, 1'800u);
  EXPECT_EQ(t.idle_timeout_s, 300u);
}

TEST(LocalAccessTerms, ARejectKeepsItsReasonAndATemporaryApprovalIsRefused) {
  LocalAccessSettings s;
  bool accept = true;
  gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
  r.decision = gatemeter_AuthDecision_AUTH_REJECT;
  r.reject = gatemeter_RejectReason_REJECT_NO_FUNDS;
  std::snprintf(r.reason, sizeof r.reason, "%s", "no funds");
  auto t = access_terms_of(r, s, accept);
  EXPECT_FALSE(accept);
  EXPECT_EQ(t.reply_message, "no funds");
  EXPECT_EQ(t.session_timeout_s, 0u);
  r.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;
  t = access_terms_of(r, s, accept);
  EXPECT_FALSE(accept);  // nothing over RADIUS would follow a temporary approval up
  EXPECT_NE(t.reply_message.find("gateway"), std::string::npos);
}

TEST(LocalAccessAnswer, AnAcceptCarriesItsLimitsSignedForTheNasAndLeavesZerosOut) {
  radius::Authenticator ra{};
  for (size_t i = 0; i < ra.size(); ++i) ra[i] = static_cast<uint8_t>(i * 7);
  const auto bytes = radius::access_answer(radius::Code::access_accept, 9, ra, "s3cret",
                                           {"approved", 300, 0, 60});
  radius::Packet p;
  ASSERT_EQ(radius::parse(bytes.data(), bytes.size(), p), radius::Refusal::none);
  EXPECT_EQ(p.code, radius::Code::access_accept);
  EXPECT_EQ(p.identifier, 9);
  EXPECT_EQ(radius::check_message_authenticator(p, &ra, "s3cret"),
            radius::MessageAuthenticator::valid);
  std::vector<uint8_t> check = bytes;
  radius::sign_response(check, ra, "s3cret");
  EXPECT_EQ(check, bytes);
  std::map<uint8_t, std::string> seen;
  p.each_attribute([&](const radius::Attribute& a) { seen[a.type] = std::string(a.value); });
  EXPECT_EQ(seen[radius::attr::reply_message], "approved");
  EXPECT_EQ(seen[radius::attr_session_timeout], std::string("\0\0\x01\x2c", 4));  // 300
  EXPECT_EQ(seen[radius::attr_acct_interim_interval], std::string("\0\0\0\x3c", 4));
  EXPECT_EQ(seen.count(radius::attr_idle_timeout), 0u);
  // A reject carries no limits even when given some.
  const auto reject = radius::access_answer(radius::Code::access_reject, 9, ra, "s3cret",
                                            {"no funds", 300, 300, 60});
  ASSERT_EQ(radius::parse(reject.data(), reject.size(), p), radius::Refusal::none);
  seen.clear();
  p.each_attribute([&](const radius::Attribute& a) { seen[a.type] = std::string(a.value); });
  EXPECT_EQ(seen.count(radius::attr_session_timeout), 0u);
  EXPECT_EQ(seen[radius::attr::reply_message], "no funds");
}

TEST(PasswordHash, AHashMatchesItsPasswordOnlyAndIsSaltedAnew) {
  const std::string h = billing::hash_password("correct horse");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_EQ(h.find("correct horse"), std::string::npos);
  EXPECT_TRUE(billing::password_matches(h, "correct horse"));
  EXPECT_FALSE(billing::password_matches(h, "correct hors"));
  EXPECT_FALSE(billing::password_matches(h, "correct horse "));
  EXPECT_NE(billing::hash_password("correct horse"), h);  // a fresh salt each time
}

TEST(PasswordHash, AnEmptyOrOverlongPasswordIsRefusedAndNoHashMatchesNothing) {
  EXPECT_THROW(billing::hash_password(""), std::runtime_error);
  EXPECT_THROW(billing::hash_password(std::string(billing::max_password + 1, 'x')),
               std::runtime_error);
  EXPECT_FALSE(billing::password_matches("", "anything"));
  EXPECT_FALSE(billing::password_matches("$argon2id$garbage", "anything"));
}

}  // namespace
}  // namespace gm::host
