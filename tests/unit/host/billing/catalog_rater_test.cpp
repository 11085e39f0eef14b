// The census's rater over a real store (catalog_cache.h, commit_rating.h): rates chosen by the
// account's plan, the service's type, the band in the account's time zone, the gateway's zone
// and the realm's provider; per-minute increments; a band change closing a line; a rate added
// later pricing only usage from its start; unpriceable usage left unrated and counted. Every
// amount expected is worked out by hand in the test.
#include <gtest/gtest.h>

#include "host/billing/bill.h"
#include "host/billing/billing_error.h"
#include "host/billing/commit_rating.h"
#include "tests/support/test_database.h"

namespace gm::billing {
namespace {

using host::AccountRow;
using host::CensusCommit;
using host::CommitDebits;
using host::RateRow;
using host::VerifiedRecord;

// Monday 2026-11-30 10:00 UTC = 11:00 in Berlin (peak); 20:30 UTC = 21:30 Berlin (offpeak).
constexpr int64_t monday_peak = 1'796'032'800;
constexpr int64_t monday_evening = monday_peak + 37'800;

class CatalogRaterTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = gm::test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = host::open_store(db_->spec());
    ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
    agent_ = store_->find_agent("gw-1")->id;
    host::NewLogin l;
    l.agent = agent_;
    l.id = 77;
    l.sealed_tag_key = {9};
    l.now_unix = 100;
    l.expires_unix = INT64_MAX / 2;
    store_->open_login_session(l);
    AccountRow a;
    a.name = "acct-1";
    a.plan = "gold";
    a.time_zone = "Europe/Berlin";
    a.balance_micros = 100'000'000;
    a.created_unix = 100;
    account_ = store_->account_book().add_account(a);
    store_->catalog().set_service({"browse", "web"});
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  void add_rate(const std::string& band, const std::string& unit, int64_t price,
                int64_t increment, int64_t from = 0, const std::string& plan = "gold",
                const std::string& service_type = "web", int64_t minimum = 0,
                const std::string& zone = "*", const std::string& provider = "*") {
    RateRow r;
    r.plan = plan;
    r.service_type = service_type;
    r.band = band;
    r.zone = zone;
    r.provider = provider;
    r.unit = unit;
    r.price_micros = price;
    r.increment = increment;
    r.minimum_micros = minimum;
    r.effective_from_unix = from;
    store_->catalog().add_rate(r);
  }
  void link(uint64_t session, const std::string& subscriber = "ann@isp.example") {
    host::SessionLink l;
    l.agent = agent_;
    l.session_id = session;
    l.login_session = 77;
    l.account = account_;
    l.subscriber = subscriber;
    l.service = "browse";
    l.start_unix = monday_peak - 3'600;
    store_->authorisations().link_session(l, 100);
  }
  VerifiedRecord record(uint64_t session, uint32_t seq, uint32_t charged, uint64_t octets,
                        int64_t at, const char* service = "browse",
                        const char* subscriber = "ann@isp.example") {
    VerifiedRecord v;
    v.agent = agent_;
    v.login_session = 77;
    v.agent_unix = at;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = gatemeter_RecordKind_RECORD_INTERIM;
    v.record.totals = {charged, 7, octets, 0};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, subscriber);
    copy_text(v.record.service, sizeof v.record.service, service);
    v.record.start_unix = static_cast<uint64_t>(monday_peak - 3'600);
    return v;
  }
  // Commits `records` in one datagram at `now`, rated through a freshly refreshed catalog.
  CommitDebits commit(std::vector<VerifiedRecord> records, int64_t now) {
    cache_.refresh(*store_);
    CensusCommit c;
    c.datagrams.push_back({agent_, 77, ++frame_});
    for (VerifiedRecord& v : records) c.records.push_back(v);
    CommitDebits d;
    c.rater = &rater_;
    c.debits = &d;
    store_->commit_datagrams(c, now);
    return d;
  }
  int64_t spent() {
    return 100'000'000 - store_->account_book().find_account("acct-1")->balance_micros;
  }

