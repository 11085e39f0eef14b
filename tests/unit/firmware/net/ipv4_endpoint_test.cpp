#include "firmware/net/ipv4_endpoint.h"

#include <gtest/gtest.h>

using gm::net::Ipv4Endpoint;
using gm::net::parse_ipv4_endpoint;
using gm::net::parse_ipv4_endpoint_list;

TEST(Ipv4Endpoint, ReadsADottedQuadAndAPort) {
  Ipv4Endpoint e;
  ASSERT_TRUE(parse_ipv4_endpoint("192.0.2.10:7000", e));
  EXPECT_EQ(e.address[0], 192);
  EXPECT_EQ(e.address[1], 0);
  EXPECT_EQ(e.address[2], 2);
  EXPECT_EQ(e.address[3], 10);
  EXPECT_EQ(e.port, 7000);
  ASSERT_TRUE(parse_ipv4_endpoint("0.0.0.0:65535", e));
  EXPECT_EQ(e.port, 65535);
}

TEST(Ipv4Endpoint, RefusesWhatInetPtonWouldAndHostNames) {
  Ipv4Endpoint e;
  for (const char* bad : {"", ":", "1.2.3.4", "1.2.3.4:", "1.2.3:4", "1.2.3.4.5:6", "1.2.3.256:1",
                          "01.2.3.4:1", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:7x", "1.2.3.4:+7",
                          " 1.2.3.4:7", "1.2.3.4:7 ", "host:7", "1..3.4:7", "1.2.3.4:007"}) {
    EXPECT_FALSE(parse_ipv4_endpoint(bad, e)) << '"' << bad << '"';
  }
  EXPECT_FALSE(parse_ipv4_endpoint(nullptr, e));
}

TEST(Ipv4Endpoint, AListIsAllGoodOrNamesTheFirstBadEntryAndLeavesTheOutputAlone) {
  Ipv4Endpoint out[2];
  const char* good[] = {"127.0.0.1:1", "127.0.0.2:2"};
  ASSERT_TRUE(parse_ipv4_endpoint_list(good, 2, out, 2, nullptr));
  EXPECT_EQ(out[1].port, 2);
  const char* bad[] = {"10.0.0.1:9", "nope"};
  size_t where = 99;
  EXPECT_FALSE(parse_ipv4_endpoint_list(bad, 2, out, 2, &where));
  EXPECT_EQ(where, 1u);
  EXPECT_EQ(out[0].port, 1);  // untouched
  EXPECT_FALSE(parse_ipv4_endpoint_list(good, 3, out, 2, &where));
  EXPECT_EQ(where, 3u);
  EXPECT_FALSE(parse_ipv4_endpoint_list(good, 0, out, 2, &where));
  EXPECT_EQ(where, 0u);
}
