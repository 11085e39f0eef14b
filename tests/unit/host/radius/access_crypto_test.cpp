// User-Password, Message-Authenticator and the Access response's authenticator
// (host/radius/access_crypto.h): RFC 2865 section 7.1's example packets reproduced, round trips,
// every changed octet caught; and against Debian's radclient, whose Access-Request we open and
// whose check of our Access-Accept (its Response Authenticator and Message-Authenticator) must
// pass, and fail under another secret.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "host/radius/access_crypto.h"
#include "tests/support/radclient.h"
#include "tests/support/radius_responder.h"

namespace gm::radius {
namespace {

std::vector<uint8_t> hex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// RFC 2865 section 7.1: nemo / arctangent from 192.168.1.16, secret xyzzy5461.
const std::vector<uint8_t> rfc_request = hex(
    "010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee"
    "0406c0a80110050600000003");
const std::vector<uint8_t> rfc_accept = hex(
    "0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103");

Authenticator authenticator_of(const std::vector<uint8_t>& p) {
  Authenticator a;
  std::copy(p.begin() + 4, p.begin() + 20, a.begin());
  return a;
}

TEST(AccessCrypto, TheRfcsExampleRevealsItsPasswordAndItsAcceptIsSignedAsTheRfcShows) {
  Packet request;
  ASSERT_EQ(parse(rfc_request.data(), rfc_request.size(), request), Refusal::none);
  std::string hidden;
  request.each_attribute([&](const Attribute& a) {
    if (a.type == attr::user_password) hidden = std::string(a.value);
  });
  const auto password = reveal_password(hidden, request.authenticator, "xyzzy5461");
  ASSERT_TRUE(password.has_value());
  EXPECT_EQ(*password, "arctangent");
  EXPECT_EQ(hide_password("arctangent", request.authenticator, "xyzzy5461"),
            std::vector<uint8_t>(hidden.begin(), hidden.end()));
  EXPECT_NE(reveal_password(hidden, request.authenticator, "other"), "arctangent");

  std::vector<uint8_t> accept = rfc_accept;
  std::fill(accept.begin() + 4, accept.begin() + 20, 0);
  sign_response(accept, request.authenticator, "xyzzy5461");
  EXPECT_EQ(accept, rfc_accept);
}

TEST(AccessCrypto, PasswordsRoundTripAtEveryLengthAndBadLengthsAreRefused) {
  const Authenticator ra = authenticator_of(rfc_request);
  for (size_t n : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 100u, 128u}) {
    const std::string pw(n, 'p');
    const auto hidden = hide_password(pw, ra, "s");
    ASSERT_FALSE(hidden.empty()) << n;
    EXPECT_EQ(hidden.size() % 16, 0u);
    EXPECT_EQ(reveal_password(std::string(hidden.begin(), hidden.end()), ra, "s"), pw) << n;
  }
  EXPECT_TRUE(hide_password(std::string(129, 'p'), ra, "s").empty());
  EXPECT_FALSE(reveal_password("", ra, "s").has_value());
  EXPECT_FALSE(reveal_password(std::string(17, 'x'), ra, "s").has_value());
  EXPECT_FALSE(reveal_password(std::string(144, 'x'), ra, "s").has_value());
}

std::vector<uint8_t> with_message_authenticator(uint8_t code) {
  std::vector<uint8_t> p(20, 0);
  p[0] = code;
  p[1] = 9;
  for (int i = 4; i < 20; ++i) p[i] = static_cast<uint8_t>(i * 7);
  p.insert(p.end(), {1, 5, 'a', 'n', 'n'});
  p.push_back(attr::message_authenticator);
  p.push_back(18);
  p.insert(p.end(), 16, 0xee);
  p[3] = static_cast<uint8_t>(p.size());
  return p;
}

TEST(AccessCrypto, AMessageAuthenticatorSignedIsValidAndAnyChangedOctetIsNot) {
  auto p = with_message_authenticator(1);
  ASSERT_TRUE(sign_message_authenticator(p, nullptr, "s3cret"));
  Packet packet;
  ASSERT_EQ(parse(p.data(), p.size(), packet), Refusal::none);
  EXPECT_EQ(check_message_authenticator(packet, nullptr, "s3cret"), MessageAuthenticator::valid);
  EXPECT_EQ(check_message_authenticator(packet, nullptr, "other"), MessageAuthenticator::invalid);
  for (size_t i = 0; i < p.size(); ++i) {
    if (i == 2 || i == 3) continue;
    auto changed = p;
    changed[i] ^= 0x10;
    Packet q;
    if (parse(changed.data(), changed.size(), q) != Refusal::none) continue;
    EXPECT_NE(check_message_authenticator(q, nullptr, "s3cret"), MessageAuthenticator::valid)
        << "octet " << i;
  }
  // A response's covers the request's authenticator in its place.
  auto response = with_message_authenticator(2);
  const Authenticator request = authenticator_of(p);
  ASSERT_TRUE(sign_message_authenticator(response, &request, "s3cret"));
  Packet r;
  ASSERT_EQ(parse(response.data(), response.size(), r), Refusal::none);
  EXPECT_EQ(check_message_authenticator(r, &request, "s3cret"), MessageAuthenticator::valid);
  Authenticator other = request;
  other[0] ^= 1;
  EXPECT_EQ(check_message_authenticator(r, &other, "s3cret"), MessageAuthenticator::invalid);
  Packet none;
  ASSERT_EQ(parse(rfc_request.data(), rfc_request.size(), none), Refusal::none);
  EXPECT_EQ(check_message_authenticator(none, nullptr, "x"), MessageAuthenticator::absent);
  auto bare = rfc_request;
  EXPECT_FALSE(sign_message_authenticator(bare, nullptr, "x"));
}

// An Access server as far as these checks go: the password and Message-Authenticator of each
// request read under its secret, an Access-Accept with a Reply-Message and a Message-
// Authenticator sent back.
class AccessResponder {
 public:
  explicit AccessResponder(std::string secret)
      : secret_(std::move(secret)), server_([this](const Packet& p) { return answer(p); }) {}
  void finish() { server_.finish(); }
  uint16_t port() const { return server_.port(); }
  std::string password;  // read after finish()
  MessageAuthenticator request_check = MessageAuthenticator::absent;

