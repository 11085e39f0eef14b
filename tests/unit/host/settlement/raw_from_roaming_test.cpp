// An ended roaming session of a gatemeter agent as the settlement server's raw row
// (host/settlement/raw_from_roaming.h): the seed's fields as a RADIUS Stop carries them, the
// stop at the end of the session's usage by the agent's clock (never after the host ended it),
// its local time in the configured zone.
#include <gtest/gtest.h>

#include "host/settlement/raw_from_roaming.h"

namespace gm::settlement {
namespace {

// 1997-07-10 01:43:35 UTC is 11:43:35 in Sydney (AEST, +10:00, no DST in July).
constexpr int64_t stop = 868'499'015;

EndedRoaming session() {
  EndedRoaming e;
  e.agent_id = "gw-syd-1";
  e.session_id = 0xfedcba9876543210ull;
  e.subscriber = "Roamer7@Partner.Example";
  e.start_unix = stop - 300;
  e.connect_s = 300;
  e.end_unix = stop + 45;  // the commit that carried the STOP, 45 s later
  return e;
}

TEST(RawFromRoaming, AnEndedSessionBecomesAStopOfItsConnectionTimeFromTheAgentAsNas) {
  const RawRecord r = raw_from_roaming(session(), "gm-hotspot-aas",
                                       billing::TimeZone::load("Australia/Sydney"), 900);
  EXPECT_EQ(r.user_name, "Roamer7@Partner.Example");  // as sent: cleaning normalises
  EXPECT_EQ(r.user_domain, "partner.example");
  EXPECT_EQ(r.status_type, "Stop");
  EXPECT_EQ(r.session_id, "18364758544493064720");  // the 64-bit id, unsigned decimal
  EXPECT_EQ(r.session_time_s, 300);
  EXPECT_EQ(r.delay_time_s, 0);
  EXPECT_EQ(r.nas_id, "gw-syd-1");
  EXPECT_EQ(r.local_server, "gm-hotspot-aas");
  EXPECT_EQ(r.home_server, "");      // cleaning finds the home provider by the realm
  EXPECT_EQ(r.stop_gmt_unix, stop);  // start + connection time, not the commit's time
  EXPECT_EQ(r.stop_local, "1997-07-10 11:43:35");
  EXPECT_EQ(r.time_zone, "Australia/Sydney");
  EXPECT_EQ(r.create_unix, 900);
  EXPECT_EQ(r.entry_id, 0);
  EXPECT_EQ(r.record_status, 0);
}

TEST(RawFromRoaming, AStopNeverLiesAfterTheHostEndedTheSessionNorComesFromAnUnknownStart) {
  EndedRoaming ahead = session();
  ahead.start_unix = stop + 3600;  // the agent's clock an hour ahead
  EXPECT_EQ(raw_from_roaming(ahead, "s", billing::TimeZone::utc(), 1).stop_gmt_unix, stop + 45);
  EndedRoaming unknown = session();
  unknown.start_unix = 0;
  const RawRecord r = raw_from_roaming(unknown, "s", billing::TimeZone::utc(), 1);
  EXPECT_EQ(r.stop_gmt_unix, stop + 45);
  EXPECT_EQ(r.stop_local, "1997-07-10 01:44:20");
  EXPECT_EQ(r.time_zone, "UTC");
}

TEST(RawFromRoaming, ANameWithoutARealmKeepsNoDomainForCleaningToQuarantine) {
  EndedRoaming e = session();
  e.subscriber = "nobody";
  EXPECT_EQ(raw_from_roaming(e, "s", billing::TimeZone::utc(), 1).user_domain, "");
}

}  // namespace
}  // namespace gm::settlement
