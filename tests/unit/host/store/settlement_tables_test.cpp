// Settlement's tables (settlement_ledger.h) on both databases, and a period cleaned over them
// (host/settlement/period_cleaning.h): the directory as set; raw records read back in (stop,
// entry id) order a page at a time; a period's records sorted into clean, duplicate (a retry
// across the period's start too), irrelevant and quarantined with their reasons; a re-run
// leaves the same history; a quarantined record fixed by the directory comes clean on the next
// run.
#include <gtest/gtest.h>

#include "host/settlement/period_cleaning.h"
#include "host/store/billing_types.h"
#include "host/store/store.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

using settlement::RawRecord;
using settlement::RecordStatus;

constexpr int64_t day = 86'400;
constexpr int64_t period_start = 1'796'083'200;  // 2026-12-01T00:00:00Z
constexpr int64_t period_end = period_start + 31 * day;

class SettlementTablesTest : public test::StoreOnEachDatabase {
 protected:
  SettlementLedger& ledger() { return store_->settlement(); }
  void members() {
    ledger().set_provider({"Aimnet", "USA"});
    ledger().set_provider({"Connect", "Australia"});
    ledger().set_provider({"Demon", "UK"});
    ledger().set_server("aas.connect", "Connect");
    ledger().set_server("aas.aimnet", "Aimnet");
    ledger().set_realm("aimnet.com", "Aimnet");
    ledger().set_realm("connect.com.au", "Connect");
  }
  static RawRecord stop(const std::string& user, const std::string& id, int64_t at,
                        int64_t seconds, const std::string& server = "aas.connect") {
    RawRecord r;
    r.user_name = user;
    r.status_type = "Stop";
    r.session_id = id;
    r.session_time_s = seconds;
    r.nas_id = "nas-1";
    r.local_server = server;
    r.stop_gmt_unix = at;
    r.stop_local = "2026-12-01 10:00:00";
    r.time_zone = "Australia/Sydney";
    return r;
  }
  std::vector<settlement::HistoryRecord> history() {
    return ledger().history_between(period_start, period_end, {0, 0}, 1'000, HistorySet::regular);
  }
};

TEST_P(SettlementTablesTest, TheDirectoryReadsBackAndRefusesAnUnknownProvider) {
  members();
  const settlement::ProviderDirectory d = ledger().directory();
  EXPECT_EQ(d.providers.size(), 3u);
  EXPECT_EQ(d.providers.at("Connect").country, "Australia");
  EXPECT_EQ(d.server_provider.at("aas.connect"), "Connect");
  EXPECT_EQ(d.realm_provider.at("aimnet.com"), "Aimnet");
  EXPECT_THROW(ledger().set_server("aas.x", "Nobody"), BillingConflict);
  EXPECT_EQ(ledger().directory().server_provider.count("aas.x"), 0u);
}

TEST_P(SettlementTablesTest, RawRecordsComeBackInStopOrderAPageAtATime) {
  std::vector<RawRecord> in;
  for (int i = 0; i < 25; ++i)
    in.push_back(stop("u" + std::to_string(i) + "@aimnet.com", "s", period_start + (24 - i) * 60, 60));
  const auto ids = ledger().append_raw(in, 500);
  ASSERT_EQ(ids.size(), 25u);
  std::vector<int64_t> seen;
  int64_t last_stop = 0;
  StopKey after{period_start - 1, 0};
  for (;;) {
    const auto page = ledger().raw_between(period_start, period_end, after, 10);
    if (page.empty()) break;
    for (const RawRecord& r : page) {
      EXPECT_GT(r.stop_gmt_unix, last_stop);
      last_stop = r.stop_gmt_unix;
      seen.push_back(r.entry_id);
      EXPECT_EQ(r.create_unix, 500);
    }
    after = {page.back().stop_gmt_unix, page.back().entry_id};
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), ids.back());  // the last appended stops first
  EXPECT_EQ(seen.back(), ids.front());
}

