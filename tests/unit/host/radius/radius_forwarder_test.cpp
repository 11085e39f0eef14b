// What the routing server sends the central server (host/radius/radius_forwarder.h): the
// NAS's attributes unchanged but for Acct-Delay-Time, raised by the time the request waited
// (added if the NAS sent none), under its own Identifier and the central's secret.
#include <gtest/gtest.h>

#include "host/radius/accounting_record.h"
#include "host/radius/radius_forwarder.h"
#include "tests/support/radius_request.h"

namespace gm::host {
namespace {

namespace attr = radius::attr;

radius::AccountingRecord read(const std::vector<uint8_t>& bytes, const std::string& secret) {
  radius::Packet p;
  EXPECT_EQ(radius::parse(bytes.data(), bytes.size(), p), radius::Refusal::none);
  EXPECT_TRUE(radius::request_authentic(p, secret));
  radius::AccountingRecord r;
  EXPECT_EQ(radius::read_accounting(p, 10'000, r), radius::AccountingRefusal::none);
  return r;
}

TEST(RadiusForwarder, TheDelayGrowsByTheWaitAndTheCentralsSecretSignsIt) {
  const auto nas = test::RadiusRequest(9)
                       .integer(attr::acct_status_type, 3)
                       .text(attr::acct_session_id, "s1")
                       .text(attr::user_name, "ann")
                       .text(attr::nas_identifier, "nas-1")
                       .integer(attr::acct_delay_time, 4)
                       .integer(attr::acct_session_time, 60)
                       .integer(attr::acct_input_octets, 1234)
                       .sealed("nas-secret");
  const auto out = forwarded_request(nas, 200, 30, "central-secret");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0], 4);    // still an Accounting-Request
  EXPECT_EQ(out[1], 200);  // its own Identifier
  const radius::AccountingRecord sent = read(nas, "nas-secret");
  const radius::AccountingRecord forwarded = read(out, "central-secret");
  EXPECT_EQ(forwarded.event_unix, sent.event_unix - 30);  // dated as the NAS dated it
  EXPECT_EQ(forwarded.session_id, "s1");
  EXPECT_EQ(forwarded.user_name, "ann");
  EXPECT_EQ(forwarded.nas(), "nas-1");
  EXPECT_EQ(forwarded.session_time_s, 60u);
  EXPECT_EQ(forwarded.input_octets, 1234u);
  radius::Packet p;
  radius::parse(out.data(), out.size(), p);
  EXPECT_FALSE(radius::request_authentic(p, "nas-secret"));
}

TEST(RadiusForwarder, ADelayIsAddedWhereTheNasSentNoneAndGarbageIsNotForwarded) {
  const auto nas = test::RadiusRequest(1)
                       .integer(attr::acct_status_type, 1)
                       .text(attr::acct_session_id, "s2")
                       .text(attr::user_name, "bob")
                       .text(attr::nas_identifier, "nas-1")
                       .sealed("x");
  const auto out = forwarded_request(nas, 7, 12, "central");
  EXPECT_EQ(read(out, "central").event_unix, 10'000 - 12);
  EXPECT_TRUE(forwarded_request({1, 2, 3}, 7, 0, "central").empty());
}

TEST(RadiusForwarder, TheQueuedRequestNamesItsLocalProviderUnlessItNamesOneItself) {
  const auto nas = test::RadiusRequest(1)
                       .integer(attr::acct_status_type, 2)
                       .text(attr::acct_session_id, "s3")
                       .text(attr::user_name, "user1@aimnet.com")
                       .text(attr::nas_identifier, "syd-nas-1")
                       .sealed("x");
  const auto named = with_operator_name(nas, "connect.com.au");
  const auto out = forwarded_request(named, 9, 0, "central");
  EXPECT_EQ(read(out, "central").operator_name, "1connect.com.au");  // RFC 5580 namespace 1
  EXPECT_EQ(read(out, "central").user_name, "user1@aimnet.com");
  // One Operator-Name only: the NAS's own wins, and the queue's copy is not named twice.
  EXPECT_EQ(with_operator_name(named, "other.example"), named);
  const auto own = test::RadiusRequest(1)
                       .integer(attr::acct_status_type, 2)
                       .text(attr::acct_session_id, "s4")
                       .text(attr::user_name, "u")
                       .text(attr::nas_identifier, "n")
                       .text(attr::operator_name, "1visited.example")
                       .sealed("x");
  EXPECT_EQ(with_operator_name(own, "connect.com.au"), own);
  EXPECT_EQ(with_operator_name(nas, ""), nas);  // a client with no realm: nothing to say
}

}  // namespace
}  // namespace gm::host
