// Settlement tariffs (settlement_rate.h): precedence, the time, date and weekday windows at
// their edges, per-second rounding, and the named refusals.
#include "host/settlement/settlement_rate.h"

#include <gtest/gtest.h>

#include <limits>

namespace gm::settlement {
namespace {

SettlementRule rule(std::string id, Side side, Micros price) {
  SettlementRule r;
  r.id = std::move(id);
  r.side = side;
  r.price_per_minute = price;
  return r;
}

HistoryRecord record(std::string serving, std::string serving_country, std::string home,
                     uint32_t seconds = 60, std::string local = "2026-11-16 12:00:00") {
  HistoryRecord h;
  h.user = "u@" + home;
  h.serving_provider = std::move(serving);
  h.serving_country = std::move(serving_country);
  h.home_provider = std::move(home);
  h.home_country = "USA";
  h.session_time_s = seconds;
  h.stop_local = std::move(local);
  return h;
}

// A provider side that always matches, so tests of the consumer side rate.
Tariffs with_flat_provider(std::vector<SettlementRule> consumer) {
  Tariffs t;
  t.rules = std::move(consumer);
  t.rules.push_back(rule("p-flat", Side::provider, 60));
  return t;
}

std::string consumer_rule_for(const Tariffs& t, const HistoryRecord& h) {
  const RatedRecord r = rate(h, t);
  return r.ok() ? r.consumer_rule : std::string(refusal_name(r.refusal));
}

TEST(SettlementRate, TheMostSpecificRuleWins) {
  SettlementRule usa = rule("c-usa", Side::consumer, 2);
  usa.serving_country = "USA";
  SettlementRule aimnet = rule("c-usa-aimnet", Side::consumer, 3);
  aimnet.serving_country = "USA";
  aimnet.serving_provider = "Aimnet";
  SettlementRule night = rule("c-usa-night", Side::consumer, 4);  // also two fields
  night.serving_country = "USA";
  night.from_s = 22 * 3600;
  night.to_s = 6 * 3600;
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), usa, aimnet, night});
  EXPECT_EQ(consumer_rule_for(t, record("Aimnet", "USA", "Demon")), "c-usa-aimnet");
  EXPECT_EQ(consumer_rule_for(t, record("Netcom", "USA", "Demon")), "c-usa");
  EXPECT_EQ(consumer_rule_for(t, record("Demon", "UK", "Aimnet")), "c-flat");
  // At night Aimnet matches two rules of two fields each: the smaller id.
  EXPECT_EQ(consumer_rule_for(t, record("Aimnet", "USA", "Demon", 60, "2026-11-16 23:00:00")),
            "c-usa-aimnet");
  EXPECT_EQ(consumer_rule_for(t, record("Netcom", "USA", "Demon", 60, "2026-11-16 23:00:00")),
            "c-usa-night");
}

TEST(SettlementRate, EquallySpecificRulesGoToTheSmallestIdInAnyOrder) {
  SettlementRule b = rule("b", Side::consumer, 2);
  b.serving_country = "USA";
  SettlementRule a = rule("a", Side::consumer, 1);
  a.home_provider = "Demon";
  const HistoryRecord h = record("Aimnet", "USA", "Demon");
  EXPECT_EQ(consumer_rule_for(with_flat_provider({b, a}), h), "a");
  EXPECT_EQ(consumer_rule_for(with_flat_provider({a, b}), h), "a");
}

TEST(SettlementRate, ATimeWindowHoldsItsStartButNotItsEnd) {
  SettlementRule day = rule("c-day", Side::consumer, 2);
  day.from_s = 8 * 3600;
  day.to_s = 18 * 3600;
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), day});
  const auto at = [&](const char* local) {
    return consumer_rule_for(t, record("Aimnet", "USA", "Demon", 60, local));
  };
  EXPECT_EQ(at("2026-11-16 07:59:59"), "c-flat");
  EXPECT_EQ(at("2026-11-16 08:00:00"), "c-day");
  EXPECT_EQ(at("2026-11-16 17:59:59"), "c-day");
  EXPECT_EQ(at("2026-11-16 18:00:00"), "c-flat");
}

