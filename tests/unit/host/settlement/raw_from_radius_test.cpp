// A RADIUS Accounting-Request as the settlement server's raw row (host/settlement/
// raw_from_radius.h): the seed's fields from what the NAS said, the stop's local time in the
// sending server's zone (tzdata), nothing judged yet.
#include <gtest/gtest.h>

#include "host/radius/accounting_record.h"
#include "host/settlement/raw_from_radius.h"
#include "tests/support/radius_request.h"

namespace gm::settlement {
namespace {

radius::AccountingRecord read(const std::vector<uint8_t>& bytes, int64_t arrival) {
  radius::Packet p;
  EXPECT_EQ(radius::parse(bytes.data(), bytes.size(), p), radius::Refusal::none);
  radius::AccountingRecord a;
  EXPECT_EQ(radius::read_accounting(p, arrival, a), radius::AccountingRefusal::none);
  return a;
}

TEST(RawFromRadius, AStopBecomesTheSeedsFieldsWithItsLocalTimeInTheServersZone) {
  // 1997-07-10 01:43:35 UTC is 11:43:35 in Sydney (AEST, +10:00, no DST in July).
  const int64_t stop = 868'499'015;
  const auto bytes = test::RadiusRequest(7)
                         .text(radius::attr::user_name, "user1@Aimnet.com")
                         .integer(radius::attr::acct_status_type, 2)
                         .text(radius::attr::acct_session_id, "0042")
                         .integer(radius::attr::acct_session_time, 300)
                         .integer(radius::attr::acct_delay_time, 5)
                         .text(radius::attr::nas_identifier, "syd-nas-1")
                         .sealed("s");
  const RawRecord r = raw_from_accounting(read(bytes, stop + 5), "connect-aas-1",
                                          billing::TimeZone::load("Australia/Sydney"), 900);
  EXPECT_EQ(r.user_name, "user1@Aimnet.com");  // as sent: cleaning normalises
  EXPECT_EQ(r.user_domain, "aimnet.com");
  EXPECT_EQ(r.status_type, "Stop");
  EXPECT_EQ(r.session_id, "0042");
  EXPECT_EQ(r.session_time_s, 300);
  EXPECT_EQ(r.delay_time_s, 5);
  EXPECT_EQ(r.nas_id, "syd-nas-1");
  EXPECT_EQ(r.local_server, "connect-aas-1");
  EXPECT_EQ(r.home_server, "");
  EXPECT_EQ(r.stop_gmt_unix, stop);  // the arrival less Acct-Delay-Time
  EXPECT_EQ(r.stop_local, "1997-07-10 11:43:35");
  EXPECT_EQ(r.time_zone, "Australia/Sydney");
  EXPECT_EQ(r.create_unix, 900);
  EXPECT_EQ(r.record_status, 0);
}

TEST(RawFromRadius, EveryStatusIsKeptUnderItsDictionaryName) {
  const std::pair<uint32_t, const char*> kinds[] = {
      {1, "Start"}, {2, "Stop"}, {3, "Interim-Update"}, {7, "Accounting-On"},
      {8, "Accounting-Off"}};
  for (const auto& [code, name] : kinds) {
    auto req = test::RadiusRequest(1).integer(radius::attr::acct_status_type, code);
    if (code < 7) req.text(radius::attr::acct_session_id, "s").text(radius::attr::user_name, "u");
    const auto bytes = req.text(radius::attr::nas_identifier, "n").sealed("s");
    EXPECT_EQ(raw_from_accounting(read(bytes, 1'000'000'000), "aas", billing::TimeZone::utc(), 1)
                  .status_type,
              name);
  }
}

}  // namespace
}  // namespace gm::settlement
