// The RADIUS clients file (host/radius/radius_clients.h): address, secret and realm per line,
// comments and blank lines passed over; every bad line named by file and line, a file others
// can read refused, and no secret ever in a message.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "host/radius/access_proxy.h"
#include "host/radius/radius_clients.h"

namespace gm::radius {
namespace {

std::string write(const std::string& text, mode_t mode = 0600) {
  static int n = 0;
  const std::string path = testing::TempDir() + "clients-" + std::to_string(::getpid()) + "-" +
                           std::to_string(++n);
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

uint32_t ip(const char* text) {
  in_addr a{};
  inet_pton(AF_INET, text, &a);
  return ntohl(a.s_addr);
}

std::string error_of(const std::string& text, mode_t mode = 0600) {
  try {
    RadiusClients::load(write(text, mode));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(RadiusClients, EachLineIsAnAddressASecretAndARealm) {
  const auto c = RadiusClients::load(write(
      "# NASes\n\n127.0.0.1  testing123  isp.example\n192.0.2.7 other   # a comment\n"));
  EXPECT_EQ(c.size(), 2u);
  ASSERT_NE(c.find(ip("127.0.0.1")), nullptr);
  EXPECT_EQ(c.find(ip("127.0.0.1"))->secret, "testing123");
  EXPECT_EQ(c.find(ip("127.0.0.1"))->realm, "isp.example");
  EXPECT_EQ(c.find(ip("192.0.2.7"))->realm, "");
  EXPECT_EQ(c.find(ip("192.0.2.8")), nullptr);
}

TEST(RadiusClients, ABadLineIsNamedByFileAndLineWithoutItsSecret) {
  const std::string no_secret = error_of("127.0.0.1 s1\n10.0.0.1\n");
  EXPECT_NE(no_secret.find(":2: "), std::string::npos) << no_secret;
  EXPECT_NE(no_secret.find("no secret"), std::string::npos) << no_secret;
  const std::string bad_ip = error_of("10.0.0.300 hidden-secret\n");
  EXPECT_NE(bad_ip.find(":1: '10.0.0.300' is not an IPv4 address"), std::string::npos) << bad_ip;
  EXPECT_EQ(bad_ip.find("hidden-secret"), std::string::npos) << bad_ip;
  EXPECT_NE(error_of("10.0.0.1 a\n10.0.0.1 b\n").find(":2: 10.0.0.1 is listed twice"),
            std::string::npos);
  EXPECT_NE(error_of("10.0.0.1 a realm extra\n").find(":1: expected"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.1 a\n", 0644).find("mode 0644"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.1 a\n", 0640).find("chmod 600"), std::string::npos);
  try {
    RadiusClients::load("/nonexistent/clients");
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot read /nonexistent/clients"), std::string::npos);
  }
}

TEST(RadiusRealms, EachRealmsHomeServersInFailoverOrderAndBadLinesNamed) {
  const auto realms = host::load_home_servers(write(
      "# realm  home server      secret\nHome.Example 127.0.0.1:1812 s1\nhome.example "
      "192.0.2.9:11812 s2\nother.example 192.0.2.10:1812 s3\n"));
  ASSERT_EQ(realms.size(), 2u);
  const auto& home = realms.at("home.example");  // realms compare in lower case
  ASSERT_EQ(home.size(), 2u);
  EXPECT_EQ(home[0].address, ip("127.0.0.1"));
  EXPECT_EQ(home[0].port, 1812);
  EXPECT_EQ(home[0].secret, "s1");
  EXPECT_EQ(home[1].port, 11812);
  auto error = [](const std::string& text, mode_t mode = 0600) {
    try {
      host::load_home_servers(write(text, mode));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("a.example 127.0.0.1 s\n").find(":1: '127.0.0.1' is not an IPv4 address:port"),
            std::string::npos);
  EXPECT_NE(error("a.example 127.0.0.1:0 s\n").find("'0' is not a port"), std::string::npos);
  EXPECT_NE(error("a.example 127.0.0.1:99999 s\n").find("is not a port"), std::string::npos);
  EXPECT_NE(error("a.example 127.0.0.1:1812\n").find(":1: expected"), std::string::npos);
  EXPECT_NE(error("a.example 127.0.0.1:1812 s\n", 0644).find("radius_realms: "), std::string::npos);
  EXPECT_EQ(error("a.example 127.0.0.1:1812 hidden\nbad\n").find("hidden"), std::string::npos);
}

}  // namespace
}  // namespace gm::radius