 private:
  std::vector<uint8_t> answer(const Packet& p) {
    p.each_attribute([&](const Attribute& a) {
      if (a.type == attr::user_password)
        password = reveal_password(a.value, p.authenticator, secret_).value_or("?");
    });
    request_check = check_message_authenticator(p, nullptr, secret_);
    std::vector<uint8_t> out = {static_cast<uint8_t>(Code::access_accept), p.identifier, 0, 0};
    out.resize(20);
    const std::string hello = "welcome";
    out.push_back(attr::reply_message);
    out.push_back(static_cast<uint8_t>(hello.size() + 2));
    out.insert(out.end(), hello.begin(), hello.end());
    out.push_back(attr::message_authenticator);
    out.push_back(18);
    out.insert(out.end(), 16, 0);
    out[3] = static_cast<uint8_t>(out.size());
    sign_message_authenticator(out, &p.authenticator, secret_);
    sign_response(out, p.authenticator, secret_);
    return out;
  }
  std::string secret_;
  test::RadiusResponder server_;
};

constexpr const char* access_request =
    "User-Name=ann@isp.example,User-Password=a-longer-password-than-16,"
    "Message-Authenticator=0x00";

TEST(AccessCrypto, RadclientsAccessRequestOpensAndItAcceptsOurSignedAccept) {
  if (!test::have_radclient()) GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
  AccessResponder server("s3cret");
  const auto run = test::radclient(server.port(), "s3cret", {access_request}, "", "auth");
  server.finish();
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("Received Access-Accept"), std::string::npos) << run.output;
  EXPECT_EQ(server.password, "a-longer-password-than-16");
  EXPECT_EQ(server.request_check, MessageAuthenticator::valid);
}

TEST(AccessCrypto, UnderAnotherSecretThePasswordDoesNotOpenAndOurAcceptIsRefused) {
  if (!test::have_radclient()) GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
  AccessResponder server("s3cret");
  const auto run = test::radclient(server.port(), "wrong", {access_request}, "", "auth");
  server.finish();
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_NE(server.password, "a-longer-password-than-16");
  EXPECT_EQ(server.request_check, MessageAuthenticator::invalid);
}

}  // namespace
}  // namespace gm::radius
