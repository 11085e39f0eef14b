// What an Accounting-Request says (host/radius/accounting_record.h): 64-bit counters from the
// Gigawords, the event's time from Event-Timestamp or the arrival less Acct-Delay-Time, the
// session's start, and every request that cannot be applied refused by name.
#include <gtest/gtest.h>

#include "host/radius/accounting_record.h"
#include "tests/support/radius_request.h"

namespace gm::radius {
namespace {

using test::RadiusRequest;

constexpr int64_t arrival = 1'796'032'800;

RadiusRequest base(uint32_t status) {
  RadiusRequest r(1);
  r.integer(attr::acct_status_type, status)
      .text(attr::acct_session_id, "0001A2B3")
      .text(attr::user_name, "ann@isp.example")
      .text(attr::nas_identifier, "nas-7");
  return r;
}

AccountingRefusal read(const RadiusRequest& r, AccountingRecord& out) {
  static std::vector<uint8_t> bytes;  // `out` keeps no views into it; kept for the Packet
  bytes = r.sealed("s");
  Packet p;
  EXPECT_EQ(parse(bytes.data(), bytes.size(), p), Refusal::none);
  return read_accounting(p, arrival, out);
}

TEST(AccountingRecord, GigawordsWidenTheCountersTo64Bits) {
  auto r = base(3);
  r.integer(attr::acct_input_octets, 0xffff'fff0)
      .integer(attr::acct_input_gigawords, 3)
      .integer(attr::acct_output_octets, 12)
      .integer(attr::acct_output_gigawords, 0xffff'ffff)
      .integer(attr::acct_session_time, 600);
  AccountingRecord a;
  ASSERT_EQ(read(r, a), AccountingRefusal::none);
  EXPECT_EQ(a.status, Status::interim_update);
  EXPECT_EQ(a.input_octets, 3ull * (1ull << 32) + 0xffff'fff0);
  EXPECT_EQ(a.output_octets, 0xffff'ffffull * (1ull << 32) + 12);
  EXPECT_EQ(a.session_time_s, 600u);
  EXPECT_EQ(a.session_id, "0001A2B3");
  EXPECT_EQ(a.user_name, "ann@isp.example");
  EXPECT_EQ(a.nas(), "nas-7");
}

TEST(AccountingRecord, TheEventIsStampedByTheNasOrElseTheArrivalLessTheDelay) {
  auto stamped = base(2);
  stamped.integer(attr::event_timestamp, arrival - 500)
      .integer(attr::acct_delay_time, 30)  // ignored beside a stamp
      .integer(attr::acct_session_time, 120);
  AccountingRecord a;
  ASSERT_EQ(read(stamped, a), AccountingRefusal::none);
  EXPECT_TRUE(a.has_event_timestamp);
  EXPECT_EQ(a.event_unix, arrival - 500);
  EXPECT_EQ(a.start_unix, arrival - 620);

  auto delayed = base(2);
  delayed.integer(attr::acct_delay_time, 30).integer(attr::acct_session_time, 120);
  ASSERT_EQ(read(delayed, a), AccountingRefusal::none);
  EXPECT_FALSE(a.has_event_timestamp);
  EXPECT_EQ(a.event_unix, arrival - 30);
  EXPECT_EQ(a.start_unix, arrival - 150);

  ASSERT_EQ(read(base(1), a), AccountingRefusal::none);  // a Start: no delay, no time yet
  EXPECT_EQ(a.event_unix, arrival);
  EXPECT_EQ(a.start_unix, arrival);
}

TEST(AccountingRecord, TheNasIsItsIdentifierOrElseItsAddress) {
  RadiusRequest r(1);
  r.integer(attr::acct_status_type, 7).integer(attr::nas_ip_address, 0xc0000201);
  AccountingRecord a;
  ASSERT_EQ(read(r, a), AccountingRefusal::none);
  EXPECT_EQ(a.status, Status::accounting_on);  // needs no session id
  EXPECT_EQ(a.nas(), "192.0.2.1");
  EXPECT_TRUE(a.session_id.empty());
}

TEST(AccountingRecord, WhatCannotBeAppliedIsRefusedByName) {
  AccountingRecord a;
  {
    RadiusRequest r(1);
    r.text(attr::acct_session_id, "x").text(attr::nas_identifier, "n");
    EXPECT_EQ(read(r, a), AccountingRefusal::no_status_type);
  }
  EXPECT_EQ(read(base(5), a), AccountingRefusal::unknown_status);
  for (uint32_t status : {1u, 2u, 3u}) {
    RadiusRequest r(1);
    r.integer(attr::acct_status_type, status).text(attr::nas_identifier, "n");
    EXPECT_EQ(read(r, a), AccountingRefusal::no_session_id) << status;
  }
  {
    RadiusRequest r(1);
    r.integer(attr::acct_status_type, 1).text(attr::acct_session_id, "x");
    EXPECT_EQ(read(r, a), AccountingRefusal::no_nas);
  }
  {
    auto r = base(3);
    r.text(attr::acct_input_octets, "abc");  // 3 octets
    EXPECT_EQ(read(r, a), AccountingRefusal::bad_integer);
  }
  {
    auto r = base(3);
    r.text(attr::acct_session_time, std::string_view("\0\0\0\0\0", 5));
    EXPECT_EQ(read(r, a), AccountingRefusal::bad_integer);
  }
  {
    RadiusRequest r(1);
    r.integer(attr::acct_status_type, 1)
        .text(attr::acct_session_id, std::string_view("a\0b", 3))
        .text(attr::nas_identifier, "n");
    EXPECT_EQ(read(r, a), AccountingRefusal::bad_text);
  }
  for (size_t r = 0; r < accounting_refusal_count; ++r)
    EXPECT_STRNE(refusal_name(static_cast<AccountingRefusal>(r)), "?");
}

TEST(AccountingRecord, AttributesItDoesNotNeedArePassedOver) {
  auto r = base(3);
  r.text(26, std::string_view("\0\0\x01\x37\x01\x06" "abcd", 10))  // Vendor-Specific
      .integer(attr::framed_ip_address, 0xc0000264)
      .integer(attr::acct_terminate_cause, 0);
  AccountingRecord a;
  ASSERT_EQ(read(r, a), AccountingRefusal::none);
  EXPECT_EQ(a.framed_ip, 0xc0000264u);
}

}  // namespace
}  // namespace gm::radius
