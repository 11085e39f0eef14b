// The oracle of the chaos test with money: each rule it holds, and that it fails when broken.
#include "sim/money_compare.h"

#include <gtest/gtest.h>

#include "gatemeter.pb.h"

using namespace gm::sim;
using gm::billing::line_amount;
using gm::billing::Micros;
using gm::billing::Rate;
using gm::billing::RateUnit;

namespace {

Rate per_second(Micros price) {
  Rate r;
  r.id = 1;
  r.unit = RateUnit::second;
  r.price = price;
  return r;
}

Rate per_minute(Micros price, uint64_t increment, Micros minimum) {
  Rate r;
  r.id = 2;
  r.unit = RateUnit::minute;
  r.price = price;
  r.increment = increment;
  r.minimum = minimum;
  return r;
}

MoneyAccount account(const std::string& name, const Rate& rate, Micros initial, bool prepaid = true) {
  MoneyAccount a;
  a.name = name;
  a.rate = rate;
  a.initial = a.final_balance = initial;
  a.prepaid = prepaid;
  return a;
}

MoneySession session(uint64_t id, const std::string& account, uint32_t charged,
                     int32_t cause = gatemeter_StopCause_STOP_USER_REQUEST) {
  MoneySession s;
  s.agent = "gw-1";
  s.session_id = id;
  s.subscriber = "sub" + std::to_string(id) + "@hotspot0.example";
  s.account = account;
  s.charged_s = charged;
  s.stop_cause = cause;
  s.ended = true;
  s.ended_ms = 100'000;
  return s;
}

MoneyRules rules() {
  MoneyRules r;
  r.interval_s = 5;
  r.temporary_s = 20;
  r.approval_realms = {"hotspot3.example"};
  r.rejected_accounts = {"rej"};
  return r;
}

}  // namespace

