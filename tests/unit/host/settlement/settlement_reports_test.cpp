// The settlement reports (settlement_reports.h) on a member set computed by hand, the
// zero-sum invariant on it and on generated usage (with the negative controls that show the
// check can fail), and the report formats' escaping and checksum (report_format.h).
#include "host/settlement/settlement_reports.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "host/billing/civil_date.h"
#include "host/settlement/report_format.h"

namespace gm::settlement {
namespace {

using billing::days_from_civil;
using billing::seconds_per_day;

const int64_t nov1 = days_from_civil(2026, 11, 1) * seconds_per_day;
const int64_t dec1 = days_from_civil(2026, 12, 1) * seconds_per_day;
const Period november{nov1, dec1};

const std::vector<Provider> members = {
    {"Aimnet", "USA"}, {"Netcom", "USA"}, {"Connect", "Australia"}, {"Demon", "UK"}};

std::string country_of(const std::string& id) {
  for (const Provider& p : members)
    if (p.id == id) return p.country;
  return "Nowhere";
}

HistoryRecord usage(int64_t entry, std::string serving, std::string user, std::string home,
                    uint32_t seconds, std::string local_time, int64_t stop_unix) {
  HistoryRecord h;
  h.entry_id = entry;
  h.user = std::move(user);
  h.realm = h.user.substr(h.user.find('@') + 1);
  h.session_id = "s" + std::to_string(entry);
  h.session_time_s = seconds;
  h.stop_unix = stop_unix;
  h.stop_local = "2026-11-15 " + local_time;
  h.time_zone = "+00:00";
  h.serving_provider = std::move(serving);
  h.serving_country = country_of(h.serving_provider);
  h.home_provider = std::move(home);
  h.home_country = country_of(h.home_provider);
  return h;
}

SettlementRule rule(std::string id, Side side, Micros per_minute) {
  SettlementRule r;
  r.id = std::move(id);
  r.side = side;
  r.price_per_minute = per_minute;
  return r;
}

// Consumer: 0.10/min anywhere, 0.20 in Australia, 0.15 in the UK. Provider: 0.08/min
// anywhere, 0.16 in Australia, 0.10 on Demon's network at night (18:00-08:00). Handling fee
// 0.005 per connection and 0.001 per minute.
Tariffs hand_tariffs() {
  Tariffs t;
  SettlementRule c_au = rule("c-au", Side::consumer, 200'000);
  c_au.serving_country = "Australia";
  SettlementRule c_uk = rule("c-uk", Side::consumer, 150'000);
  c_uk.serving_country = "UK";
  SettlementRule p_au = rule("p-au", Side::provider, 160'000);
  p_au.serving_country = "Australia";
  SettlementRule p_demon_night = rule("p-demon-night", Side::provider, 100'000);
  p_demon_night.serving_provider = "Demon";
  p_demon_night.from_s = 18 * 3600;
  p_demon_night.to_s = 8 * 3600;
  t.rules = {rule("c-flat", Side::consumer, 100'000), c_au, c_uk,
             rule("p-flat", Side::provider, 80'000),  p_au, p_demon_night};
  t.fee = {5'000, 1'000};
  return t;
}

// Twelve connections in November and one at the period's exclusive end. Per record, the
// consumer, provider and fee-per-time amounts (rate * s / 60, half up); each record also
// pays a 5,000 connection fee:
//   1 Aimnet serves alice@demon  600 s  c 1,000,000  p 800,000  t 10,000
//   2 Aimnet serves alice@demon   90 s  c   150,000  p 120,000  t  1,500
//   3 Aimnet serves bob@connect   61 s  c   101,667  p  81,333  t  1,017  (.67 .33 .67)
//   4 Netcom serves carol@aimnet 1200 s c 2,000,000  p 1,600,000 t 20,000
//   5 Netcom serves carol@aimnet  45 s  c    75,000  p  60,000  t    750
//   6 Connect serves dave@aimnet 300 s  c 1,000,000  p 800,000  t  5,000  (Australia)
//   7 Connect serves erin@netcom   1 s  c     3,333  p   2,667  t     17  (.33 .67 .67)
//   8 Demon serves dave@aimnet   120 s  12:00    c 300,000  p 160,000  t 2,000  (day)
//   9 Demon serves dave@aimnet   120 s  23:30    c 300,000  p 200,000  t 2,000  (night)
//  10 Demon serves erin@netcom    30 s  08:00:00 c  75,000  p  40,000  t   500  (day: end)
//  11 Demon serves erin@netcom    30 s  07:59:59 c  75,000  p  50,000  t   500  (night)
//  12 Aimnet serves frank@netcom   3 s  c     5,000  p   4,000  t     50
//  13 Aimnet serves alice@demon  600 s  at 2026-12-01T00:00:00Z: outside the period
std::vector<RatedRecord> hand_set() {
  const int64_t mid = nov1 + 14 * seconds_per_day;
  const std::vector<HistoryRecord> records = {
      usage(1, "Aimnet", "alice@demon.co.uk", "Demon", 600, "10:00:00", mid + 1),
      usage(2, "Aimnet", "alice@demon.co.uk", "Demon", 90, "10:00:00", mid + 2),
      usage(3, "Aimnet", "bob@connect.com.au", "Connect", 61, "10:00:00", mid + 3),
      usage(4, "Netcom", "carol@aimnet.com", "Aimnet", 1200, "10:00:00", mid + 4),
      usage(5, "Netcom", "carol@aimnet.com", "Aimnet", 45, "10:00:00", mid + 5),
      usage(6, "Connect", "dave@aimnet.com", "Aimnet", 300, "10:00:00", mid + 6),
      usage(7, "Connect", "erin@netcom.com", "Netcom", 1, "10:00:00", mid + 7),
      usage(8, "Demon", "dave@aimnet.com", "Aimnet", 120, "12:00:00", mid + 8),
      usage(9, "Demon", "dave@aimnet.com", "Aimnet", 120, "23:30:00", mid + 9),
      usage(10, "Demon", "erin@netcom.com", "Netcom", 30, "08:00:00", mid + 10),
      usage(11, "Demon", "erin@netcom.com", "Netcom", 30, "07:59:59", nov1),
      usage(12, "Aimnet", "frank@netcom.com", "Netcom", 3, "10:00:00", dec1 - 1),
      usage(13, "Aimnet", "alice@demon.co.uk", "Demon", 600, "10:00:00", dec1),
  };
  std::vector<RatedRecord> out;
  const Tariffs t = hand_tariffs();
  for (const HistoryRecord& h : records) out.push_back(rate(h, t));
  // A refused record is the quarantine's: it must not reach any report.
  RatedRecord refused;
  refused.record = usage(14, "Aimnet", "zed@demon.co.uk", "Demon", 60, "10:00:00", mid);
  refused.refusal = RateRefusal::no_consumer_rule;
  refused.consumer_micros = 999'999;
  out.push_back(refused);
  return out;
}

TEST(SettlementReports, TheHandSetRatesAsWorkedOut) {
  const std::vector<RatedRecord> r = hand_set();
  ASSERT_EQ(r.size(), 14u);
  EXPECT_EQ(r[2].consumer_micros, 101'667);
  EXPECT_EQ(r[6].provider_micros, 2'667);
  EXPECT_EQ(r[7].provider_rule, "p-flat");
  EXPECT_EQ(r[8].provider_rule, "p-demon-night");
  EXPECT_EQ(r[9].provider_rule, "p-flat");
  EXPECT_EQ(r[10].provider_rule, "p-demon-night");
  EXPECT_EQ(r[5].consumer_rule, "c-au");
}

TEST(SettlementReports, TheDetailReportGroupsUsageByUserAndWhatPricesIt) {
  const DetailReport d = detail_report(hand_set(), "Aimnet", november);
  ASSERT_EQ(d.rows.size(), 6u);
  const auto row = [&](size_t i) {
    const DetailRow& x = d.rows[i];
    return std::string(role_name(x.role)) + " " + x.serving_country + " " + x.serving_provider +
           " " + x.home_provider + " " + x.user + " " + std::to_string(x.connections) + " " +
           std::to_string(x.seconds) + " " + std::to_string(x.amount_micros) + " " +
           std::to_string(x.fee_micros);
  };
  // Served: the provider rate. Record 13 is December's.
  EXPECT_EQ(row(0), "served USA Aimnet Connect bob@connect.com.au 1 61 81333 0");
  EXPECT_EQ(row(1), "served USA Aimnet Demon alice@demon.co.uk 2 690 920000 0");  // 800k+120k
  EXPECT_EQ(row(2), "served USA Aimnet Netcom frank@netcom.com 1 3 4000 0");
  // Consumed: the consumer rate; fees 5,000 a connection plus the time part.
  EXPECT_EQ(row(3), "consumed Australia Connect Aimnet dave@aimnet.com 1 300 1000000 10000");
  // 300k + 300k; fees 2*5,000 + 2,000 + 2,000
  EXPECT_EQ(row(4), "consumed UK Demon Aimnet dave@aimnet.com 2 240 600000 14000");
  // 2,000,000 + 75,000; fees 2*5,000 + 20,000 + 750
  EXPECT_EQ(row(5), "consumed USA Netcom Aimnet carol@aimnet.com 2 1245 2075000 30750");
}

TEST(SettlementReports, TheSummaryReportSumsUsagePerPairOfProviders) {
  const SummaryReport s = summary_report(hand_set(), "Aimnet", november);
  ASSERT_EQ(s.rows.size(), 6u);
  const auto row = [&](size_t i) {
    const SummaryRow& x = s.rows[i];
    return x.serving_provider + ">" + x.home_provider + " " + std::to_string(x.connections) + " " +
           std::to_string(x.seconds);
  };
  EXPECT_EQ(row(0), "Aimnet>Connect 1 61");
  EXPECT_EQ(row(1), "Aimnet>Demon 2 690");  // 600 + 90
  EXPECT_EQ(row(2), "Aimnet>Netcom 1 3");
  EXPECT_EQ(row(3), "Connect>Aimnet 1 300");
  EXPECT_EQ(row(4), "Demon>Aimnet 2 240");
  EXPECT_EQ(row(5), "Netcom>Aimnet 2 1245");  // 1200 + 45
  const SummaryReport demon = summary_report(hand_set(), "Demon", november);
  ASSERT_EQ(demon.rows.size(), 3u);  // Aimnet>Demon, Demon>Aimnet, Demon>Netcom
  EXPECT_EQ(demon.rows[2].home_provider, "Netcom");
  EXPECT_EQ(demon.rows[2].seconds, 60);
}

TEST(SettlementReports, TheInvoiceReportPricesEachPairAndShowsBothFees) {
  const InvoiceReport inv = invoice_report(hand_set(), "Aimnet", november);
  ASSERT_EQ(inv.rows.size(), 6u);
  const auto row = [&](size_t i) {
    const InvoiceRow& x = inv.rows[i];
    return x.serving_provider + ">" + x.home_provider + " " + std::to_string(x.earned_micros) +
           " " + std::to_string(x.owed_micros) + " " + std::to_string(x.fee_connection_micros) +
           " " + std::to_string(x.fee_time_micros);
  };
  EXPECT_EQ(row(0), "Aimnet>Connect 81333 0 0 0");
  EXPECT_EQ(row(1), "Aimnet>Demon 920000 0 0 0");
  EXPECT_EQ(row(2), "Aimnet>Netcom 4000 0 0 0");
  EXPECT_EQ(row(3), "Connect>Aimnet 0 1000000 5000 5000");
  EXPECT_EQ(row(4), "Demon>Aimnet 0 600000 10000 4000");
  EXPECT_EQ(row(5), "Netcom>Aimnet 0 2075000 10000 20750");
  EXPECT_EQ(inv.total_earned_micros, 1'005'333);  // 81,333 + 920,000 + 4,000
  // 3,675,000 consumer + 25,000 per connection + 29,750 per time
  EXPECT_EQ(inv.total_owed_micros, 3'729'750);
  EXPECT_EQ(inv.net_micros, -2'724'417);  // 1,005,333 - 3,729,750
}

TEST(SettlementReports, TheCreditDebitReportNetsEachCounterpart) {
  const CreditDebitReport cd = credit_debit_report(hand_set(), "Aimnet", november);
  ASSERT_EQ(cd.rows.size(), 3u);
  EXPECT_EQ(cd.rows[0].counterpart, "Connect");
  EXPECT_EQ(cd.rows[0].credit_micros, 81'333);
  EXPECT_EQ(cd.rows[0].debit_micros, 1'010'000);  // 1,000,000 + 5,000 + 5,000
  EXPECT_EQ(cd.rows[0].net_micros, -928'667);
  EXPECT_EQ(cd.rows[1].counterpart, "Demon");
  EXPECT_EQ(cd.rows[1].credit_micros, 920'000);
  EXPECT_EQ(cd.rows[1].debit_micros, 614'000);  // 600,000 + 10,000 + 4,000
  EXPECT_EQ(cd.rows[1].net_micros, 306'000);
  EXPECT_EQ(cd.rows[2].counterpart, "Netcom");
  EXPECT_EQ(cd.rows[2].credit_micros, 4'000);
  EXPECT_EQ(cd.rows[2].debit_micros, 2'105'750);  // 2,075,000 + 10,000 + 20,750
  EXPECT_EQ(cd.rows[2].net_micros, -2'101'750);
  EXPECT_EQ(cd.total_credit_micros, 1'005'333);
  EXPECT_EQ(cd.total_debit_micros, 3'729'750);
  EXPECT_EQ(cd.net_micros, -2'724'417);  // -928,667 + 306,000 - 2,101,750
}

TEST(SettlementReports, TheStatementOfTheHandSetSumsToZero) {
  const SettlementStatement s = settlement_statement(hand_set(), members, november);
  ASSERT_EQ(s.rows.size(), 4u);
  EXPECT_EQ(s.rows[0].provider, "Aimnet");
  EXPECT_EQ(s.rows[0].net_micros, -2'724'417);
  EXPECT_EQ(s.rows[1].provider, "Connect");
  EXPECT_EQ(s.rows[1].country, "Australia");
  // earned 800,000 + 2,667; owed 101,667 + 5,000 + 1,017
  EXPECT_EQ(s.rows[1].net_micros, 694'983);
  EXPECT_EQ(s.rows[2].provider, "Demon");
  // earned 160,000 + 200,000 + 40,000 + 50,000; owed 1,150,000 + 10,000 + 11,500
  EXPECT_EQ(s.rows[2].net_micros, -721'500);
  EXPECT_EQ(s.rows[3].provider, "Netcom");
  // earned 1,600,000 + 60,000; owed 3,333+75,000+75,000+5,000 + 4*5,000 + 17+500+500+50
  EXPECT_EQ(s.rows[3].net_micros, 1'480'600);
  EXPECT_EQ(s.operator_fees_micros, 103'334);      // 12 * 5,000 + 43,334 per time
  EXPECT_EQ(s.operator_margin_micros, 1'167'000);  // consumer 5,085,000 - provider 3,918,000
  EXPECT_EQ(s.operator_total_micros, 1'270'334);
  // -2,724,417 + 694,983 - 721,500 + 1,480,600 = -1,270,334
  EXPECT_EQ(imbalance(s), 0);
  for (const StatementRow& row : s.rows)
    EXPECT_EQ(row.net_micros, credit_debit_report(hand_set(), row.provider, november).net_micros)
        << row.provider;
}

TEST(SettlementReports, AMemberWithoutUsageStillHasALineAndAnOutsiderIsNotLost) {
  std::vector<Provider> more = members;
  more.push_back({"Quiet", "Japan"});
  std::vector<RatedRecord> rated = hand_set();
  RatedRecord outsider = rated[0];
  outsider.record.serving_provider = "Stranger";
  rated.push_back(outsider);
  const SettlementStatement s = settlement_statement(rated, more, november);
  ASSERT_EQ(s.rows.size(), 6u);
  EXPECT_EQ(s.rows[4].provider, "Quiet");
  EXPECT_EQ(s.rows[4].net_micros, 0);
  EXPECT_EQ(s.rows[5].provider, "Stranger");
  EXPECT_EQ(s.rows[5].net_micros, 800'000);
  EXPECT_EQ(imbalance(s), 0);
  // Even a provider id cleaning should have refused ("") keeps its running net.
  std::vector<RatedRecord> nameless = hand_set();
  for (RatedRecord& r : nameless)
    if (r.record.serving_provider == "Demon") r.record.serving_provider = "";
  const SettlementStatement n = settlement_statement(nameless, members, november);
  EXPECT_EQ(n.rows[0].provider, "");
  EXPECT_EQ(n.rows[0].net_micros, 450'000);  // Demon's four served records
  EXPECT_EQ(imbalance(n), 0);
}

// A fixed LCG (Knuth's MMIX constants): the same records on every run and machine.
struct Lcg {
  uint64_t state;
  uint32_t next(uint32_t bound) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((state >> 33) % bound);
  }
};

std::vector<RatedRecord> generated(size_t n, uint64_t seed) {
  const std::vector<Provider> pool = {{"Aimnet", "USA"},        {"Netcom", "USA"},
                                      {"Connect", "Australia"}, {"Demon", "UK"},
                                      {"Telstra", "Australia"}, {"Eunet", "Germany"}};
  Tariffs t = hand_tariffs();
  SettlementRule weekend = rule("c-weekend", Side::consumer, 70'001);
  weekend.weekdays = 0x41;
  SettlementRule first_week = rule("p-first-week", Side::provider, 33'333);
  first_week.first_date = "2026-11-01";
  first_week.last_date = "2026-11-07";
  SettlementRule de_night = rule("c-de-night", Side::consumer, 123'457);
  de_night.serving_country = "Germany";
  de_night.from_s = 20 * 3600 + 1;
  de_night.to_s = 7 * 3600 - 1;
  t.rules.push_back(weekend);
  t.rules.push_back(first_week);
  t.rules.push_back(de_night);
  t.fee = {4'999, 1'234};
  Lcg g{seed};
  std::vector<RatedRecord> out;
  for (size_t i = 0; i < n; ++i) {
    const Provider& s = pool[g.next(static_cast<uint32_t>(pool.size()))];
    const Provider& h = pool[g.next(static_cast<uint32_t>(pool.size()))];
    HistoryRecord r;
    r.entry_id = static_cast<int64_t>(i);
    r.user = "u" + std::to_string(g.next(40)) + "@" + h.id;
    r.session_time_s = 1 + g.next(20'000);
    const int64_t when = nov1 + g.next(30 * 86'400);
    const billing::CivilDate d = billing::civil_from_days(when / 86'400);
    const int64_t sod = when % 86'400;
    char local[32];
    std::snprintf(local, sizeof local, "%04d-%02d-%02d %02d:%02d:%02d", static_cast<int>(d.year),
                  d.month, d.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60));
    r.stop_local = local;
    r.stop_unix = when;
    r.serving_provider = s.id;
    r.serving_country = s.country;
    r.home_provider = h.id;  // sometimes the same: a member's own user at home
    r.home_country = h.country;
    out.push_back(rate(r, t));
  }
  return out;
}

TEST(SettlementReports, GeneratedUsageSumsToZeroExactly) {
  for (uint64_t seed : {1ull, 2ull, 0xdecafull}) {
    const std::vector<RatedRecord> rated = generated(3000, seed);
    for (const RatedRecord& r : rated) ASSERT_TRUE(r.ok()) << refusal_name(r.refusal);
    const SettlementStatement s = settlement_statement(rated, members, november);
    EXPECT_EQ(s.rows.size(), 6u);  // the four members and the two seen only in records
    EXPECT_GT(s.operator_fees_micros, 0);
    EXPECT_GT(s.operator_margin_micros, 0);
    EXPECT_EQ(imbalance(s), 0) << "seed " << seed;
    // Each provider's own reports agree with the statement.
    for (const StatementRow& row : s.rows) {
      EXPECT_EQ(credit_debit_report(rated, row.provider, november).net_micros, row.net_micros);
      EXPECT_EQ(invoice_report(rated, row.provider, november).net_micros, row.net_micros);
    }
  }
}

TEST(SettlementReports, TheZeroSumCheckCatchesNettingThatDropsFees) {
  const std::vector<RatedRecord> rated = generated(3000, 7);
  const SettlementStatement real = settlement_statement(rated, members, november);
  ASSERT_EQ(imbalance(real), 0);
  // Broken netting 1: the home providers are not debited the fees, the operator still
  // counts them.
  std::vector<RatedRecord> no_fees = rated;
  for (RatedRecord& r : no_fees) r.fee_connection_micros = r.fee_time_micros = 0;
  SettlementStatement broken = settlement_statement(no_fees, members, november);
  broken.operator_total_micros = real.operator_total_micros;
  EXPECT_NE(imbalance(broken), 0);
  EXPECT_EQ(imbalance(broken), real.operator_fees_micros);
  // Broken netting 2: the operator's total leaves its fees out.
  SettlementStatement margin_only = real;
  margin_only.operator_total_micros = real.operator_margin_micros;
  EXPECT_EQ(imbalance(margin_only), -real.operator_fees_micros);
  // Broken netting 3: one micro lost in one record's rounding.
  std::vector<RatedRecord> off_by_one = rated;
  off_by_one[42].provider_micros += 1;
  SettlementStatement drift = settlement_statement(off_by_one, members, november);
  drift.operator_total_micros = real.operator_total_micros;
  EXPECT_EQ(imbalance(drift), 1);
}

TEST(SettlementReports, RowsComeOutInTheSameOrderWhateverTheInputOrder) {
  std::vector<RatedRecord> rated = hand_set();
  const std::string before = to_csv(to_table(detail_report(rated, "Demon", november)));
  std::reverse(rated.begin(), rated.end());
  EXPECT_EQ(to_csv(to_table(detail_report(rated, "Demon", november))), before);
}

// --- formats ---

DetailReport tricky_detail() {
  DetailReport d;
  d.provider = "A\"<b>,&";
  d.period = november;
  DetailRow r;
  r.role = Role::served;
  r.serving_country = "USA";
  r.serving_provider = d.provider;
  r.home_provider = "Demon";
  r.user = "=cmd|' /C calc'!A0";
  r.connections = 2;
  r.seconds = 690;
  r.amount_micros = 920'000;
  d.rows = {r};
  return d;
}

TEST(ReportFormat, CsvQuotesAndNeutralisesFormulas) {
  const std::string csv = to_csv(to_table(tricky_detail()));
  EXPECT_NE(csv.find("detail,\"A\"\"<b>,&\",2026-11-01T00:00:00Z,2026-12-01T00:00:00Z\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("served,USA,\"A\"\"<b>,&\",Demon,'=cmd|' /C calc'!A0,2,690,0.92,0.00\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("served_amount,0.92\r\n"), std::string::npos);
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(" pad"), "\" pad\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

TEST(ReportFormat, JsonEscapesStringsAndKeepsMoneyExact) {
  const std::string json = to_json(to_table(tricky_detail()));
  EXPECT_NE(json.find("\"provider\":\"A\\\"<b>,&\""), std::string::npos) << json;
  EXPECT_NE(json.find(",2,690,\"0.92\",\"0.00\"]"), std::string::npos) << json;
  EXPECT_EQ(json_string("a\\b\n\x01\x7f"), "\"a\\\\b\\n\\u0001\\u007f\"");
}

TEST(ReportFormat, HtmlEscapesEveryName) {
  const std::string html = to_html(to_table(tricky_detail()));
  EXPECT_NE(html.find("<td>A&quot;&lt;b&gt;,&amp;</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<title>detail report for A&quot;&lt;b&gt;,&amp;</title>"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&#39;"), std::string::npos);  // the user's quotes
  EXPECT_NE(html.find("<td class=\"num\">0.92</td>"), std::string::npos);
}

TEST(ReportFormat, EveryFormatCarriesTheSameChecksumAndOneCentChangesIt) {
  const Table t = to_table(tricky_detail());
  const std::string sum = checksum(t);
  ASSERT_EQ(sum.size(), 8u + 16u);
  EXPECT_EQ(sum.rfind("fnv1a64:", 0), 0u);
  EXPECT_NE(to_csv(t).find("\r\nchecksum," + sum + "\r\n"), std::string::npos);
  EXPECT_NE(to_json(t).find("\"checksum\":\"" + sum + "\"}"), std::string::npos);
  EXPECT_NE(to_html(t).find("<p class=\"checksum\">" + sum + "</p>"), std::string::npos);
  EXPECT_EQ(checksum(to_table(tricky_detail())), sum);  // deterministic
  DetailReport cent = tricky_detail();
  cent.rows[0].amount_micros += 10'000;
  EXPECT_NE(checksum(to_table(cent)), sum);
  DetailReport micro = tricky_detail();
  micro.rows[0].amount_micros += 1;  // one micro: canonical bytes hold raw micros
  EXPECT_NE(checksum(to_table(micro)), sum);
  DetailReport renamed = tricky_detail();
  renamed.rows[0].user += " ";
  EXPECT_NE(checksum(to_table(renamed)), sum);
}

TEST(ReportFormat, Fnv1aMatchesItsPublishedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(ReportFormat, EveryReportOfTheHandSetFormats) {
  const std::vector<RatedRecord> rated = hand_set();
  const std::string inv = to_csv(to_table(invoice_report(rated, "Aimnet", november)));
  EXPECT_NE(inv.find("Aimnet,Demon,2,690,0.92,0.00,0.00,0.00\r\n"), std::string::npos) << inv;
  EXPECT_NE(inv.find("Netcom,Aimnet,2,1245,0.00,2.075,0.01,0.02075\r\n"), std::string::npos) << inv;
  EXPECT_NE(inv.find("net,-2.724417\r\n"), std::string::npos);
  const std::string st = to_json(to_table(settlement_statement(rated, members, november)));
  EXPECT_NE(st.find("\"operator_total\":\"1.270334\""), std::string::npos) << st;
  const std::string cd = to_html(to_table(credit_debit_report(rated, "Aimnet", november)));
  EXPECT_NE(cd.find("<td>Demon</td><td class=\"num\">0.92</td><td class=\"num\">0.614</td>"),
            std::string::npos)
      << cd;
  const std::string sm = to_csv(to_table(summary_report(rated, "Aimnet", november)));
  EXPECT_NE(sm.find("connections,9\r\n"), std::string::npos) << sm;
}

TEST(ReportFormat, UtcTimesPrintAsIso8601) {
  EXPECT_EQ(utc_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_time(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(utc_time(dec1 - 1), "2026-11-30T23:59:59Z");
}

}  // namespace
}  // namespace gm::settlement
