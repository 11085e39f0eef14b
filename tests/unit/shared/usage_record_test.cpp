#include "shared/record/usage_record.h"

#include <gtest/gtest.h>

#include <cstring>

using namespace gm;

namespace {
UsageRecord sample() {
  UsageRecord r;
  r.session_id = 77;
  r.seq = 3;
  r.kind = gatemeter_RecordKind_RECORD_STOP;
  r.cause = gatemeter_StopCause_STOP_IDLE_TIMEOUT;
  r.billing = gatemeter_BillingOption_BILLING_POSTPAID;
  r.totals = {120, 30, 5000, 700};
  r.start_unix = 1'790'000'000;
  copy_text(r.subscriber, sizeof r.subscriber, "carol@roam.example");
  copy_text(r.service, sizeof r.service, "wifi");
  return r;
}
}  // namespace

TEST(UsageRecord, RoundTripsThroughTheWireForm) {
  const UsageRecord r = sample();
  gatemeter_UsageRecord w;
  to_wire(r, w);
  UsageRecord back;
  ASSERT_TRUE(from_wire(w, back));
  EXPECT_EQ(back.session_id, r.session_id);
  EXPECT_EQ(back.seq, r.seq);
  EXPECT_EQ(back.kind, r.kind);
  EXPECT_EQ(back.cause, r.cause);
  EXPECT_EQ(back.billing, r.billing);
  EXPECT_EQ(back.totals, r.totals);
  EXPECT_EQ(back.start_unix, r.start_unix);
  EXPECT_STREQ(back.subscriber, "carol@roam.example");
  EXPECT_STREQ(back.service, "wifi");
  EXPECT_FALSE(back.billing_outage);
}

TEST(UsageRecord, BillingOutageTravelsBothWays) {
  UsageRecord r = sample();
  r.billing_outage = true;
  gatemeter_UsageRecord w;
  to_wire(r, w);
  EXPECT_TRUE(w.billing_outage);
  UsageRecord back;
  ASSERT_TRUE(from_wire(w, back));
  EXPECT_TRUE(back.billing_outage);
  w.billing_outage = false;
  ASSERT_TRUE(from_wire(w, back));
  EXPECT_FALSE(back.billing_outage);
}

TEST(UsageRecord, FromWireRefusesRecordsACensusMustNotApply) {
  gatemeter_UsageRecord w;
  to_wire(sample(), w);
  UsageRecord out;
  auto bad = w;
  bad.session_id = 0;
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  bad.seq = 0;
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  // As nanopb would store an unknown enum value off the wire.
  const std::underlying_type_t<gatemeter_RecordKind> nine = 9;
  std::memcpy(&bad.kind, &nine, sizeof nine);
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  std::memcpy(&bad.billing, &nine, sizeof bad.billing);
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  // The first cause past the proto's last (the generated count, so a new cause moves it).
  const std::underlying_type_t<gatemeter_StopCause> past = _gatemeter_StopCause_ARRAYSIZE;
  std::memcpy(&bad.stop_cause, &past, sizeof bad.stop_cause);
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  std::strcpy(bad.subscriber, "no-realm");
  EXPECT_FALSE(from_wire(bad, out));
  // Only what an agent sends: printable ASCII (valid_identity), so both stores keep the same.
  for (const char* subscriber : {"ann smith@isp", "ann@isp\x7f", "j\xc3\xb6rg@isp", "ann@\xff"}) {
    bad = w;
    std::strcpy(bad.subscriber, subscriber);
    EXPECT_FALSE(from_wire(bad, out)) << subscriber;
  }
  bad = w;
  std::strcpy(bad.service, "caf\xc3\xa9");
  EXPECT_FALSE(from_wire(bad, out));
  bad = w;
  std::strcpy(bad.service, "gold plus");  // a space is fine in a service name
  EXPECT_TRUE(from_wire(bad, out));
}

TEST(UsageRecord, CopyTextTruncatesAndAlwaysTerminates) {
  char small[5];
  copy_text(small, sizeof small, "abcdefgh");
  EXPECT_STREQ(small, "abcd");
  copy_text(small, sizeof small, "");
  EXPECT_STREQ(small, "");
}
