// A closed period's detail file a page at a time (host/settlement/detail_pages.h), on both
// databases: whatever the page size, the same bytes in the same order as
// each_closed_detail_record (what settlectl detail-file prints), its own records then its
// adjustments, pages holding none of the provider's records read past, and the hash the
// close's checksum.
#include "host/settlement/detail_pages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "host/settlement/detail_file.h"
#include "host/settlement/period_cleaning.h"
#include "host/settlement/period_close.h"
#include "host/settlement/report_format.h"
#include "host/store/store.h"
#include "tests/support/store_fixture.h"

namespace gm::settlement {
namespace {

constexpr int64_t day = 86'400;
constexpr int64_t november = 1'793'491'200;  // 2026-11-01T00:00:00Z
constexpr int64_t december = 1'796'083'200;  // 2026-12-01T00:00:00Z
constexpr int64_t january = 1'798'761'600;   // 2027-01-01T00:00:00Z
constexpr int64_t later = january + 40 * day;

class DetailPagesTest : public test::StoreOnEachDatabase {
 protected:
  host::SettlementLedger& ledger() { return store_->settlement(); }
  void SetUp() override {
    StoreOnEachDatabase::SetUp();
    if (IsSkipped()) return;
    ledger().set_provider({"Aimnet", "USA"});
    ledger().set_provider({"Connect", "Australia"});
    ledger().set_provider({"Demon", "UK"});
    ledger().set_server("aas.connect", "Connect");
    ledger().set_server("aas.demon", "Demon");
    ledger().set_realm("aimnet.com", "Aimnet");
    for (const auto side : {Side::consumer, Side::provider}) {
      SettlementRule r;
      r.id = side == Side::consumer ? "c" : "p";
      r.side = side;
      r.price_per_minute = 60'000;
      ledger().set_rule(r);
    }
  }
  static RawRecord stop(const std::string& id, int64_t at, const std::string& server) {
    RawRecord r;
    r.user_name = "ann-" + id + "@aimnet.com";
    r.status_type = "Stop";
    r.session_id = id;
    r.session_time_s = 60;
    r.nas_id = "nas-1";
    r.local_server = server;
    r.stop_gmt_unix = at;
    r.stop_local = "2026-11-20 10:00:00";
    r.time_zone = "Australia/Sydney";
    return r;
  }
  // The file as settlectl makes it.
  std::string whole(const host::ClosedPeriod& c, const std::string& provider) {
    std::string out, line;
    each_closed_detail_record(ledger(), c, provider, [&](const HistoryRecord& h) {
      EXPECT_EQ(detail_line(h, line), DetailRefusal::none);
      out += line + "\n";
    });
    return out;
  }
  std::string paged(const host::ClosedPeriod& c, const std::string& provider, size_t page,
                    uint64_t* hash = nullptr, int* pages = nullptr) {
    DetailPages p(c, provider, page);
    std::string out;
    int n = 0;
    for (std::string chunk; p.next(ledger(), chunk); chunk.clear()) {
      EXPECT_FALSE(chunk.empty());  // true means something came
      out += chunk;
      ++n;
    }
    std::string after;
    EXPECT_FALSE(p.next(ledger(), after));  // the end stays the end
    EXPECT_TRUE(after.empty());
    EXPECT_EQ(p.bytes(), out.size());
    if (hash) *hash = p.hash();
    if (pages) *pages = n;
    return out;
  }
  std::string kept_checksum(int64_t from, const std::string& provider) {
    for (const host::ReportChecksum& k : ledger().closed_checksums(from))
      if (k.provider == provider && k.report == "detail_file") return k.checksum;
    return "(none)";
  }
};

TEST_P(DetailPagesTest, EveryPageSizeGivesTheCloseFileWithItsAdjustments) {
  // November: Connect serves 1, 2, 7, 8, 9; Demon the runs between (pages of Demon's alone).
  std::vector<RawRecord> nov;
  for (int i = 0; i < 10; ++i)
    nov.push_back(stop("n" + std::to_string(i), november + (i + 1) * day,
                       i == 1 || i == 2 || i >= 7 ? "aas.connect" : "aas.demon"));
  ledger().append_raw(nov, 1);
  close_period(ledger(), {november, december}, day, later);
  // Two late November records of Connect, then December's own: adjustments after its own.
  ledger().append_raw({stop("late-1", november + 20 * day + 5, "aas.connect"),
                       stop("late-2", november + 21 * day, "aas.connect")},
                      2);
  clean_period(ledger(), november, december, day, 3);
  ledger().append_raw(
      {stop("d1", december + day, "aas.connect"), stop("d2", december + 2 * day, "aas.demon")}, 4);
  close_period(ledger(), {december, january}, day, later);

  const auto periods = ledger().closed_periods();
  ASSERT_EQ(periods.size(), 2u);
  for (const host::ClosedPeriod& c : periods) {
    for (const std::string provider : {"Connect", "Demon", "Aimnet"}) {
      const std::string want = whole(c, provider);
      for (size_t page : {1, 2, 3, 4, 7, 1000}) {
        uint64_t hash = 0;
        EXPECT_EQ(paged(c, provider, page, &hash), want) << provider << " page " << page;
        if (provider != "Aimnet") {
          EXPECT_EQ(checksum_text(hash), kept_checksum(c.from_unix, provider)) << provider;
        }
      }
    }
  }
  // December's Connect file: its own record, then November's two late ones, in stop order.
  const std::string dec = whole(periods[1], "Connect");
  EXPECT_EQ(std::count(dec.begin(), dec.end(), '\n'), 3);
  EXPECT_LT(dec.find("ann-d1@"), dec.find("ann-late-1@"));
  EXPECT_LT(dec.find("ann-late-1@"), dec.find("ann-late-2@"));
  // A provider that served nothing: no page, an empty file.
  int pages = -1;
  EXPECT_EQ(paged(periods[0], "Aimnet", 3, nullptr, &pages), "");
  EXPECT_EQ(pages, 0);
  // Pages of 3 over November's 10 records (Connect's are the 2nd, 3rd, 8th, 9th and 10th):
  // the page of records 4-6 holds none of them and is read past, not returned empty.
  EXPECT_EQ(paged(periods[0], "Connect", 3, nullptr, &pages), whole(periods[0], "Connect"));
  EXPECT_EQ(pages, 3);
}

INSTANTIATE_TEST_SUITE_P(Databases, DetailPagesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::settlement
