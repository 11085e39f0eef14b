// Closing settlement periods (host/settlement/period_close.h) on both databases: a period
// closes once, in order, only after it ended; a record arriving for a closed period changes
// none of its reports and is carried by the next close as an adjustment (its resend, as a
// duplicate, by none); a closed report ignores later tariffs; a record that does not rate
// refuses the close and leaves nothing closed; stored totals that no longer match their
// checksums are refused (the negative control of the checksum).
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "host/settlement/period_close.h"
#include "host/settlement/settlement_reports.h"
#include "host/store/billing_types.h"
#include "host/store/store.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

using settlement::Period;
using settlement::RawRecord;

constexpr int64_t day = 86'400;
constexpr int64_t november = 1'793'491'200;  // 2026-11-01T00:00:00Z
constexpr int64_t december = 1'796'083'200;  // 2026-12-01T00:00:00Z
constexpr int64_t january = 1'798'761'600;   // 2027-01-01T00:00:00Z
constexpr int64_t later = january + 40 * day;  // "now": both periods have ended
constexpr Period nov{november, december};
constexpr Period dec{december, january};

class PeriodCloseTest : public test::StoreOnEachDatabase {
 protected:
  SettlementLedger& ledger() { return store_->settlement(); }
  void SetUp() override {
    StoreOnEachDatabase::SetUp();
    if (IsSkipped()) return;
    ledger().set_provider({"Aimnet", "USA"});
    ledger().set_provider({"Connect", "Australia"});
    ledger().set_provider({"Demon", "UK"});
    ledger().set_server("aas.connect", "Connect");
    ledger().set_server("aas.demon", "Demon");
    ledger().set_realm("aimnet.com", "Aimnet");
    rule("c-all", settlement::Side::consumer, 60'000);  // 0.001 a second
    rule("p-all", settlement::Side::provider, 30'000);
  }
  void rule(const std::string& id, settlement::Side side, settlement::Micros per_minute) {
    settlement::SettlementRule r;
    r.id = id;
    r.side = side;
    r.price_per_minute = per_minute;
    ledger().set_rule(r);
  }
  static RawRecord stop(const std::string& id, int64_t at, int64_t seconds,
                        const std::string& server = "aas.connect") {
    RawRecord r;
    r.user_name = "ann@aimnet.com";
    r.status_type = "Stop";
    r.session_id = id;
    r.session_time_s = seconds;
    r.nas_id = "nas-1";
    r.local_server = server;
    r.stop_gmt_unix = at;
    r.stop_local = "2026-11-20 10:00:00";
    r.time_zone = "Australia/Sydney";
    return r;
  }
  settlement::PeriodClose close(Period p, int64_t now = later) {
    return settlement::close_period(ledger(), p, day, now);
  }
  std::string closed_csv(Period p, std::string_view report, const std::string& provider) {
    const auto c = settlement::closed_period_of(ledger(), p);
    if (!c) return "(open)";
    return settlement::to_csv(settlement::closed_table(ledger(), *c, report, provider));
  }
};

TEST_P(PeriodCloseTest, APeriodClosesOnceInOrderAndOnlyAfterItEnded) {
  ledger().append_raw({stop("s1", november + day, 100), stop("s2", december + day, 200)}, 1);
  EXPECT_THROW(close(nov, december - 1), BillingConflict);  // not ended yet
  EXPECT_TRUE(ledger().closed_periods().empty());
  const settlement::PeriodClose n = close(nov);
  EXPECT_EQ(n.period.records, 1);
  EXPECT_EQ(n.period.adjustments, 0);
  EXPECT_THROW(close(nov), BillingConflict);                                 // once
  EXPECT_THROW(close({november + day, january}), BillingConflict);           // overlaps
  EXPECT_THROW(close({december + day, january}), BillingConflict);           // a gap
  const settlement::PeriodClose d = close(dec);
  EXPECT_EQ(d.period.records, 1);
  const auto periods = ledger().closed_periods();
  ASSERT_EQ(periods.size(), 2u);
  EXPECT_EQ(periods[0].from_unix, november);
  EXPECT_EQ(periods[1].to_unix, january);
  EXPECT_EQ(periods[1].closed_unix, later);
}

TEST_P(PeriodCloseTest, ALateRecordChangesNoClosedReportAndIsTheNextPeriodsAdjustment) {
  ledger().append_raw({stop("s1", november + day, 100)}, 1);
  close(nov);
  const std::string detail = closed_csv(nov, "detail", "Connect");
  const std::string statement = closed_csv(nov, "statement", "");
  // November's record from a slow server, and its resend: after November closed.
  ledger().append_raw({stop("s-late", november + 2 * day, 50, "aas.demon"),
                       stop("s-late", november + 2 * day, 50, "aas.demon")},
                      2);
  // Cleaning November again (an operator's re-run) changes nothing of it.
  const settlement::PeriodCleaning again =
      settlement::clean_period(ledger(), november, december, day, 3);
  EXPECT_EQ(again.settled, 1);
  EXPECT_EQ(again.clean, 1);  // the late record, marked late
  EXPECT_EQ(again.duplicate, 1);
  EXPECT_EQ(closed_csv(nov, "detail", "Connect"), detail);
  EXPECT_EQ(closed_csv(nov, "statement", ""), statement);

  ledger().append_raw({stop("s2", december + day, 200)}, 4);
  const settlement::PeriodClose d = close(dec);
  EXPECT_EQ(d.period.records, 1);
  EXPECT_EQ(d.period.adjustments, 1);
  EXPECT_EQ(closed_csv(nov, "statement", ""), statement);
  // Demon earns November's 50 s in December's reports, marked as an adjustment.
  const std::string demon = closed_csv(dec, "detail", "Demon");
  EXPECT_NE(demon.find("served-adjustment,UK,Demon,Aimnet,ann@aimnet.com,1,50,0.025"),
            std::string::npos)
      << demon;
  const auto totals = ledger().closed_totals(december);
  const auto s = settlement::settlement_statement(totals, ledger().closed_members(december), dec);
  EXPECT_EQ(settlement::imbalance(s), 0);
  int64_t seconds = 0;
  for (const auto& [g, t] : totals.groups()) seconds += t.seconds;
  EXPECT_EQ(seconds, 250);
  // December's detail file for Demon: the adjustment's line.
  std::vector<int64_t> lines;
  const auto c = settlement::closed_period_of(ledger(), dec);
  settlement::each_closed_detail_record(ledger(), *c, "Demon",
                                        [&](const auto& h) { lines.push_back(h.session_time_s); });
  EXPECT_EQ(lines, std::vector<int64_t>{50});
}

TEST_P(PeriodCloseTest, AResendOfASettledRecordIsItsDuplicateEvenWhenItComesFirst) {
  ledger().append_raw({stop("s1", november + day, 100)}, 1);
  close(nov);
  // The same usage again, its stop a minute earlier (a collector that stamps receipt time):
  // it sorts before the settled record, and is still the duplicate, not a second charge.
  ledger().append_raw({stop("s1", november + day - 60, 100)}, 2);
  const settlement::PeriodClose d = close(dec);
  EXPECT_EQ(d.late.duplicate, 1);
  EXPECT_EQ(d.period.adjustments, 0);
}

TEST_P(PeriodCloseTest, AClosedReportIgnoresLaterTariffsWhileAnOpenOneFollowsThem) {
  ledger().append_raw({stop("s1", november + day, 120)}, 1);
  close(nov);
  const std::string invoice = closed_csv(nov, "invoice", "Aimnet");
  EXPECT_NE(invoice.find("0.12"), std::string::npos) << invoice;
  rule("c-all", settlement::Side::consumer, 120'000);  // the price doubles afterwards
  EXPECT_EQ(closed_csv(nov, "invoice", "Aimnet"), invoice);
}

TEST_P(PeriodCloseTest, ARecordThatDoesNotRateRefusesTheCloseAndNothingCloses) {
  ledger().append_raw({stop("s1", november + day, 100)}, 1);
  ASSERT_TRUE(ledger().remove_rule("p-all"));
  try {
    close(nov);
    FAIL() << "closed with a record that does not rate";
  } catch (const BillingConflict& e) {
    EXPECT_NE(std::string(e.what()).find("no_provider_rule"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(ledger().closed_periods().empty());
  rule("p-all", settlement::Side::provider, 30'000);
  EXPECT_EQ(close(nov).period.records, 1);
}

TEST_P(PeriodCloseTest, TheFirstCloseCarriesEverythingBeforeItThatNoReportHad) {
  ledger().append_raw({stop("s0", november - 5 * day, 30), stop("s1", november + day, 100)}, 1);
  settlement::clean_period(ledger(), november - 10 * day, november, day, 2);
  const settlement::PeriodClose n = close(nov);
  EXPECT_EQ(n.period.records, 1);
  EXPECT_EQ(n.period.adjustments, 1);
  EXPECT_NE(closed_csv(nov, "detail", "Connect").find("served-adjustment"), std::string::npos);
}

TEST_P(PeriodCloseTest, StoredTotalsThatDoNotMatchTheirChecksumAreRefused) {
  // The negative control of closed_table's check: a close whose stored checksum is not its
  // totals' (what a row edited in the store looks like) is refused, not printed.
  PeriodClosing forged;
  forged.period = {november, december, later, 0, 0};  // as many as the history holds
  settlement::HistoryRecord h;
  h.user = "ann@aimnet.com";
  h.session_time_s = 60;
  h.home_provider = "Aimnet";
  h.home_country = "USA";
  h.serving_provider = "Connect";
  h.serving_country = "Australia";
  settlement::RatedRecord r;
  r.record = h;
  r.consumer_micros = 60'000;
  r.provider_micros = 30'000;
  forged.totals.add(r);
  forged.members = {{"Aimnet", "USA"}, {"Connect", "Australia"}};
  const settlement::Table honest =
      settlement::report_table("invoice", forged.totals, forged.members, "Aimnet", nov);
  forged.checksums = {{"Aimnet", "invoice", settlement::checksum(honest)},
                      {"Connect", "invoice", "fnv1a64:0000000000000000"}};
  forged.first = true;
  ledger().close_period(forged);
  const auto c = settlement::closed_period_of(ledger(), nov);
  ASSERT_TRUE(c);
  EXPECT_EQ(settlement::to_csv(settlement::closed_table(ledger(), *c, "invoice", "Aimnet")),
            settlement::to_csv(honest));
  EXPECT_THROW(settlement::closed_table(ledger(), *c, "invoice", "Connect"), BillingConflict);
  EXPECT_THROW(settlement::closed_table(ledger(), *c, "summary", "Aimnet"), BillingConflict);
}

TEST_P(PeriodCloseTest, AReadAheadCleanDecidesAsTheOneThreadedCleanDoes) {
  // More than two pages (period_cleaning.h reads 10,000 at a time), with a retry of each
  // tenth record a few records later, so that duplicates straddle the pages.
  std::vector<RawRecord> raw;
  for (int i = 0; i < 20'500; ++i) {
    raw.push_back(stop("s" + std::to_string(i), november + 60 + i * 10, 30 + i % 600));
    if (i % 10 == 3) raw.push_back(raw.back()), raw.back().stop_gmt_unix += 25;
  }
  ledger().append_raw(raw, 1);
  const auto reader = open_store(db_->spec());
  int64_t kept = 0;
  const settlement::PeriodCleaning ahead = settlement::clean_period(
      ledger(), november, december, day, 2, {}, [&](const auto&) { ++kept; },
      &reader->settlement());
  EXPECT_EQ(ahead.records, 22'550);
  EXPECT_EQ(ahead.clean, 20'500);
  EXPECT_EQ(ahead.duplicate, 2'050);
  EXPECT_EQ(kept, 20'500);
  const auto once = ledger().history_between(november, december, {INT64_MIN, 0}, 30'000,
                                             HistorySet::regular);
  const settlement::PeriodCleaning alone =
      settlement::clean_period(ledger(), november, december, day, 3);
  EXPECT_EQ(alone.clean, ahead.clean);
  EXPECT_EQ(alone.duplicate, ahead.duplicate);
  const auto twice = ledger().history_between(november, december, {INT64_MIN, 0}, 30'000,
                                              HistorySet::regular);
  ASSERT_EQ(once.size(), twice.size());
  for (size_t i = 0; i < once.size(); ++i) ASSERT_EQ(once[i].entry_id, twice[i].entry_id);
}

INSTANTIATE_TEST_SUITE_P(Databases, PeriodCloseTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
