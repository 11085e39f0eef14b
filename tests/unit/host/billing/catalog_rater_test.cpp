// The census's rater over a real store (catalog_cache.h, commit_rating.h): rates chosen by the
// account's plan, the service's type, the band in the account's time zone, the gateway's zone
// and the realm's provider; per-minute increments; a band change closing a line; a rate added
// later pricing only usage from its start; unpriceable usage left unrated and counted. Every
// amount expected is worked out by hand in the test.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "host/billing/bill.h"
#include "host/billing/billing_error.h"
#include "host/billing/commit_rating.h"
#include "host/billing/feed_file.h"
#include "tests/support/rated_store_fixture.h"

namespace gm::billing {
namespace {

using host::AccountRow;
using host::CensusCommit;
using host::FeedSink;
using host::CommitDebits;
using host::RateRow;
using host::VerifiedRecord;

class CatalogRaterTest : public RatedStoreTest {};

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

TEST_P(CatalogRaterTest, TheFeedFileHasEveryEndedSessionOnceAcrossACrashAndATornLine) {
  const std::string dir = ::testing::TempDir() + "feed-" + GetParam() + "-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/feed.jsonl";
  std::filesystem::remove(path);
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};
  auto stop = [&](uint64_t id) {
    auto r = record(id, 1, 30, 0, monday_peak);
    r.record.kind = gatemeter_RecordKind_RECORD_STOP;
    commit({r}, monday_peak);
  };
  auto lines = [&] {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  };
  stop(1);
  stop(2);
  {
    FeedFile f(path, store_->feed());
    EXPECT_EQ(f.write_pending(monday_peak), 2u);
    EXPECT_EQ(f.write_pending(monday_peak), 0u);
  }
  ASSERT_EQ(lines().size(), 2u);
  EXPECT_EQ(lines()[0].rfind("{\"id\":", 0), 0u);
  EXPECT_NE(lines()[0].find("\"agent\":\"gw-1\""), std::string::npos) << lines()[0];
  EXPECT_NE(lines()[1].find("\"session_id\":2,"), std::string::npos) << lines()[1];
  // A crash after the fsync, before the mark: the events are in the file, not marked.
  stop(3);
  const auto pending = store_->feed().undelivered(FeedSink::file, 10);
  ASSERT_EQ(pending.size(), 1u);
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"id\":" << pending[0].id << ",\"agent\":\"gw-1\",\"created_unix\":0,\"session\":{}}\n";
    out << "{\"id\":99,\"agent\":\"gw";  // and a line torn by the crash
  }
  stop(4);
  {
    FeedFile f(path, store_->feed());
    EXPECT_EQ(f.recovered(), 1u);  // event 3 found in the file, marked, not written again
    EXPECT_EQ(f.write_pending(monday_peak), 1u);  // event 4
  }
  const auto all = lines();
  ASSERT_EQ(all.size(), 4u);  // 1, 2, 3 (the crash's), 4; the torn line is gone
  EXPECT_NE(all[3].find("\"session_id\":4,"), std::string::npos) << all[3];
  EXPECT_TRUE(store_->feed().undelivered(FeedSink::file, 10).empty());
}

TEST_P(CatalogRaterTest, TheCopyLearnsNewAndChangedAccountsAndKeepsTheRest) {
  CatalogCache cache;
  cache.refresh(*store_);
  ASSERT_NE(cache.account(account_), nullptr);
  EXPECT_EQ(cache.account(account_)->plan, "gold");
  AccountRow b;
  b.name = "acct-2";
  b.plan = "silver";
  b.time_zone = "America/New_York";
  b.created_unix = 100;
  const int64_t second = store_->account_book().add_account(b);
  EXPECT_EQ(cache.account(second), nullptr);  // not before the next refresh
  cache.refresh(*store_);
  ASSERT_NE(cache.account(second), nullptr);
  EXPECT_EQ(cache.account(second)->plan, "silver");
  EXPECT_EQ(cache.account(second)->zone->name(), "America/New_York");
  EXPECT_EQ(cache.account(account_)->plan, "gold");  // unchanged, not read again, still held
  b.plan = "bronze";
  store_->account_book().update_account(b);
  cache.refresh(*store_);
  EXPECT_EQ(cache.account(second)->plan, "bronze");
  EXPECT_EQ(cache.account(account_)->plan, "gold");

  CatalogCache without(std::filesystem::path("/usr/share/zoneinfo"),
                       CatalogCache::Accounts::not_held);
  without.refresh(*store_);
  EXPECT_EQ(without.account(account_), nullptr);
  EXPECT_EQ(without.time_zone("Europe/Berlin").name(), "Europe/Berlin");
}

INSTANTIATE_TEST_SUITE_P(Databases, CatalogRaterTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::billing
