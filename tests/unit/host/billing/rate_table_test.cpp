// Which rate prices a piece of usage: plan and default-plan fallback, wildcards, the order of
// specificity (provider, zone, band, service type), effective dating, duplicates.
#include "host/billing/rate_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "host/billing/billing_error.h"
#include "tests/unit/host/billing/expect_billing_error.h"

namespace gm::billing {
namespace {

constexpr int64_t day = 86400;
constexpr int64_t today = 1'780'000'000;  // any instant; rates below start relative to it

Rate rate(int64_t id, std::string plan, int64_t from = 0) {
  Rate r;
  r.id = id;
  r.plan = std::move(plan);
  r.price = 1000 * id;
  r.effective_from_unix = from;
  return r;
}
Rate with(Rate r, std::optional<ServiceType> s, std::optional<Band> b, std::string zone,
          std::string provider) {
  r.service_type = s;
  r.band = b;
  r.zone = std::move(zone);
  r.provider = std::move(provider);
  return r;
}

RateQuery query(std::string plan, int64_t at = today) {
  RateQuery q;
  q.plan = std::move(plan);
  q.service_type = ServiceType::voice;
  q.band = Band::peak;
  q.zone = "north";
  q.provider = "acme";
  q.at_unix = at;
  return q;
}

int64_t found(const RateTable& t, const RateQuery& q) {
  const Rate* r = t.find(q);
  return r ? r->id : 0;
}

TEST(BillingRateTable, TheAccountsPlanIsUsedBeforeTheDefaultPlan) {
  const RateTable t({rate(1, ""), rate(2, "gold")});
  EXPECT_EQ(found(t, query("gold")), 2);
  EXPECT_EQ(found(t, query("")), 1);
  EXPECT_EQ(found(t, query("silver")), 1);  // a plan without rates of its own
}

TEST(BillingRateTable, TheDefaultPlanIsTheFallbackOnlyWhenNoRateOfThePlanApplies) {
  // gold prices only video: voice falls back to the default plan.
  const RateTable video_only({with(rate(1, ""), ServiceType::voice, Band::peak, "north", "acme"),
                              with(rate(2, "gold"), ServiceType::video, std::nullopt, "*", "*")});
  EXPECT_EQ(found(video_only, query("gold")), 1);
  // A gold rate for anything at all is chosen over the most specific default-plan rate.
  const RateTable catch_all(
      {with(rate(1, ""), ServiceType::voice, Band::peak, "north", "acme"), rate(2, "gold")});
  EXPECT_EQ(found(catch_all, query("gold")), 2);
  // A gold rate that starts tomorrow leaves today to the default plan, and takes over at its start.
  const RateTable later({rate(1, ""), rate(2, "gold", today + day)});
  EXPECT_EQ(found(later, query("gold", today)), 1);
  EXPECT_EQ(found(later, query("gold", today + day)), 2);
}

TEST(BillingRateTable, UsageNoRateCoversCannotBeRated) {
  const RateTable t({with(rate(1, ""), ServiceType::video, std::nullopt, "*", "*"),
                     with(rate(2, ""), std::nullopt, Band::offpeak, "*", "*"),
                     with(rate(3, ""), std::nullopt, std::nullopt, "south", "*"),
                     with(rate(4, ""), std::nullopt, std::nullopt, "*", "other"),
                     rate(5, "", today + 1)});
  EXPECT_EQ(t.find(query("gold")), nullptr);
  EXPECT_EQ(RateTable({}).find(query("")), nullptr);
}

TEST(BillingRateTable, NamingTheProviderBeatsNamingEverythingElse) {
  const Rate by_provider = with(rate(1, ""), std::nullopt, std::nullopt, "*", "acme");
  const Rate by_rest = with(rate(2, ""), ServiceType::voice, Band::peak, "north", "*");
  EXPECT_EQ(found(RateTable({by_provider, by_rest}), query("")), 1);
  EXPECT_EQ(found(RateTable({by_rest, by_provider}), query("")),
            1);  // order in the table is no rule
}

TEST(BillingRateTable, ThenTheZoneThenTheBandThenTheServiceType) {
  const Rate zone = with(rate(1, ""), std::nullopt, std::nullopt, "north", "*");
  const Rate band_and_service = with(rate(2, ""), ServiceType::voice, Band::peak, "*", "*");
  EXPECT_EQ(found(RateTable({band_and_service, zone}), query("")), 1);
  const Rate band = with(rate(3, ""), std::nullopt, Band::peak, "*", "*");
  const Rate service = with(rate(4, ""), ServiceType::voice, std::nullopt, "*", "*");
  EXPECT_EQ(found(RateTable({service, band}), query("")), 3);
  const Rate any = rate(5, "");
  EXPECT_EQ(found(RateTable({any, service}), query("")), 4);
  // With everything named, that rate beats every partial one.
  const Rate all = with(rate(6, ""), ServiceType::voice, Band::peak, "north", "acme");
  EXPECT_EQ(found(RateTable({zone, band_and_service, band, service, any, all}), query("")), 6);
  // A rate naming another value does not match at all, however specific.
  const Rate elsewhere = with(rate(7, ""), ServiceType::voice, Band::peak, "south", "acme");
  EXPECT_EQ(found(RateTable({elsewhere, any}), query("")), 5);
}

TEST(BillingRateTable, ARateStartingTomorrowDoesNotApplyTodayAndDoesAtItsStart) {
  const RateTable t({rate(1, "", today - 30 * day), rate(2, "", today + day)});
  EXPECT_EQ(found(t, query("", today)), 1);
  EXPECT_EQ(found(t, query("", today + day - 1)), 1);
  EXPECT_EQ(found(t, query("", today + day)), 2);
  EXPECT_EQ(found(t, query("", today + 365 * day)), 2);
  EXPECT_EQ(found(t, query("", today - 31 * day)), 0);  // before any rate
}

TEST(BillingRateTable, SpecificityComesBeforeNewness) {
  // A newer wildcard rate does not displace an older specific one.
  const RateTable t({with(rate(1, "", today - 100 * day), std::nullopt, Band::peak, "*", "*"),
                     rate(2, "", today - day)});
  EXPECT_EQ(found(t, query("")), 1);
}

TEST(BillingRateTable, TwoRatesThatWouldTieAreRefusedNamingBoth) {
  const Rate a = with(rate(3, "gold", today), ServiceType::voice, Band::peak, "north", "*");
  Rate b = a;
  b.id = 7;
  b.price = 1;
  expect_billing_error([&] { RateTable({a, b}); }, "rates 3 and 7 are the same tariff");
  Rate other_start = b;
  other_start.effective_from_unix = today + 1;
  EXPECT_NO_THROW(RateTable({a, other_start}));
  Rate other_plan = b;
  other_plan.plan = "";
  EXPECT_NO_THROW(RateTable({a, other_plan}));
  Rate same_id = other_start;
  same_id.id = 3;
  expect_billing_error([&] { RateTable({a, same_id}); }, "id 3 is used twice");
  Rate invalid = other_start;
  invalid.increment = 0;
  expect_billing_error([&] { RateTable({a, invalid}); }, "rate 7: increment is 0");
}

TEST(BillingRateTable, AGrantEndsWhereANewRateWouldPriceTheUsage) {
  const RateTable t(
      {rate(1, "", today - day), rate(2, "", today + 5 * day),
       with(rate(3, "", today + 2 * day), std::nullopt, Band::offpeak, "*", "*"),  // another band
       with(rate(4, "", today + 3 * day), std::nullopt, std::nullopt, "south",
            "*"),                       // another zone
       rate(5, "bronze", today + day),  // another plan
       with(rate(6, "", today + 7 * day), std::nullopt, Band::peak, "*", "*")});
  EXPECT_EQ(t.next_change_after(query(""), today), today + 5 * day);
  EXPECT_EQ(t.next_change_after(query(""), today + 5 * day - 1), today + 5 * day);
  EXPECT_EQ(t.next_change_after(query(""), today + 5 * day), today + 7 * day);
  EXPECT_EQ(t.next_change_after(query(""), today + 7 * day), never);
  // The bronze account is priced by its own rate from its start.
  EXPECT_EQ(t.next_change_after(query("bronze"), today), today + day);
}

TEST(BillingRateTable, ANewRateThatWouldNotWinDoesNotEndAGrant) {
  const RateTable t(
      {with(rate(1, "gold", today - day), ServiceType::voice, std::nullopt, "*", "*"),
       rate(2, "gold", today + day),  // less specific than rate 1
       rate(3, "", today + 2 * day),  // default plan: gold still has its rate
       with(rate(4, "gold", today + 3 * day), ServiceType::voice, std::nullopt, "*", "*")});
  EXPECT_EQ(t.next_change_after(query("gold"), today), today + 3 * day);
}

// Random tables over small value sets against the rule restated as a sort: among the rates
// that apply in the first plan that has any, the largest (specificity, effective_from).
TEST(BillingRateTable, FindAndNextChangeAgreeWithTheRuleRestated) {
  std::mt19937_64 rng(17);
  size_t changes_seen = 0, fallbacks_seen = 0;
  const std::vector<std::string> plans = {"", "gold"}, zones = {"*", "north", "south"},
                                 providers = {"*", "acme", "zed"};
  for (int round = 0; round < 300; ++round) {
    std::vector<Rate> rates;
    std::set<std::tuple<std::string, int, int, std::string, std::string, int64_t>> keys;
    for (int i = 0; i < 30; ++i) {
      Rate r = rate(i + 1, plans[rng() % 2], today + static_cast<int64_t>(rng() % 6) * day);
      if (rng() % 2) r.service_type = rng() % 2 ? ServiceType::voice : ServiceType::web;
      if (rng() % 2) r.band = rng() % 2 ? Band::peak : Band::weekend;
      r.zone = zones[rng() % 3];
      r.provider = providers[rng() % 3];
      if (!keys.insert({r.plan, r.service_type ? int(*r.service_type) : -1,
                        r.band ? int(*r.band) : -1, r.zone, r.provider, r.effective_from_unix})
               .second)
        continue;
      rates.push_back(r);
    }
    const RateTable table(rates);
    for (int k = 0; k < 20; ++k) {
      RateQuery q = query(plans[rng() % 2], today + static_cast<int64_t>(rng() % (7 * day)));
      q.service_type = rng() % 2 ? ServiceType::voice : ServiceType::web;
      q.band = rng() % 2 ? Band::peak : Band::offpeak;
      q.zone = zones[1 + rng() % 2];
      q.provider = providers[1 + rng() % 2];
      const auto restated = [&](int64_t at) -> int64_t {
        for (const std::string& plan : {q.plan, std::string()}) {
          std::vector<const Rate*> applying;
          for (const Rate& r : rates)
            if (r.plan == plan && r.effective_from_unix <= at &&
                (!r.service_type || *r.service_type == q.service_type) &&
                (!r.band || *r.band == q.band) && (r.zone == "*" || r.zone == q.zone) &&
                (r.provider == "*" || r.provider == q.provider))
              applying.push_back(&r);
          if (applying.empty()) continue;
          const auto key = [](const Rate* r) {
            return std::tuple(r->provider != "*", r->zone != "*", r->band.has_value(),
                              r->service_type.has_value(), r->effective_from_unix);
          };
          return (*std::max_element(applying.begin(), applying.end(),
                                    [&](const Rate* a, const Rate* b) { return key(a) < key(b); }))
              ->id;
        }
        return 0;
      };
      ASSERT_EQ(found(table, q), restated(q.at_unix));
      if (const Rate* r = table.find(q); r && r->plan != q.plan) ++fallbacks_seen;
      // Nothing changes before next_change_after, and something does at it.
      const int64_t change = table.next_change_after(q, q.at_unix);
      for (int64_t d = 0; d <= 6; ++d) {
        const int64_t start = today + d * day;
        if (start > q.at_unix && start < change) {
          ASSERT_EQ(restated(start), restated(q.at_unix));
        }
      }
      if (change != never) {
        ASSERT_NE(restated(change), restated(q.at_unix));
        ++changes_seen;
      }
    }
  }
  // The random tables reached both rules under test.
  EXPECT_GT(changes_seen, 500u);
  EXPECT_GT(fallbacks_seen, 100u);
}

}  // namespace
}  // namespace gm::billing