TEST(SettlementRate, AWindowPastMidnightWrapsRoundIt) {
  SettlementRule night = rule("c-night", Side::consumer, 2);
  night.from_s = 22 * 3600;
  night.to_s = 6 * 3600;
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), night});
  const auto at = [&](const char* local) {
    return consumer_rule_for(t, record("Aimnet", "USA", "Demon", 60, local));
  };
  EXPECT_EQ(at("2026-11-16 21:59:59"), "c-flat");
  EXPECT_EQ(at("2026-11-16 22:00:00"), "c-night");
  EXPECT_EQ(at("2026-11-16 23:59:59"), "c-night");
  EXPECT_EQ(at("2026-11-17 00:00:00"), "c-night");
  EXPECT_EQ(at("2026-11-17 05:59:59"), "c-night");
  EXPECT_EQ(at("2026-11-17 06:00:00"), "c-flat");
}

TEST(SettlementRate, ADateRangeHoldsBothOfItsDays) {
  SettlementRule xmas = rule("c-xmas", Side::consumer, 2);
  xmas.first_date = "2026-12-24";
  xmas.last_date = "2026-12-26";
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), xmas});
  const auto at = [&](const char* local) {
    return consumer_rule_for(t, record("Aimnet", "USA", "Demon", 60, local));
  };
  EXPECT_EQ(at("2026-12-23 23:59:59"), "c-flat");
  EXPECT_EQ(at("2026-12-24 00:00:00"), "c-xmas");
  EXPECT_EQ(at("2026-12-26 23:59:59"), "c-xmas");
  EXPECT_EQ(at("2026-12-27 00:00:00"), "c-flat");
}

TEST(SettlementRate, AnOpenEndedDateRangeRunsOnForever) {
  SettlementRule from = rule("c-new", Side::consumer, 2);
  from.first_date = "2027-01-01";
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), from});
  EXPECT_EQ(consumer_rule_for(t, record("A", "USA", "B", 60, "2026-12-31 23:59:59")), "c-flat");
  EXPECT_EQ(consumer_rule_for(t, record("A", "USA", "B", 60, "2027-01-01 00:00:00")), "c-new");
  EXPECT_EQ(consumer_rule_for(t, record("A", "USA", "B", 60, "2099-06-01 00:00:00")), "c-new");
}

TEST(SettlementRate, WeekdaysAreThoseOfTheLocalDate) {
  SettlementRule weekend = rule("c-weekend", Side::consumer, 2);
  weekend.weekdays = (1u << 0) | (1u << 6);  // Sunday, Saturday
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1), weekend});
  const auto at = [&](const char* local) {
    return consumer_rule_for(t, record("Aimnet", "USA", "Demon", 60, local));
  };
  EXPECT_EQ(at("2026-12-04 23:59:59"), "c-flat");     // Friday
  EXPECT_EQ(at("2026-12-05 00:00:00"), "c-weekend");  // Saturday
  EXPECT_EQ(at("2026-12-06 23:59:59"), "c-weekend");  // Sunday
  EXPECT_EQ(at("2026-12-07 00:00:00"), "c-flat");     // Monday
}