TEST(MoneyCompare, ADebitEqualToTheRatingOfTheTruthIsExactAndOneMicroOffIsNot) {
  const Rate rate = per_second(500);
  MoneyAccount a = account("pre", rate, 100'000);
  const std::vector<MoneySession> s = {session(1, "pre", 30), session(2, "pre", 41),
                                       session(3, "", 90)};  // free: no account
  a.final_balance = a.initial - line_amount(rate, 30) - line_amount(rate, 41);
  MoneyResult r = compare_money({a}, s, rules());
  EXPECT_EQ(r.accounts, 1u);
  EXPECT_EQ(r.exact_money, 1u);
  EXPECT_EQ(r.violations, 0u);
  a.final_balance -= 1;  // a micro-unit debited too much
  r = compare_money({a}, s, rules());
  EXPECT_EQ(r.exact_money, 0u);
  EXPECT_EQ(r.violations, 1u);
}

TEST(MoneyCompare, EachSessionIsOneLineRoundedOnceNotTheAccountsSecondsSummed) {
  const Rate rate = per_minute(10'001, 7, 5'000);
  const uint32_t each = 31;
  ASSERT_NE(2 * line_amount(rate, each), line_amount(rate, 2 * each));  // the test can tell
  MoneyAccount a = account("post", rate, 0, false);
  const std::vector<MoneySession> s = {session(1, "post", each), session(2, "post", each)};
  a.final_balance = -2 * line_amount(rate, each);
  EXPECT_EQ(compare_money({a}, s, rules()).violations, 0u);
  a.final_balance = -line_amount(rate, 2 * each);
  EXPECT_EQ(compare_money({a}, s, rules()).violations, 1u);
}

TEST(MoneyCompare, APrepaidAccountMayEndNoDeeperThanOneIntervalsCharge) {
  const Rate rate = per_second(500);
  const Micros allowance = one_interval_charge(rate, 5);
  EXPECT_EQ(allowance, line_amount(rate, 5));  // a flat per-second rate: five seconds
  MoneyAccount a = account("pre", rate, 1'000);
  std::vector<MoneySession> s = {session(1, "pre", 4)};  // 2,000: ends at -1,000
  a.final_balance = a.initial - line_amount(rate, 4);
  MoneyResult r = compare_money({a}, s, rules());
  EXPECT_EQ(r.violations, 0u);
  EXPECT_EQ(r.overspend_max, line_amount(rate, 4) - a.initial);
  s = {session(1, "pre", 10)};  // ends at -4,000, deeper than 2,500
  a.final_balance = a.initial - line_amount(rate, 10);
  r = compare_money({a}, s, rules());
  EXPECT_EQ(r.violations, 1u);
  EXPECT_EQ(r.exact_money, 1u);  // exact, and still too deep
  // A postpaid account has no floor.
  a.prepaid = false;
  EXPECT_EQ(compare_money({a}, s, rules()).violations, 0u);
}

TEST(MoneyCompare, AnIntervalOfAnIncrementedRateCanCrossAnIncrement) {
  const Rate rate = per_minute(60'000, 30, 0);  // 1,000 per second, in 30 s steps
  // Five seconds that cross a step boundary buy a whole step.
  EXPECT_EQ(one_interval_charge(rate, 5), line_amount(rate, 31) - line_amount(rate, 30));
}

TEST(MoneyCompare, ASessionToldAFinalGrantMustEndWithinAnInterval) {
  const Rate rate = per_second(500);
  MoneyAccount a = account("pre", rate, 1'000'000);
  MoneySession s = session(1, "pre", 21, gatemeter_StopCause_STOP_ZERO_BALANCE);
  s.final_grant_s = 20;
  s.final_ms = 50'000;
  s.ended_ms = 51'000;
  a.final_balance = a.initial - line_amount(rate, s.charged_s);
  MoneyResult r = compare_money({a}, {s}, rules());
  EXPECT_EQ(r.violations, 0u);
  EXPECT_EQ(r.zero_balance_stops, 1u);
  EXPECT_EQ(r.prepaid_dry, 1u);
  // The board kept the subscriber on for 40 s more (and nobody charged it).
  s.stop_cause = gatemeter_StopCause_STOP_USER_REQUEST;
  s.ended_ms = 91'000;
  s.charged_s = 61;
  r = compare_money({a}, {s}, rules());
  EXPECT_EQ(r.violations, 2u);  // ran past the final grant, and the money is short
  // A zero-balance stop with no final grant told is not how billing ends a session.
  s = session(2, "pre", 0, gatemeter_StopCause_STOP_ZERO_BALANCE);
  a.final_balance = a.initial;
  EXPECT_EQ(compare_money({a}, {s}, rules()).violations, 1u);
}

TEST(MoneyCompare, ARemoteRejectMustEndTheSessionAsRejected) {
  const Rate rate = per_second(500);
  MoneyAccount rej = account("rej", rate, 0, false), ok = account("ok", rate, 0, false);
  auto temporary = [](uint64_t id, const std::string& acct, int32_t cause, uint64_t ran_ms) {
    MoneySession s = session(id, acct, 0, cause);
    s.subscriber = "sub@hotspot3.example";
    s.temporary_ms = 10'000;
    s.ended_ms = 10'000 + ran_ms;
    return s;
  };
  const int32_t rejected = gatemeter_StopCause_STOP_AUTH_REJECTED;
  const int32_t user = gatemeter_StopCause_STOP_USER_REQUEST;
  MoneyResult r = compare_money({rej, ok},
                                {temporary(1, "rej", rejected, 3'000),
                                 temporary(2, "rej", user, 2'000),  // left before it came
                                 temporary(3, "ok", user, 60'000)},
                                rules());
  EXPECT_EQ(r.violations, 0u);
  EXPECT_EQ(r.remote_rejects, 2u);
  EXPECT_EQ(r.remote_rejects_ended, 1u);
  // Ran out its whole temporary approval although rejected; approved, yet ended as rejected.
  r = compare_money({rej, ok},
                    {temporary(1, "rej", gatemeter_StopCause_STOP_SESSION_TIMEOUT, 20'000),
                     temporary(3, "ok", rejected, 5'000)},
                    rules());
  EXPECT_EQ(r.violations, 2u);
  // In a realm that asks nobody, the account's name means nothing.
  MoneySession elsewhere = temporary(4, "rej", user, 60'000);
  elsewhere.subscriber = "sub@hotspot1.example";
  EXPECT_EQ(compare_money({rej, ok}, {elsewhere}, rules()).violations, 0u);
}

TEST(MoneyCompare, ASessionOfAnUnknownAccountOrOneThatNeverEndedIsAViolation) {
  MoneyAccount a = account("pre", per_second(500), 1'000);
  MoneySession open = session(1, "pre", 0);
  open.ended = false;
  EXPECT_EQ(compare_money({a}, {open, session(2, "nobody", 0)}, rules()).violations, 2u);
}
