#include "host/billing/catalog_text.h"

#include <gtest/gtest.h>

#include "tests/unit/host/billing/expect_billing_error.h"

using namespace gm::host;
using gm::billing::expect_billing_error;

namespace {

constexpr int64_t now = 1'767'225'600;  // 2026-01-01T00:00:00Z

TEST(CatalogText, RateStartsAreUnixSecondsUtcTextOrFromNow) {
  EXPECT_EQ(parse_when("1767225600", now), now);
  EXPECT_EQ(parse_when("2026-01-01T00:00:00Z", now), now);
  EXPECT_EQ(parse_when("2028-02-29T23:59:59Z", now), 1'835'481'599);  // a leap day
  EXPECT_EQ(parse_when("now", now), now);
  EXPECT_EQ(parse_when("now+3600", now), now + 3600);
  for (const char* bad :
       {"", "-5", "now-60", "now+", "now+1h", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00",
        "2026-1-01T00:00:00Z", "+1767225600", "99999999999999999999"})
    expect_billing_error([&] { parse_when(bad, now); }, "expected unix seconds");
  for (const char* impossible :
       {"2027-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z", "1969-12-31T23:59:59Z"})
    expect_billing_error([&] { parse_when(impossible, now); }, "is not a time that exists");
}

TEST(CatalogText, EnumNamesRoundTripAndErrorsListTheValidOnes) {
  for (AccountKind k : all_account_kinds) EXPECT_EQ(parse_account_kind(name(k)), k);
  for (AtZero a : all_at_zero) EXPECT_EQ(parse_at_zero(name(a)), a);
  expect_billing_error([] { parse_at_zero("walled_garden"); },
                       "\"walled_garden\" (one of end, walled-garden)");
  EXPECT_EQ(parse_outage_policy("retry_and_terminate"),
            gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  EXPECT_EQ(parse_outage_policy("retry-and-terminate"),
            gatemeter_OutagePolicy_OUTAGE_RETRY_AND_TERMINATE);
  EXPECT_EQ(parse_outage_policy("terminate"), gatemeter_OutagePolicy_OUTAGE_TERMINATE);
  expect_billing_error([] { parse_outage_policy("Terminate"); },
                       "(one of terminate, continue, retry_and_terminate)");
  EXPECT_EQ(parse_offer_option("time-pass"), gatemeter_BillingOption_BILLING_TIME_PASS);
  EXPECT_EQ(parse_offer_option("roaming"), gatemeter_BillingOption_BILLING_ROAMING);
  // An offer always says how to pay.
  expect_billing_error([] { parse_offer_option("unspecified"); },
                       "(one of prepaid, postpaid, time_pass, free, roaming)");
  EXPECT_EQ(parse_service_type_or_any("*"), std::nullopt);
  EXPECT_EQ(parse_band_or_any("weekend"), gm::billing::Band::weekend);
  expect_billing_error([] { parse_band_or_any("night"); }, "offpeak, weekend), or * for any");
}

TEST(CatalogText, ApprovalUrlsAreHttpWithHostAndPort) {
  for (const char* good : {"http://127.0.0.1:8088/approve", "http://approve.example:80",
                           "http://a-b.example:65535/x?y=1"})
    EXPECT_NO_THROW(check_approval_url(good)) << good;
  const std::pair<const char*, const char*> bad[] = {
      {"https://a:1/", "does not start with http://"},
      {"http://a/x", "has no port"},
      {"http://:80/x", "has no host"},
      {"http://a:0/", "no port from 1 to 65535"},
      {"http://a:65536/", "no port from 1 to 65535"},
      {"http://a:8o/", "no port from 1 to 65535"},
      {"http://a_b:80/", "has a host with '_' in it"},
      {"http://a:80/x y", "has a space"},
  };
  for (const auto& [url, why] : bad) expect_billing_error([&] { check_approval_url(url); }, why);
  expect_billing_error([] { check_approval_url("http://a:1/" + std::string(250, 'p')); },
                       "longer than 255");
}

TEST(CatalogText, RateRowsKeepNamesAndStarForAny) {
  gm::billing::Rate r;
  r.plan = "gold";
  r.band = gm::billing::Band::peak;
  r.unit = gm::billing::RateUnit::megabyte;
  r.price = 5000;
  r.increment = 1000;
  r.minimum = 100;
  r.effective_from_unix = now;
  const RateRow row = rate_row(r, now - 5);
  EXPECT_EQ(row.plan, "gold");
  EXPECT_EQ(row.service_type, "*");
  EXPECT_EQ(row.band, "peak");
  EXPECT_EQ(row.zone, "*");
  EXPECT_EQ(row.provider, "*");
  EXPECT_EQ(row.unit, "megabyte");
  EXPECT_EQ(row.price_micros, 5000);
  EXPECT_EQ(row.increment, 1000);
  EXPECT_EQ(row.minimum_micros, 100);
  EXPECT_EQ(row.effective_from_unix, now);
  EXPECT_EQ(row.created_unix, now - 5);
}

}  // namespace
