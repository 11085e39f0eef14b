#include "sim/subscriber_script.h"

#include <gtest/gtest.h>

#include <map>

#include "gatemeter.pb.h"

using gm::sim::ScriptEvent;
using gm::sim::SubscriberPlan;
using gm::sim::SubscriberScript;
using Kind = ScriptEvent::Kind;

namespace {
std::vector<ScriptEvent> run(const SubscriberPlan& p, uint64_t until_ms) {
  SubscriberScript s(p, 0);
  std::vector<ScriptEvent> all;
  for (uint64_t t = 0; t <= until_ms; t += 1000) {
    auto d = s.due(t);
    all.insert(all.end(), d.begin(), d.end());
  }
  return all;
}
}  // namespace

TEST(SubscriberScript, SameSeedSameScript) {
  SubscriberPlan p;
  const auto a = run(p, 600'000), b = run(p, 600'000);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].at_ms, b[i].at_ms);
    EXPECT_EQ(a[i].kind, b[i].kind);
  }
  p.seed = 2;
  EXPECT_NE(run(p, 600'000).size(), a.size());
}

TEST(SubscriberScript, EventsComeInTimeOrderAndEverySessionIsDecidedAfterItStarts) {
  SubscriberPlan p;
  p.arrivals_per_minute = 30;
  const auto events = run(p, 900'000);
  std::map<uint32_t, uint64_t> started;
  uint64_t last = 0;
  for (const auto& e : events) {
    EXPECT_GE(e.at_ms, last);
    last = e.at_ms;
    if (e.kind == Kind::start) started[e.subscriber] = e.at_ms;
    else ASSERT_TRUE(started.count(e.subscriber)) << "event before its session started";
  }
  EXPECT_GT(started.size(), 300u);  // ~450 arrivals expected in 15 minutes at 30/min
  EXPECT_LT(started.size(), 600u);
}

TEST(SubscriberScript, MaxSessionsBoundsArrivals) {
  SubscriberPlan p;
  p.arrivals_per_minute = 60;
  p.max_sessions = 10;
  SubscriberScript s(p, 0);
  size_t starts = 0;
  for (uint64_t t = 0; t < 3'600'000; t += 1000)
    for (const auto& e : s.due(t)) starts += e.kind == Kind::start;
  EXPECT_EQ(starts, 10u);
  EXPECT_EQ(s.identity(3), "sub3@hotspot.example");
}

TEST(SubscriberScript, BillingChoiceNamesTheScriptsAccountAndSometimesAsksWithoutIt) {
  SubscriberPlan p;
  p.accounts = {"acct-a", "acct-b"};
  p.anonymous_share = 0.5;
  SubscriberScript s(p, 0);
  size_t anonymous = 0;
  for (uint32_t i = 1; i < 200; ++i) {
    const gm::sim::BillingChoice c = s.billing_choice(i);
    EXPECT_EQ(c.account, i % 2 ? "acct-b" : "acct-a");
    if (i % 10 == 0) {
      EXPECT_EQ(c.option, gatemeter_BillingOption_BILLING_FREE);
      EXPECT_FALSE(c.anonymous);
    }
    if (c.anonymous) {
      ++anonymous;
      EXPECT_EQ(c.option, gatemeter_BillingOption_BILLING_POSTPAID);
    }
    // The same subscriber always chooses the same.
    EXPECT_EQ(s.billing_choice(i).anonymous, c.anonymous);
  }
  EXPECT_GT(anonymous, 40u);
  EXPECT_LT(anonymous, 140u);
  EXPECT_EQ(s.billing_choice(258).address, "10.0.1.2");
}

TEST(SubscriberScript, ARoamingEntryMakesRoamersOfItsHomeRealm) {
  SubscriberPlan p;
  p.accounts = {"acct-a", "roaming:partner.example"};
  p.anonymous_share = 1.0;  // a roamer never asks without: it has no account to name
  SubscriberScript s(p, 0);
  const gm::sim::BillingChoice roamer = s.billing_choice(3);
  EXPECT_EQ(roamer.option, gatemeter_BillingOption_BILLING_ROAMING);
  EXPECT_EQ(roamer.account, "");
  EXPECT_FALSE(roamer.anonymous);
  EXPECT_EQ(s.identity(3), "sub3@partner.example");
  EXPECT_EQ(s.identity(4), "sub4@hotspot.example") << "an account's subscriber is the gateway's";
  EXPECT_EQ(s.billing_choice(4).account, "acct-a");
  EXPECT_EQ(s.billing_choice(30).option, gatemeter_BillingOption_BILLING_FREE)
      << "every tenth is free, roamer or not";
}

TEST(SubscriberScript, BillingChoicesDrawNothingFromTheScript) {
  SubscriberPlan p;
  SubscriberScript plain(p, 0), asked(p, 0);
  for (uint32_t i = 0; i < 50; ++i) asked.billing_choice(i);
  for (uint64_t t = 0; t <= 600'000; t += 1000) {
    const auto a = plain.due(t), b = asked.due(t);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].at_ms, b[i].at_ms);
  }
}
