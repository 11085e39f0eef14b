// Grants sized from money (grant.h): a chunk of grant_intervals metering intervals at the rate
// that prices the session, cut to the account's unreserved money, on top of what the session
// was charged already; final when nothing more can be paid for. The last test plays many
// sessions of one account asking and using in random order and checks that their granted
// money never sums to more than the balance.
#include "host/billing/grant.h"

#include <gtest/gtest.h>

#include <random>

#include "host/billing/posix_tz.h"
#include "tests/unit/host/billing/priced_rate.h"

namespace gm::billing {
namespace {

constexpr Micros per_minute = 20'000;  // 0.02 EUR a minute, billed by the minute
Rate minute_rate() {
  return priced(7, RateUnit::minute, per_minute, 60);
}

GrantTerms terms(uint32_t intervals = 3, uint32_t interval_s = 60) {
  GrantTerms t;
  t.grant_intervals = intervals;
  t.interval_s = interval_s;
  return t;
}

TEST(GrantTest, UnreservedIsTheBalanceLessWhatOtherSessionsHoldNeverLessThanNothingEach) {
  // The first holds 5 - 2 = 3; the second was charged beyond its grant and holds nothing.
  EXPECT_EQ(unreserved(10'000'000, {{5'000'000, 2'000'000}, {3'000'000, 4'000'000}}),
            10'000'000 - 3'000'000);
  EXPECT_EQ(unreserved(1'000, {}), 1'000);
  EXPECT_EQ(unreserved(1'000, {{6'000, 0}}), 1'000 - 6'000);  // overrun: negative
}

TEST(GrantTest, AmpleMoneyGrantsGrantIntervalsIntervalsOfChargedTime) {
  const SizedGrant g = size_grant(minute_rate(), {}, 1'000'000, terms(3, 60), 600, false);
  EXPECT_FALSE(g.grant.final);
  EXPECT_EQ(g.grant.charged_s, 3u * 60u);
  EXPECT_EQ(g.grant.octets, 0u) << "a time rate limits time only";
  EXPECT_EQ(g.grant.validity_s, 600u);
  EXPECT_EQ(g.money, 3 * per_minute);
  EXPECT_EQ(g.granted_micros, 3 * per_minute);
}

TEST(GrantTest, ScarceMoneyGrantsWhatItPaysForInWholeIncrements) {
  // 1.5 minutes of money; billed by the whole minute, only one minute is affordable.
  const SizedGrant g =
      size_grant(minute_rate(), {}, per_minute + per_minute / 2, terms(), 600, false);
  EXPECT_FALSE(g.grant.final);
  EXPECT_EQ(g.grant.charged_s, 60u);
  EXPECT_EQ(g.granted_micros, per_minute);
}

TEST(GrantTest, TheGrantComesOnTopOfWhatTheSessionWasChargedAlready) {
  // 100 s committed on the current line: billed as 2 minutes.
  SessionUsage used;
  used.charged_s = 100;
  used.line_rate = 7;
  used.line_units = 100;
  used.amount_micros = 2 * per_minute;
  const SizedGrant g = size_grant(minute_rate(), used, 10'000'000, terms(3, 60), 600, false);
  // The chunk ends at 100 + 180 = 280 s, billed as 5 minutes: 3 minutes more. Those 3 minutes
  // of money buy up to 300 s on the line.
  EXPECT_EQ(g.money, (5 - 2) * per_minute);
  EXPECT_EQ(g.grant.charged_s, 300u);
  EXPECT_EQ(g.granted_micros, 5 * per_minute);

  // The same usage on a line of another rate: the grant starts a new line at this one.
  used.line_rate = 3;
  const SizedGrant h = size_grant(minute_rate(), used, 10'000'000, terms(3, 60), 600, false);
  EXPECT_EQ(h.money, 3 * per_minute);
  EXPECT_EQ(h.grant.charged_s, 100u + 180u);
  EXPECT_EQ(h.granted_micros, 2 * per_minute + 3 * per_minute);
}

TEST(GrantTest, AnOctetRateLimitsOctetsInPlusOut) {
  const Rate mb = priced(9, RateUnit::megabyte, 1'000'000);  // 1 EUR a megabyte, to the octet
  GrantTerms t = terms(2, 60);
  t.interval_octets = 10'000'000;
  SessionUsage used;
  used.octets = 1'000'000;
  used.line_rate = 9;
  used.line_units = 1'000'000;
  used.amount_micros = 1'000'000;
  // 5 EUR of 20 EUR wanted: five more megabytes.
  const SizedGrant g = size_grant(mb, used, 5'000'000, t, 600, false);
  EXPECT_EQ(g.grant.charged_s, 0u);
  EXPECT_EQ(g.grant.octets, 1'000'000u + 5'000'000u);
  EXPECT_EQ(g.granted_micros, 1'000'000 + 5'000'000);
  // Ample money: the chunk, 2 intervals of 10 MB.
  EXPECT_EQ(size_grant(mb, used, 100'000'000, t, 600, false).grant.octets,
            1'000'000u + 20'000'000u);
}

TEST(GrantTest, NoMoneyLeftIsAFinalGrantAtTheCommittedUsage) {
  SessionUsage used;
  used.charged_s = 500;
  used.amount_micros = 9 * per_minute;
  for (const Micros money : {Micros{0}, Micros{-5}, per_minute - 1}) {
    const SizedGrant g = size_grant(minute_rate(), used, money, terms(), 600, false);
    EXPECT_TRUE(g.grant.final) << money;
    EXPECT_FALSE(g.grant.final_redirect);
    EXPECT_EQ(g.grant.charged_s, 500u);
    EXPECT_EQ(g.money, 0);
    EXPECT_EQ(g.granted_micros, 9 * per_minute);
  }
  const SizedGrant walled = size_grant(minute_rate(), {}, 0, terms(), 600, true);
  EXPECT_TRUE(walled.grant.final_redirect);
  EXPECT_EQ(walled.grant.charged_s, 1u) << "0 would say 'no limit'";
}

// The committed totals lag the agent's: a session granted up to 30 s may have used 28 while 10
// are committed. Its update must keep the money its grant holds, whatever the others took since
// (here an overrun left less unreserved than it holds): given back, it would be granted to
// another session too, and the account overspent by what this one used unreported. And a grant
// that adds nothing to what it holds is final: not final, an agent already at its limit would
// run on while it asks again, until the committed totals caught up.
TEST(GrantTest, AnUpdateNeverGivesBackWhatTheSessionsOwnGrantHolds) {
  const Rate rate = priced(3, RateUnit::second, 100);
  SessionUsage used;
  used.charged_s = 10;
  used.amount_micros = line_amount(rate, 10);
  used.line_rate = rate.id;
  used.line_units = 10;
  used.granted_micros = line_amount(rate, 30);
  const Micros holds = used.granted_micros - used.amount_micros;
  // Nothing beyond what it holds: final at the limit it holds, which it still holds.
  for (const Micros unreserved_money : {Micros{0}, holds / 2, holds, Micros{-500}}) {
    const SizedGrant g = size_grant(rate, used, unreserved_money, terms(3, 5), 600, false);
    EXPECT_TRUE(g.grant.final) << unreserved_money;
    EXPECT_EQ(g.grant.charged_s, 30u) << unreserved_money;
    EXPECT_EQ(g.granted_micros, used.granted_micros) << unreserved_money;
  }
  // A second's worth more than it holds: not final, and the limit grows past it.
  const SizedGrant g = size_grant(rate, used, holds + 100, terms(6, 5), 600, false);
  EXPECT_FALSE(g.grant.final);
  EXPECT_EQ(g.grant.charged_s, 31u);
  // Ample money: the larger of what it holds (to 30 s) and a chunk of 15 s from the committed 10.
  EXPECT_EQ(size_grant(rate, used, 1'000'000, terms(3, 5), 600, false).grant.charged_s, 30u);
  EXPECT_EQ(size_grant(rate, used, 1'000'000, terms(6, 5), 600, false).grant.charged_s, 40u);
  used.granted_micros = 0;  // no earlier grant: the chunk alone
  EXPECT_EQ(size_grant(rate, used, 1'000'000, terms(3, 5), 600, false).grant.charged_s, 25u);
}

// At a 7 s increment, 25 committed seconds were charged as 28: with no money left the grant is
// final at 28, the end of what was paid for. Not final there, it would tell an agent that may be
// past 28 already (its own total runs ahead of the committed one) to go on and ask again.
TEST(GrantTest, NoMoneyLeftIsFinalAtTheEndOfTheIncrementAlreadyCharged) {
  const Rate rate = priced(8, RateUnit::minute, 20'001, 7, 5'000);
  SessionUsage used;
  used.charged_s = 25;
  used.amount_micros = line_amount(rate, 25);
  used.line_rate = rate.id;
  used.line_units = 25;
  ASSERT_EQ(line_amount(rate, 28), used.amount_micros);  // 28 s cost what 25 s did
  ASSERT_GT(line_amount(rate, 29), used.amount_micros);
  const Micros next_step = line_amount(rate, 29) - used.amount_micros;
  for (const Micros money : {Micros{0}, next_step - 1}) {
    const SizedGrant g = size_grant(rate, used, money, terms(3, 5), 600, false);
    EXPECT_TRUE(g.grant.final) << money;
    EXPECT_EQ(g.grant.charged_s, 28u) << money;
    EXPECT_EQ(g.granted_micros, used.amount_micros) << money;
  }
  const SizedGrant g = size_grant(rate, used, next_step, terms(3, 5), 600, false);
  EXPECT_FALSE(g.grant.final);
  EXPECT_EQ(g.grant.charged_s, 35u);
}

TEST(GrantTest, ALineMinimumTheMoneyCannotCoverBuysNothing) {
  const Rate r = priced(4, RateUnit::second, 100, 1, 50'000);
  EXPECT_TRUE(size_grant(r, {}, 49'999, terms(), 600, false).grant.final);
  const SizedGrant g = size_grant(r, {}, 50'000, terms(), 600, false);
  EXPECT_FALSE(g.grant.final);
  // The minimum covers the first 500 s (500 x 100 micros).
  EXPECT_EQ(g.grant.charged_s, 500u);
  EXPECT_EQ(g.granted_micros, 50'000);
}

TEST(GrantTest, AFreeRateGrantsTheMostACounterCanHoldForNothing) {
  const SizedGrant g = size_grant(priced(5, RateUnit::second, 0), {}, 0, terms(), 600, false);
  EXPECT_FALSE(g.grant.final);
  EXPECT_EQ(g.grant.charged_s, UINT32_MAX);
  EXPECT_EQ(g.granted_micros, 0);
}

TEST(GrantTest, ValidityEndsAtTheFirstBandOrRateChange) {
  const int64_t now = 1'800'000'000;
  EXPECT_EQ(grant_validity(3600, now, never, never), 3600u);
  EXPECT_EQ(grant_validity(3600, now, now + 100, never), 100u);
  EXPECT_EQ(grant_validity(3600, now, now + 100, now + 50), 50u);
  EXPECT_EQ(grant_validity(3600, now, never, now + 7200), 3600u);
  EXPECT_EQ(grant_validity(3600, now, now, never), 1u) << "never 0: that is 'no limit'";
}

// Sessions of one account asking for grants and using them in random order, each grant sized
// from what the others hold at that moment, each use debited as the rater would: at no point
// do the sessions' granted money sum to more than the balance they started from, and no
// session's charge passes its grant.
TEST(GrantTest, SessionsOfOneAccountAskingInAnyOrderNeverShareTheSameMoney) {
  std::mt19937_64 rng(20261201);
  for (int round = 0; round < 300; ++round) {
    const Micros start_balance = static_cast<Micros>(rng() % 3'000'000);
    const bool by_minute = rng() % 2 == 0;
    const Rate rate =
        by_minute
            ? priced(1, RateUnit::minute, 1 + static_cast<Micros>(rng() % 50'000), 1 + rng() % 90,
                     static_cast<Micros>(rng() % 3) * 7'000)
            : priced(1, RateUnit::second, 1 + static_cast<Micros>(rng() % 900), 1 + rng() % 30);
    const size_t n = 2 + rng() % 5;
    struct Session {
      SessionUsage usage;
      uint64_t limit = 0;
      Micros granted = 0;
      bool final = false;  // the agent ends the session at what it has used
    };
    std::vector<Session> s(n);
    Micros balance = start_balance;
    const GrantTerms t =
        terms(1 + static_cast<uint32_t>(rng() % 4), 30 + static_cast<uint32_t>(rng() % 60));
    for (int step = 0; step < 60; ++step) {
      const size_t i = rng() % n;
      if (rng() % 2 == 0) {
        std::vector<Reservation> others;
        for (size_t k = 0; k < n; ++k)
          if (k != i) others.push_back({s[k].granted, s[k].usage.amount_micros});
        const SizedGrant g =
            size_grant(rate, s[i].usage, unreserved(balance, others), t, 600, false);
        s[i].granted = g.granted_micros;
        s[i].limit = g.grant.charged_s;
        s[i].final = g.grant.final;
      } else if (!s[i].final && s[i].limit > s[i].usage.charged_s) {
        // Use some of the grant; the commit debits what the line's new amount adds.
        const uint64_t used =
            s[i].usage.charged_s + 1 + rng() % (s[i].limit - s[i].usage.charged_s);
        const Micros amount = line_amount(rate, used);
        balance -= amount - s[i].usage.amount_micros;
        s[i].usage = {used, 0, amount, rate.id, used};
      }
      Micros granted_sum = 0;
      for (const Session& x : s) {
        EXPECT_LE(x.usage.amount_micros, std::max(x.granted, Micros{0}));
        granted_sum += std::max(x.granted, x.usage.amount_micros);
      }
      ASSERT_LE(granted_sum, start_balance) << "round " << round << " step " << step;
      ASSERT_GE(balance, 0);
    }
  }
}

}  // namespace
}  // namespace gm::billing
