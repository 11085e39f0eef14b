// The remote approval's HTTP side (approval_client.h): the inquiry's JSON, reading replies, and
// real POSTs against the stand-in on 127.0.0.1 (approve, reject, a delay past the timeout, no
// server at all).
#include "host/billing/approval_client.h"

#include <gtest/gtest.h>

#include "tests/support/approval_standin.h"

namespace gm::billing {
namespace {

using Kind = ApprovalReply::Kind;

TEST(ApprovalClientTest, TheInquiryIsEscapedJson) {
  const std::string json =
      inquiry_json({"00000000000000ff", "gw-1", "ann \"a\"@isp.example", "prepaid", "acct\\1"});
  EXPECT_EQ(
      json,
      R"({"session":"00000000000000ff","agent":"gw-1","subscriber":"ann \"a\"@isp.example","option":"prepaid","account":"acct\\1"})");
  EXPECT_EQ(json_string_field(json, "subscriber"), "ann \"a\"@isp.example");
  EXPECT_EQ(json_string_field(json, "account"), "acct\\1");
  EXPECT_EQ(json_string_field(json, "missing"), "");
}

TEST(ApprovalClientTest, RepliesSayApproveRejectOrNothing) {
  EXPECT_EQ(parse_approval_reply(R"({"decision":"approve"})").kind, Kind::approve);
  EXPECT_EQ(parse_approval_reply(R"({ "decision" : "approve" })").kind, Kind::approve);
  const ApprovalReply r = parse_approval_reply(R"({"reason":"over limit","decision":"reject"})");
  EXPECT_EQ(r.kind, Kind::reject);
  EXPECT_EQ(r.reason, "over limit");
  EXPECT_EQ(parse_approval_reply(R"({"decision":"maybe"})").kind, Kind::no_answer);
  EXPECT_EQ(parse_approval_reply(R"({"note":"decision"})").kind, Kind::no_answer);
  EXPECT_EQ(parse_approval_reply("").kind, Kind::no_answer);
  EXPECT_EQ(parse_approval_reply(R"({"decision":"appro)").kind, Kind::no_answer);
}

TEST(ApprovalClientTest, APostToTheStandinIsAnsweredAndItsBodyArrives) {
  test::ApprovalStandin standin({"dave@", 0});
  standin.start();
  const std::string body = inquiry_json({"1", "gw-1", "ann@isp.example", "prepaid", "acct-1"});
  EXPECT_EQ(post_inquiry(standin.url(), body, std::chrono::milliseconds(2000)).kind, Kind::approve);
  const ApprovalReply r =
      post_inquiry(standin.url(), inquiry_json({"2", "gw-1", "dave@isp.example", "prepaid", ""}),
                   std::chrono::milliseconds(2000));
  EXPECT_EQ(r.kind, Kind::reject);
  EXPECT_EQ(r.reason, "refused by the stand-in");
  ASSERT_EQ(standin.bodies().size(), 2u);
  EXPECT_EQ(standin.bodies()[0], body);
}

TEST(ApprovalClientTest, NoServerOrASlowOneIsNoAnswer) {
  test::ApprovalStandin slow({"", 1500});
  slow.start();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(post_inquiry(slow.url(), "{}", std::chrono::milliseconds(200)).kind, Kind::no_answer);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1400))
      << "the timeout, not the server, ended it";
  const uint16_t gone = slow.port();
  slow.stop();
  // Nothing listens there any more (the stand-in's acceptor is closed with its io).
  EXPECT_EQ(post_inquiry("http://127.0.0.1:1/approve", "{}", std::chrono::milliseconds(500)).kind,
            Kind::no_answer);
  EXPECT_EQ(post_inquiry("https://127.0.0.1:" + std::to_string(gone) + "/", "{}",
                         std::chrono::milliseconds(500))
                .kind,
            Kind::no_answer)
      << "https is not spoken";
}

}  // namespace
}  // namespace gm::billing
