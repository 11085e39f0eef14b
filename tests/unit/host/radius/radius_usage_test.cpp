// What an accounting record makes of a session in the usage ledger (host/radius/radius_usage.h):
// seq rising with the session's time so newest wins, a Stop above an Interim-Update above a
// Start of the same second, the client's realm for bare user names, causes mapped.
#include <gtest/gtest.h>

#include "gatemeter.pb.h"
#include "host/radius/radius_usage.h"

namespace gm::radius {
namespace {

AccountingRecord record(Status s, uint32_t time, const std::string& user = "ann") {
  AccountingRecord a;
  a.status = s;
  a.session_id = "x";
  a.user_name = user;
  a.nas_identifier = "nas";
  a.session_time_s = time;
  a.input_octets = 5'000'000'000ull;
  a.output_octets = 7;
  a.event_unix = 1'000 + time;
  a.start_unix = 1'000;
  return a;
}

host::VerifiedRecord usage(const AccountingRecord& a) {
  host::VerifiedRecord v;
  EXPECT_EQ(to_usage(a, 9, 77, "isp.example", v), UsageRefusal::none);
  return v;
}

TEST(RadiusUsage, TheSessionsTimeOrdersItsRecordsAndAStopOutranksTheSameSecond) {
  const uint32_t start = usage(record(Status::start, 0)).record.seq;
  const uint32_t interim = usage(record(Status::interim_update, 0)).record.seq;
  const uint32_t stop0 = usage(record(Status::stop, 0)).record.seq;
  const uint32_t later = usage(record(Status::interim_update, 1)).record.seq;
  EXPECT_GT(start, 0u);
  EXPECT_LT(start, interim);
  EXPECT_LT(interim, stop0);
  EXPECT_LT(stop0, later);
  EXPECT_LT(usage(record(Status::interim_update, 599)).record.seq,
            usage(record(Status::interim_update, 600)).record.seq);
}

TEST(RadiusUsage, TotalsKindsAndTheSubscriberAreThoseOfTheRecord) {
  const host::VerifiedRecord v = usage(record(Status::interim_update, 90));
  EXPECT_EQ(v.agent, 9);
  EXPECT_EQ(v.record.session_id, 77u);
  EXPECT_EQ(v.record.start_unix, 1'000u);
  EXPECT_EQ(v.record.totals.charged_s, 90u);
  EXPECT_EQ(v.record.totals.free_s, 0u);
  EXPECT_EQ(v.record.totals.octets_in, 5'000'000'000ull);
  EXPECT_EQ(v.record.totals.octets_out, 7u);
  EXPECT_EQ(v.record.kind, gatemeter_RecordKind_RECORD_INTERIM);
  EXPECT_STREQ(v.record.subscriber, "ann@isp.example");
  EXPECT_EQ(v.agent_unix, 1'090);
  EXPECT_STREQ(usage(record(Status::start, 0, "bob@other.example")).record.subscriber,
               "bob@other.example");  // a realm of its own is kept
  EXPECT_EQ(usage(record(Status::start, 0)).record.kind, gatemeter_RecordKind_RECORD_START);
}

TEST(RadiusUsage, AStopCarriesItsCause) {
  AccountingRecord a = record(Status::stop, 10);
  a.terminate_cause = 2;  // Lost-Carrier
  EXPECT_EQ(usage(a).record.kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(usage(a).record.cause, gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(stop_cause_of(1), gatemeter_StopCause_STOP_USER_REQUEST);
  EXPECT_EQ(stop_cause_of(4), gatemeter_StopCause_STOP_IDLE_TIMEOUT);
  EXPECT_EQ(stop_cause_of(5), gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(stop_cause_of(11), gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(stop_cause_of(999), gatemeter_StopCause_STOP_CAUSE_NONE);
}

TEST(RadiusUsage, WhatTheLedgerCannotHoldIsRefusedByName) {
  host::VerifiedRecord v;
  EXPECT_EQ(to_usage(record(Status::start, 0, ""), 1, 1, "isp.example", v), UsageRefusal::no_user);
  EXPECT_EQ(to_usage(record(Status::start, 0, std::string(200, 'a')), 1, 1, "isp.example", v),
            UsageRefusal::too_long);
  EXPECT_EQ(to_usage(record(Status::interim_update, UINT32_MAX / 4 + 1), 1, 1, "isp.example", v),
            UsageRefusal::too_long);
  for (size_t r = 0; r < usage_refusal_count; ++r)
    EXPECT_STRNE(refusal_name(static_cast<UsageRefusal>(r)), "?");
}

}  // namespace
}  // namespace gm::radius