TEST_P(SettlementTablesTest, APeriodIsSortedIntoCleanDuplicateIrrelevantAndQuarantined) {
  members();
  RawRecord start = stop("ann@aimnet.com", "s0", period_start + 100, 0);
  start.status_type = "Start";
  const RawRecord before = stop("bob@aimnet.com", "s9", period_start - 600, 120);  // last period
  ledger().append_raw(
      {before,
       stop("bob@aimnet.com", "s9", period_start + 30, 120),  // its retry, in this period
       stop("ann@aimnet.com", "s1", period_start + 3'600, 300),
       stop("ann@aimnet.com", "s1", period_start + 3'605, 300),  // a retry
       stop("ann@aimnet.com", "s1", period_start + 9 * day, 300),  // the id again, days later
       start,
       stop("cat@nowhere.example", "s2", period_start + 7'200, 60),  // no such realm
       stop("dan@connect.com.au", "s3", period_start + 8'000, 60)},  // Connect's own user
      1'000);
  const settlement::PeriodCleaning c =
      settlement::clean_period(ledger(), period_start, period_end, day, 2'000);
  EXPECT_EQ(c.records, 7);
  EXPECT_EQ(c.clean, 2);
  EXPECT_EQ(c.duplicate, 2);
  EXPECT_EQ(c.irrelevant, 1);
  EXPECT_EQ(c.quarantined, 2);
  EXPECT_EQ(c.quarantine_reasons.at("unknown_realm"), 1);
  EXPECT_EQ(c.quarantine_reasons.at("not_roaming"), 1);
  const auto h = history();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].user, "ann@aimnet.com");
  EXPECT_EQ(h[0].home_provider, "Aimnet");
  EXPECT_EQ(h[0].serving_country, "Australia");
  EXPECT_EQ(h[1].stop_unix, period_start + 9 * day);
  // What the raw rows say now.
  int64_t quarantined = 0;
  for (const RawStatusCount& n : ledger().raw_counts(period_start, period_end))
    if (n.status == RecordStatus::quarantined) quarantined += n.records;
  EXPECT_EQ(quarantined, 2);
}

TEST_P(SettlementTablesTest, ARerunLeavesTheSameHistoryAndAFixedRecordComesClean) {
  members();
  ledger().append_raw({stop("ann@aimnet.com", "s1", period_start + 60, 300),
                       stop("eve@aimnet.com", "s2", period_start + 120, 60, "aas.demon")},
                      1'000);
  auto first = settlement::clean_period(ledger(), period_start, period_end, day, 2'000);
  EXPECT_EQ(first.quarantine_reasons.at("unknown_serving_server"), 1);
  const auto once = history();
  settlement::clean_period(ledger(), period_start, period_end, day, 3'000);
  const auto twice = history();
  ASSERT_EQ(once.size(), 1u);
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_EQ(once[0].entry_id, twice[0].entry_id);
  EXPECT_EQ(once[0].user, twice[0].user);
  // The operator adds Demon's server; the next run takes eve's record.
  ledger().set_server("aas.demon", "Demon");
  const auto fixed = settlement::clean_period(ledger(), period_start, period_end, day, 4'000);
  EXPECT_EQ(fixed.clean, 2);
  EXPECT_EQ(fixed.quarantined, 0);
  EXPECT_EQ(history().size(), 2u);
}

TEST_P(SettlementTablesTest, TariffsReadBackWholeAndARuleIsReplacedByItsId) {
  EXPECT_TRUE(ledger().tariffs().rules.empty());
  settlement::SettlementRule r;
  r.id = "au-consumer";
  r.side = settlement::Side::consumer;
  r.serving_country = "Australia";
  r.from_s = 8 * 3600;
  r.to_s = 20 * 3600;
  r.first_date = "2026-12-01";
  r.weekdays = 0b0111110;
  r.price_per_minute = 200'000;
  ledger().set_rule(r);
  r.price_per_minute = 250'000;  // the same id again: replaced
  ledger().set_rule(r);
  settlement::SettlementRule p;
  p.id = "any-provider";
  p.side = settlement::Side::provider;
  p.price_per_minute = 80'000;
  ledger().set_rule(p);
  ledger().set_fee({5'000, 1'000});
  const settlement::Tariffs t = ledger().tariffs();
  ASSERT_EQ(t.rules.size(), 2u);
  EXPECT_EQ(t.rules[0].id, "any-provider");
  EXPECT_EQ(t.rules[1].price_per_minute, 250'000);
  EXPECT_EQ(t.rules[1].from_s, 8 * 3600);
  EXPECT_EQ(t.rules[1].first_date, "2026-12-01");
  EXPECT_EQ(t.rules[1].last_date, "*");
  EXPECT_EQ(t.rules[1].weekdays, 0b0111110);
  EXPECT_EQ(t.rules[1].side, settlement::Side::consumer);
  EXPECT_EQ(t.fee.per_connection, 5'000);
  EXPECT_EQ(t.fee.per_minute, 1'000);
  EXPECT_EQ(settlement::tariff_problem(t), "");
  EXPECT_TRUE(ledger().remove_rule("any-provider"));
  EXPECT_FALSE(ledger().remove_rule("any-provider"));
  EXPECT_EQ(ledger().tariffs().rules.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Databases, SettlementTablesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