  std::unique_ptr<gm::test::TestDatabase> db_;
  std::unique_ptr<host::Store> store_;
  CatalogCache cache_;
  CatalogRater rater_{cache_};
  int64_t agent_ = 0, account_ = 0;
  uint32_t frame_ = 0;
};

TEST_P(CatalogRaterTest, PerMinuteIncrementsRoundEachStartedMinuteUpAndFreeTimeIsNeverCharged) {
  add_rate("*", "minute", 600'000, 60);  // 0.60 a minute, whole minutes
  link(1);
  commit({record(1, 1, 61, 0, monday_peak)}, monday_peak);
  EXPECT_EQ(spent(), 2 * 600'000);  // 61 s is two started minutes; the 7 free seconds are free
  commit({record(1, 2, 120, 0, monday_peak + 60)}, monday_peak + 60);
  EXPECT_EQ(spent(), 2 * 600'000);  // still two minutes
  commit({record(1, 3, 121, 0, monday_peak + 120)}, monday_peak + 120);
  EXPECT_EQ(spent(), 3 * 600'000);
  EXPECT_EQ(rater_.counts().rated.load(), 3u);
}

TEST_P(CatalogRaterTest, ABandChangeInTheAccountsTimeZoneStartsANewLine) {
  add_rate("peak", "second", 1'000, 1);
  add_rate("offpeak", "second", 400, 1);
  link(1);
  commit({record(1, 1, 100, 0, monday_peak)}, monday_peak);  // 11:00 Berlin: peak
  commit({record(1, 2, 160, 0, monday_evening)}, monday_evening);  // 21:30 Berlin: offpeak
  EXPECT_EQ(spent(), 100 * 1'000 + 60 * 400);
  // 19:30 UTC is 20:30 in Berlin: offpeak for this account, though peak by UTC's clock.
  commit({record(1, 3, 170, 0, monday_peak + 34'200)}, monday_evening + 1);
  EXPECT_EQ(spent(), 100 * 1'000 + 70 * 400);
}

TEST_P(CatalogRaterTest, ARateAddedForLaterPricesOnlyUsageFromItsStart) {
  add_rate("*", "second", 1'000, 1);
  const int64_t start = monday_peak + 1'000;
  add_rate("*", "second", 3'000, 1, start);
  link(1);
  commit({record(1, 1, 50, 0, monday_peak)}, monday_peak);
  commit({record(1, 2, 80, 0, start + 5)}, start + 5);
  EXPECT_EQ(spent(), 50 * 1'000 + 30 * 3'000);
}

TEST_P(CatalogRaterTest, MegabyteRatesCountOctetsAndTheMinimumComesWithTheFirstUnit) {
  store_->catalog().set_service({"files", "download"});
  add_rate("*", "megabyte", 50'000, 1'000, 0, "gold", "download", 20'000);
  link(1);
  auto r = record(1, 1, 500, 300'000, monday_peak, "files");
  commit({r}, monday_peak);
  EXPECT_EQ(spent(), 20'000);  // 0.3 MB is 15,000 at 0.05/MB: the minimum, 20,000, instead
  r = record(1, 2, 900, 2'000'001, monday_peak + 10, "files");
  commit({r}, monday_peak + 10);
  // 2,000,001 octets bill as 2,001,000 (1,000-octet steps): 2.001 MB x 50,000 = 100,050.
  EXPECT_EQ(spent(), 100'050);
}

TEST_P(CatalogRaterTest, TheMostSpecificRateWinsByProviderThenZone) {
  add_rate("*", "second", 1'000, 1);
  add_rate("*", "second", 2'000, 1, 0, "gold", "web", 0, "berlin");
  add_rate("*", "second", 5'000, 1, 0, "gold", "*", 0, "*", "partner");
  store_->catalog().set_zone({"gw-1", "berlin"});
  store_->catalog().set_realm({"roam.example", "partner", 0, "", 0});
  link(1);
  link(2, "bob@roam.example");
  commit({record(1, 1, 10, 0, monday_peak),
          record(2, 1, 10, 0, monday_peak, "browse", "bob@roam.example")},
         monday_peak);
  EXPECT_EQ(spent(), 10 * 2'000 + 10 * 5'000);  // zone for ann, provider (beats zone) for bob
}

TEST_P(CatalogRaterTest, UsageNoRatePricesIsCommittedUnratedAndCounted) {
  add_rate("*", "second", 1'000, 1, 0, "silver");  // not this account's plan, and no default
  link(1);
  const CommitDebits d = commit({record(1, 1, 10, 0, monday_peak)}, monday_peak);
  EXPECT_EQ(d.sessions_rated, 1u);  // asked
  EXPECT_EQ(rater_.counts().no_rate.load(), 1u);
  EXPECT_EQ(spent(), 0);
  EXPECT_EQ(store_->session("gw-1", 1)->totals.charged_s, 10u);
}

TEST_P(CatalogRaterTest, ABillListsEveryLineThenSubtotalFeesTaxesAndTotalTheSameEachTime) {
  const int64_t peak_rate = 1, offpeak_rate = 2;  // ids in the order added
  add_rate("peak", "second", 1'000, 1);
  add_rate("offpeak", "second", 400, 1);
  link(1);
  link(2);
  commit({record(1, 1, 100, 0, monday_peak), record(2, 1, 10, 0, monday_peak)}, monday_peak);
  commit({record(1, 2, 160, 0, monday_evening)}, monday_evening);
  const int64_t from = monday_peak - 86'400, to = monday_peak + 86'400;
  const std::vector<BillAdjustment> extra = {parse_fee("service:1.50"), parse_tax("VAT:19%")};
  auto bill = [&] {
    return make_bill("acct-1", from, to,
                     store_->account_book().charged_lines("acct-1", from, to), extra);
  };
  const Bill b = bill();
  ASSERT_EQ(b.lines.size(), 3u);  // session 1: peak then offpeak; session 2: peak
  EXPECT_EQ(b.lines[0].session_id, 1u);
  EXPECT_EQ(b.lines[0].rate, peak_rate);
  EXPECT_EQ(b.lines[0].amount_micros, 100'000);
  EXPECT_EQ(b.lines[1].rate, offpeak_rate);
  EXPECT_EQ(b.lines[1].units, 60u);
  EXPECT_EQ(b.lines[1].amount_micros, 24'000);
  EXPECT_EQ(b.lines[2].session_id, 2u);
  EXPECT_EQ(b.subtotal, 100'000 + 24'000 + 10'000);
  // VAT on subtotal + fee: (134,000 + 1,500,000) x 0.19 = 310,460.
  ASSERT_EQ(b.adjustments.size(), 2u);
  EXPECT_EQ(b.adjustments[1].second, 310'460);
  EXPECT_EQ(b.total, 134'000 + 1'500'000 + 310'460);
  EXPECT_EQ(spent(), b.subtotal);  // what was debited is what is billed
  EXPECT_EQ(bill_csv(bill()), bill_csv(b));
  EXPECT_EQ(bill_json(bill()), bill_json(b));
  const std::string csv = bill_csv(b);
  EXPECT_NE(csv.find("\nsubtotal,,,,,,,,,,,0.134\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\ntotal,,,,,,,,,,,1.94446\n"), std::string::npos) << csv;
  EXPECT_NE(bill_json(b).find("\"total_micros\":1944460}"), std::string::npos);
}

TEST_P(CatalogRaterTest, TaxRatesAndFeesAreReadStrictly) {
  EXPECT_EQ(parse_tax("VAT:7.5%").tax_ppm, 75'000);
  EXPECT_EQ(parse_tax("x:0.0001%").tax_ppm, 1);
  EXPECT_THROW(parse_tax("VAT:19"), BillingError);
  EXPECT_THROW(parse_tax("VAT:0.00001%"), BillingError);
  EXPECT_THROW(parse_tax("VAT:101%"), BillingError);
  EXPECT_THROW(parse_fee("service"), BillingError);
  EXPECT_THROW(parse_fee("service:1.2345678"), BillingError);
  EXPECT_EQ(parse_fee("late:2").amount, 2'000'000);
}

INSTANTIATE_TEST_SUITE_P(Databases, CatalogRaterTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::billing
