#include "host/settlement/detail_file.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "host/billing/civil_date.h"
#include "host/settlement/cleaning.h"

namespace gm::settlement {
namespace {

const char* const example_1 =
    R"("DT","RM","07/10/97","01:43:35","06/30/97","18:43:35","user1@aimnet.com",)"
    R"("Aimnet;USA","Connect.com;Australia","S","300")";

ProviderDirectory directory() {
  ProviderDirectory d;
  d.providers["Aimnet"] = Provider{"Aimnet", "USA"};
  d.providers["Connect.com"] = Provider{"Connect.com", "Australia"};
  d.server_provider["aas.aimnet.com"] = "Aimnet";
  d.server_provider["aas.connect.com.au"] = "Connect.com";
  d.realm_provider["aimnet.com"] = "Aimnet";
  return d;
}

// The record the seed's Example 1 describes, as it arrives raw.
RawRecord example_raw() {
  RawRecord r;
  r.user_name = "User1";
  r.user_domain = "AimNet.com";
  r.status_type = "Stop";
  r.session_id = "1F00A3";
  r.session_time_s = 300;
  r.nas_id = "nas-1";
  r.local_server = "aas.connect.com.au";
  r.home_server = "aas.aimnet.com";
  r.stop_gmt_unix =
      billing::days_from_civil(1997, 7, 10) * billing::seconds_per_day + 1 * 3600 + 43 * 60 + 35;
  r.stop_local = "1997-06-30 18:43:35";
  r.time_zone = "Australia/Sydney";
  r.entry_id = 42;
  return r;
}

HistoryRecord example_history() {
  HistoryRecord h;
  EXPECT_EQ(clean(example_raw(), directory(), h).status, RecordStatus::clean);
  return h;
}

TEST(DetailFile, TheSeedsExampleOneIsReproducedFromItsRawRecord) {
  EXPECT_EQ(example_raw().stop_gmt_unix, 868'499'015);
  std::string line;
  ASSERT_EQ(detail_line(example_history(), line), DetailRefusal::none);
  EXPECT_EQ(line, example_1);
}

TEST(DetailFile, AFileEndsEveryLineWithANewline) {
  HistoryRecord a = example_history();
  HistoryRecord b = a;
  b.user = "user2@aimnet.com";
  b.session_time_s = 61;
  b.stop_unix += 86'400 + 1;  // 1997-07-11 01:43:36
  b.stop_local = "1997-07-01 18:43:36";
  const std::vector<HistoryRecord> records{a, b};
  std::string file;
  size_t failed_at = 99;
  ASSERT_EQ(detail_file(records, file, failed_at), DetailRefusal::none);
  EXPECT_EQ(failed_at, 2u);
  EXPECT_EQ(file, std::string(example_1) + "\n" +
                      R"("DT","RM","07/11/97","01:43:36","07/01/97","18:43:36","user2@aimnet.com",)"
                      R"("Aimnet;USA","Connect.com;Australia","S","61")" +
                      "\n");
}

TEST(DetailFile, NoRecordsMakeAnEmptyFile) {
  std::string file = "old";
  size_t failed_at = 99;
  ASSERT_EQ(detail_file({}, file, failed_at), DetailRefusal::none);
  EXPECT_EQ(file, "");
  EXPECT_EQ(failed_at, 0u);
}

TEST(DetailFile, AQuoteInAFieldIsDoubled) {
  HistoryRecord h = example_history();
  h.user = R"(o"brien@aimnet.com)";
  h.serving_provider = R"(The "Net")";
  std::string line;
  ASSERT_EQ(detail_line(h, line), DetailRefusal::none);
  EXPECT_EQ(line, R"("DT","RM","07/10/97","01:43:35","06/30/97","18:43:35","o""brien@aimnet.com",)"
                  R"("Aimnet;USA","The ""Net"";Australia","S","300")");
}

TEST(DetailFile, AControlCharacterIsRefused) {
  for (const char* bad : {"user1@aimnet.com\n", "a\rb", "a\tb", "a\x7f"}) {
    HistoryRecord h = example_history();
    h.user = bad;
    std::string line = "untouched";
    EXPECT_EQ(detail_line(h, line), DetailRefusal::control_character);
    EXPECT_EQ(line, "untouched");
  }
}

TEST(DetailFile, ASemicolonInAProviderOrCountryIsRefused) {
  HistoryRecord h = example_history();
  h.home_country = "USA;CA";
  std::string line;
  EXPECT_EQ(detail_line(h, line), DetailRefusal::semicolon_in_provider);
  h = example_history();
  h.serving_provider = "Connect;com";
  EXPECT_EQ(detail_line(h, line), DetailRefusal::semicolon_in_provider);
}

TEST(DetailFile, AnEmptyPartyIsRefused) {
  std::string line;
  HistoryRecord h = example_history();
  h.user = "";
  EXPECT_EQ(detail_line(h, line), DetailRefusal::empty_field);
  h = example_history();
  h.serving_country = "";
  EXPECT_EQ(detail_line(h, line), DetailRefusal::empty_field);
  h = example_history();
  h.service = "";
  EXPECT_EQ(detail_line(h, line), DetailRefusal::empty_field);
}

TEST(DetailFile, AMalformedLocalTimeIsRefused) {
  HistoryRecord h = example_history();
  h.stop_local = "1997-06-30 18:43";
  std::string line;
  EXPECT_EQ(detail_line(h, line), DetailRefusal::bad_stop_local);
}

TEST(DetailFile, AYearTwoDigitsCannotHoldIsRefused) {
  std::string line;
  HistoryRecord h = example_history();
  h.stop_unix = billing::days_from_civil(2090, 1, 1) * billing::seconds_per_day;
  EXPECT_EQ(detail_line(h, line), DetailRefusal::year_out_of_range);
  h.stop_unix = billing::days_from_civil(2089, 12, 31) * billing::seconds_per_day + 86'399;
  ASSERT_EQ(detail_line(h, line), DetailRefusal::none);
  EXPECT_NE(line.find(R"("12/31/89","23:59:59")"), std::string::npos);
  h = example_history();
  h.stop_local = "1989-12-31 23:00:00";
  EXPECT_EQ(detail_line(h, line), DetailRefusal::year_out_of_range);
}

TEST(DetailFile, AFileStopsAtTheFirstRefusedRecordAndNamesIt) {
  HistoryRecord bad = example_history();
  bad.user = "x\ny";
  const std::vector<HistoryRecord> records{example_history(), bad, example_history()};
  std::string file = "untouched";
  size_t failed_at = 99;
  EXPECT_EQ(detail_file(records, file, failed_at), DetailRefusal::control_character);
  EXPECT_EQ(failed_at, 1u);
  EXPECT_EQ(file, "untouched");
}

TEST(DetailFile, EveryRefusalHasADistinctName) {
  std::set<std::string> names;
  for (size_t i = 0; i < detail_refusal_count; ++i) {
    const std::string n = refusal_name(static_cast<DetailRefusal>(i));
    EXPECT_NE(n, "?");
    names.insert(n);
  }
  EXPECT_EQ(names.size(), detail_refusal_count);
}

}  // namespace
}  // namespace gm::settlement