TEST(SettlementRate, PerSecondBillingRoundsHalfUpOncePerRecord) {
  Micros m = -1;
  ASSERT_TRUE(per_second_amount(1, 1'000'000, m));
  EXPECT_EQ(m, 16'667);  // 1,000,000 / 60 = 16,666.67
  ASSERT_TRUE(per_second_amount(61, 1'000'000, m));
  EXPECT_EQ(m, 1'016'667);  // 61,000,000 / 60 = 1,016,666.67
  ASSERT_TRUE(per_second_amount(30, 1'000'000, m));
  EXPECT_EQ(m, 500'000);
  ASSERT_TRUE(per_second_amount(1, 30, m));
  EXPECT_EQ(m, 1);  // 30 / 60 = 0.5: a half goes up
  ASSERT_TRUE(per_second_amount(1, 29, m));
  EXPECT_EQ(m, 0);  // 0.483
  ASSERT_TRUE(per_second_amount(1, 90, m));
  EXPECT_EQ(m, 2);  // 1.5
  ASSERT_TRUE(per_second_amount(0, 1'000'000, m));
  EXPECT_EQ(m, 0);
}

TEST(SettlementRate, RatesBothSidesAndTheFeeOfOneRecord) {
  Tariffs t;
  t.rules = {rule("c", Side::consumer, 100'000), rule("p", Side::provider, 80'000)};
  t.fee = {5'000, 1'000};
  const RatedRecord r = rate(record("Aimnet", "USA", "Demon", 61), t);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumer_rule, "c");
  EXPECT_EQ(r.provider_rule, "p");
  EXPECT_EQ(r.consumer_micros, 101'667);  // 100,000 * 61 / 60 = 101,666.67
  EXPECT_EQ(r.provider_micros, 81'333);   // 80,000 * 61 / 60 = 81,333.33
  EXPECT_EQ(r.fee_connection_micros, 5'000);
  EXPECT_EQ(r.fee_time_micros, 1'017);  // 1,000 * 61 / 60 = 1,016.67
  EXPECT_EQ(r.fee_micros(), 6'017);
  EXPECT_EQ(r.margin_micros(), 20'334);
}

TEST(SettlementRate, ARecordNoRuleMatchesIsRefusedByName) {
  SettlementRule only_uk = rule("c-uk", Side::consumer, 1);
  only_uk.serving_country = "UK";
  Tariffs t;
  t.rules = {only_uk};
  EXPECT_EQ(rate(record("Aimnet", "USA", "Demon"), t).refusal, RateRefusal::no_consumer_rule);
  EXPECT_EQ(refusal_name(RateRefusal::no_consumer_rule), "no_consumer_rule");
  // The consumer side matches now, the provider side still does not.
  const RatedRecord r = rate(record("Demon", "UK", "Aimnet"), t);
  EXPECT_EQ(r.refusal, RateRefusal::no_provider_rule);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.consumer_micros, 0);
  EXPECT_EQ(rate(record("Demon", "UK", "Aimnet"), Tariffs{}).refusal,
            RateRefusal::no_consumer_rule);
}

TEST(SettlementRate, AMalformedLocalTimeIsRefusedEvenByAFlatTariff) {
  const Tariffs t = with_flat_provider({rule("c-flat", Side::consumer, 1)});
  for (const char* bad :
       {"", "2026-11-16", "2026-11-16T12:00:00", "2026-02-29 12:00:00", "2026-11-16 24:00:00",
        "2026-11-16 12:60:00", "2026-13-01 00:00:00", "2026-11-16 12:00:0x"})
    EXPECT_EQ(rate(record("A", "USA", "B", 60, bad), t).refusal, RateRefusal::bad_local_time)
        << bad;
  EXPECT_TRUE(rate(record("A", "USA", "B", 60, "2028-02-29 23:59:59"), t).ok());
}

TEST(SettlementRate, AnAmountTooLargeForMicrosIsRefusedNotThrown) {
  Tariffs t;
  t.rules = {rule("c", Side::consumer, std::numeric_limits<Micros>::max()),
             rule("p", Side::provider, 1)};
  const RatedRecord r = rate(record("A", "USA", "B", 4'000'000'000u), t);
  EXPECT_EQ(r.refusal, RateRefusal::amount_too_large);
  EXPECT_TRUE(r.consumer_rule.empty());
}

TEST(SettlementRate, TariffProblemsNameTheRule) {
  Tariffs good = with_flat_provider({rule("c", Side::consumer, 1)});
  EXPECT_EQ(tariff_problem(good), "");
  Tariffs dup = good;
  dup.rules.push_back(rule("c", Side::consumer, 2));
  EXPECT_NE(tariff_problem(dup).find("\"c\": duplicate id"), std::string::npos);
  Tariffs empty_window = good;
  empty_window.rules[0].from_s = empty_window.rules[0].to_s = 3600;
  EXPECT_NE(tariff_problem(empty_window).find("time window"), std::string::npos);
  Tariffs bad_date = good;
  bad_date.rules[0].first_date = "2026-11-31";
  EXPECT_NE(tariff_problem(bad_date).find("first_date"), std::string::npos);
  Tariffs backwards = good;
  backwards.rules[0].first_date = "2026-12-02";
  backwards.rules[0].last_date = "2026-12-01";
  EXPECT_NE(tariff_problem(backwards).find("after"), std::string::npos);
  Tariffs negative = good;
  negative.fee.per_minute = -1;
  EXPECT_NE(tariff_problem(negative), "");
  // A rule whose date does not parse matches nothing rather than everything.
  EXPECT_EQ(rate(record("A", "USA", "B"), bad_date).refusal, RateRefusal::no_consumer_rule);
}

}  // namespace
}  // namespace gm::settlement
