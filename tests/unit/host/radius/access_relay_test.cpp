// The roaming proxy's rewrites (host/radius/access_relay.h): toward the home server the
// password re-hidden under its secret and this server's authenticator, this server's
// Proxy-State added, a Message-Authenticator signed; back to the NAS that Proxy-State removed
// and the answer signed under the NAS's secret and request; and every answer that is not the
// home server's own, or not for this request, refused by name.
#include <gtest/gtest.h>

#include "host/radius/access_crypto.h"
#include "host/radius/access_relay.h"

namespace gm::radius {
namespace {

void put(std::vector<uint8_t>& p, uint8_t type, const std::vector<uint8_t>& v) {
  p.push_back(type);
  p.push_back(static_cast<uint8_t>(v.size() + 2));
  p.insert(p.end(), v.begin(), v.end());
}
std::vector<uint8_t> text(const std::string& s) { return {s.begin(), s.end()}; }
void finish(std::vector<uint8_t>& p) {
  p[2] = static_cast<uint8_t>(p.size() >> 8);
  p[3] = static_cast<uint8_t>(p.size());
}

const Authenticator nas_ra = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// A NAS's Access-Request under "nas-secret": bob@home.example / pw-bob, an upstream
// Proxy-State, and (unless told not to) a Message-Authenticator.
std::vector<uint8_t> nas_request(bool message_authenticator = true) {
  std::vector<uint8_t> p(20, 0);
  p[0] = 1;
  p[1] = 33;
  std::copy(nas_ra.begin(), nas_ra.end(), p.begin() + 4);
  put(p, 1, text("bob@home.example"));
  put(p, attr::user_password, hide_password("pw-bob", nas_ra, "nas-secret"));
  put(p, attr::proxy_state, text("upstream"));
  if (message_authenticator) put(p, attr::message_authenticator, std::vector<uint8_t>(16, 0));
  finish(p);
  if (message_authenticator) sign_message_authenticator(p, nullptr, "nas-secret");
  return p;
}

Outbound outbound() {
  Outbound o;
  o.identifier = 200;
  o.authenticator = {9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7, 6, 6, 6, 6};
  o.proxy_state = "gm0123456789abcdef";
  return o;
}

// The home server's Access-Accept to `sent`, under `secret`, carrying `states` back.
std::vector<uint8_t> home_accept(const Outbound& sent, const std::string& secret,
                                 const std::vector<std::string>& states) {
  std::vector<uint8_t> p(20, 0);
  p[0] = 2;
  p[1] = sent.identifier;
  put(p, attr::reply_message, text("hello bob"));
  for (const std::string& s : states) put(p, attr::proxy_state, text(s));
  put(p, attr::message_authenticator, std::vector<uint8_t>(16, 0));
  finish(p);
  sign_message_authenticator(p, &sent.authenticator, secret);
  sign_response(p, sent.authenticator, secret);
  return p;
}

TEST(AccessRelay, TowardTheHomeServerThePasswordIsItsAndTheProxyStateOurs) {
  const auto request = nas_request();
  Packet nas;
  ASSERT_EQ(parse(request.data(), request.size(), nas), Refusal::none);
  const Outbound out = outbound();
  std::vector<uint8_t> bytes;
  std::string user;
  ASSERT_EQ(toward_home(nas, "nas-secret", "home-secret", out, bytes, user), RelayRefusal::none);
  EXPECT_EQ(user, "bob@home.example");
  Packet home;
  ASSERT_EQ(parse(bytes.data(), bytes.size(), home), Refusal::none);
  EXPECT_EQ(home.code, Code::access_request);
  EXPECT_EQ(home.identifier, 200);
  EXPECT_EQ(home.authenticator, out.authenticator);
  EXPECT_EQ(check_message_authenticator(home, nullptr, "home-secret"), MessageAuthenticator::valid);
  std::string password;
  std::vector<std::string> states;
  home.each_attribute([&](const Attribute& a) {
    if (a.type == attr::user_password)
      password = reveal_password(a.value, out.authenticator, "home-secret").value_or("?");
    if (a.type == attr::proxy_state) states.emplace_back(a.value);
  });
  EXPECT_EQ(password, "pw-bob");
  EXPECT_EQ(states, (std::vector<std::string>{"upstream", out.proxy_state}));
}

TEST(AccessRelay, BackToTheNasOurProxyStateGoesAndItsSecretSigns) {
  const Outbound out = outbound();
  const auto answer = home_accept(out, "home-secret", {"upstream", out.proxy_state});
  Packet home;
  ASSERT_EQ(parse(answer.data(), answer.size(), home), Refusal::none);
  std::vector<uint8_t> bytes;
  ASSERT_EQ(toward_nas(home, "home-secret", out, "nas-secret", 33, nas_ra, bytes),
            RelayRefusal::none);
  Packet nas;
  ASSERT_EQ(parse(bytes.data(), bytes.size(), nas), Refusal::none);
  EXPECT_EQ(nas.code, Code::access_accept);
  EXPECT_EQ(nas.identifier, 33);
  EXPECT_EQ(check_message_authenticator(nas, &nas_ra, "nas-secret"), MessageAuthenticator::valid);
  std::vector<uint8_t> check = bytes;
  sign_response(check, nas_ra, "nas-secret");
  EXPECT_EQ(check, bytes);  // its Response Authenticator is the NAS's to check
  std::vector<std::string> states;
  std::string reply;
  nas.each_attribute([&](const Attribute& a) {
    if (a.type == attr::proxy_state) states.emplace_back(a.value);
    if (a.type == attr::reply_message) reply.assign(a.value);
  });
  EXPECT_EQ(states, (std::vector<std::string>{"upstream"}));
  EXPECT_EQ(reply, "hello bob");
}

TEST(AccessRelay, WhatIsNotTheHomeServersAnswerToThisRequestIsRefused) {
  const Outbound out = outbound();
  std::vector<uint8_t> bytes;
  auto refusal = [&](const std::vector<uint8_t>& answer) {
    Packet p;
    EXPECT_EQ(parse(answer.data(), answer.size(), p), Refusal::none);
    return toward_nas(p, "home-secret", out, "nas-secret", 33, nas_ra, bytes);
  };
  EXPECT_EQ(refusal(home_accept(out, "other-secret", {out.proxy_state})),
            RelayRefusal::not_authentic);
  Outbound another = out;
  another.authenticator[0] ^= 1;  // signed over another request's authenticator
  EXPECT_EQ(refusal(home_accept(another, "home-secret", {out.proxy_state})),
            RelayRefusal::not_authentic);
  EXPECT_EQ(refusal(home_accept(out, "home-secret", {"someone-else"})),
            RelayRefusal::no_proxy_state);
  auto request_code = home_accept(out, "home-secret", {out.proxy_state});
  request_code[0] = 1;
  EXPECT_EQ(refusal(request_code), RelayRefusal::not_an_answer);

  const auto bare = nas_request(false);
  Packet nas;
  ASSERT_EQ(parse(bare.data(), bare.size(), nas), Refusal::none);
  std::string user;
  EXPECT_EQ(toward_home(nas, "nas-secret", "home-secret", out, bytes, user),
            RelayRefusal::bad_message_authenticator);
  const auto signed_request = nas_request();
  ASSERT_EQ(parse(signed_request.data(), signed_request.size(), nas), Refusal::none);
  EXPECT_EQ(toward_home(nas, "wrong-secret", "home-secret", out, bytes, user),
            RelayRefusal::bad_message_authenticator);
  for (size_t r = 0; r < relay_refusal_count; ++r)
    EXPECT_STRNE(refusal_name(static_cast<RelayRefusal>(r)), "?");
}

TEST(AccessRelay, TheRealmIsWhatFollowsTheLastAtInLowerCase) {
  EXPECT_EQ(realm_of("bob@Home.Example"), "home.example");
  EXPECT_EQ(realm_of("a@b@c.example"), "c.example");
  EXPECT_EQ(realm_of("bob"), "");
  EXPECT_EQ(realm_of("bob@"), "");
}

TEST(AccessRelay, AnUnknownRealmsRejectIsSignedForTheNas) {
  const auto reject = access_reject(33, nas_ra, "nas-secret", "unknown realm");
  Packet p;
  ASSERT_EQ(parse(reject.data(), reject.size(), p), Refusal::none);
  EXPECT_EQ(p.code, Code::access_reject);
  EXPECT_EQ(check_message_authenticator(p, &nas_ra, "nas-secret"), MessageAuthenticator::valid);
  std::vector<uint8_t> check = reject;
  sign_response(check, nas_ra, "nas-secret");
  EXPECT_EQ(check, reject);
}

}  // namespace
}  // namespace gm::radius
