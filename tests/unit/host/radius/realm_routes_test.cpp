// The routing mode's two messages (host/radius/realm_routes.h) and the Tunnel-Password hiding
// that carries home servers' secrets in them (RFC 2868 section 3.5, access_crypto.h).
#include <gtest/gtest.h>

#include "host/radius/access_crypto.h"
#include "host/radius/realm_routes.h"

namespace gm::host {
namespace {

const radius::Authenticator query_ra = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

TEST(TunnelPassword, AHiddenStringComesBackWithItsTagUnderTheSameSecretOnly) {
  const uint8_t salt[2] = {0x12, 0x34};
  const auto hidden = radius::hide_tunnel_password("home-secret", 3, salt, query_ra, "s");
  ASSERT_EQ(hidden.size(), 3u + 16u);  // tag, salt, one block (length octet + 11)
  EXPECT_EQ(hidden[0], 3);
  EXPECT_EQ(hidden[1], 0x92);  // the salt's high bit set, as RFC 2868 requires
  const std::string_view v(reinterpret_cast<const char*>(hidden.data()), hidden.size());
  const auto back = radius::reveal_tunnel_password(v, query_ra, "s");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, 3);
  EXPECT_EQ(back->second, "home-secret");
  EXPECT_EQ(std::string(hidden.begin(), hidden.end()).find("home-secret"), std::string::npos);
  const auto wrong = radius::reveal_tunnel_password(v, query_ra, "t");
  EXPECT_TRUE(!wrong || wrong->second != "home-secret");
  // 16 octets of string need two blocks: the length octet comes first.
  const auto two = radius::hide_tunnel_password(std::string(16, 'x'), 1, salt, query_ra, "s");
  EXPECT_EQ(two.size(), 3u + 32u);
  EXPECT_TRUE(radius::hide_tunnel_password(std::string(240, 'x'), 1, salt, query_ra, "s").empty());
}

TEST(TunnelPassword, AMalformedValueIsRefused) {
  EXPECT_FALSE(radius::reveal_tunnel_password("", query_ra, "s"));
  EXPECT_FALSE(radius::reveal_tunnel_password(std::string(3 + 15, '\x80'), query_ra, "s"));
  std::string no_salt_bit(3 + 16, '\0');
  EXPECT_FALSE(radius::reveal_tunnel_password(no_salt_bit, query_ra, "s"));
}

radius::Packet parsed(const std::vector<uint8_t>& bytes) {
  radius::Packet p;
  EXPECT_EQ(radius::parse(bytes.data(), bytes.size(), p), radius::Refusal::none);
  return p;
}

TEST(RealmRoutes, TheQueryNamesOnlyTheRealmAndIsSigned) {
  const auto q = route_query(5, query_ra, "route-secret", "home.example");
  const radius::Packet p = parsed(q);
  EXPECT_EQ(p.code, radius::Code::access_request);
  EXPECT_EQ(p.identifier, 5);
  std::string user;
  p.each_attribute([&](const radius::Attribute& a) {
    if (a.type == 1) user = std::string(a.value);
  });
  EXPECT_EQ(user, "@home.example");
  EXPECT_EQ(radius::check_message_authenticator(p, nullptr, "route-secret"),
            radius::MessageAuthenticator::valid);
}

TEST(RealmRoutes, AnAnswerCarriesTheHomeServersInFailoverOrderWithTheirSecrets) {
  const auto q = route_query(5, query_ra, "route-secret", "home.example");
  const std::vector<HomeServer> servers = {{0x7f000001, 1812, "first-secret"},
                                           {0x7f000002, 11812, "second-secret"}};
  const auto a = route_answer(parsed(q), "route-secret", servers, 300);
  std::vector<HomeServer> got;
  uint32_t keep = 0;
  ASSERT_EQ(read_route_answer(parsed(a), query_ra, "route-secret", got, keep),
            RouteAnswer::servers);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].address, 0x7f000001u);
  EXPECT_EQ(got[0].port, 1812);
  EXPECT_EQ(got[0].secret, "first-secret");
  EXPECT_EQ(got[1].address, 0x7f000002u);
  EXPECT_EQ(got[1].port, 11812);
  EXPECT_EQ(got[1].secret, "second-secret");
  EXPECT_EQ(keep, 300u);
  // No secret in clear on the wire.
  EXPECT_EQ(std::string(a.begin(), a.end()).find("first-secret"), std::string::npos);
}

TEST(RealmRoutes, AnUnknownRealmIsARejectAndAForgedOrAlteredAnswerIsRefused) {
  const auto q = route_query(5, query_ra, "route-secret", "nowhere.example");
  std::vector<HomeServer> got;
  uint32_t keep = 0;
  const auto reject = route_answer(parsed(q), "route-secret", {}, 300);
  EXPECT_EQ(read_route_answer(parsed(reject), query_ra, "route-secret", got, keep),
            RouteAnswer::unknown_realm);
  const auto a = route_answer(parsed(q), "route-secret", {{0x7f000001, 1812, "x"}}, 300);
  EXPECT_EQ(read_route_answer(parsed(a), query_ra, "other-secret", got, keep),
            RouteAnswer::not_authentic);
  auto altered = a;
  altered[radius::header_size + 5] ^= 1;  // inside the first endpoint's text
  EXPECT_EQ(read_route_answer(parsed(altered), query_ra, "route-secret", got, keep),
            RouteAnswer::not_authentic);
  const radius::Authenticator other_ra{};
  EXPECT_EQ(read_route_answer(parsed(a), other_ra, "route-secret", got, keep),
            RouteAnswer::not_authentic);  // an answer to another query
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace gm::host
