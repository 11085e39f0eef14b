// Holds what billing charged each account against the rating of the simulator's true usage,
// for the chaos test with money. The truth (sim/truth_log.h) says, per session, which account
// the subscriber named, its true charged seconds, how it ended and what the gateway was told
// (a temporary approval, a final grant). With no gateway power cut, the store must hold each
// session's true usage, so:
//   - exact money: for every account, initial balance - final balance + top-ups equals the sum
//     over its sessions of line_amount(its rate, true charged seconds): one bill line per
//     session (the rate table has no bands or later starts), rounded once, as billing rounds;
//   - no prepaid account ends below minus one interval's charge at its rate (the truth's
//     balance, initial minus the true rating, and the stored one alike);
//   - a session told a final grant ended within one interval of being told (a final grant's
//     limit is at most what the session had used) or never used more than one interval past it;
//   - a session the realm's approval system rejected (its realm asks one, and its account is
//     one the stand-in rejects) ended with cause "auth rejected", or some other way before its
//     temporary approval ran out; and no session it approved ended as rejected.
// Only time rates (second, minute): the truth's octets are not rated here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/billing/money.h"
#include "host/billing/rate.h"

namespace gm::sim {

struct MoneyAccount {
  std::string name;
  bool prepaid = true;
  billing::Rate rate;  // what its sessions are rated at
  billing::Micros initial = 0, final_balance = 0, top_ups = 0;
};

struct MoneySession {
  std::string agent;
  uint64_t session_id = 0;
  std::string subscriber;  // user@realm
  std::string account;     // "" not billed to an account (free)
  uint32_t charged_s = 0;  // the truth's
  int32_t stop_cause = 0;
  bool ended = false;
  uint64_t ended_ms = 0, temporary_ms = 0, final_ms = 0;  // the simulator's clock; 0: never
  uint32_t final_grant_s = 0;                             // 0: no final grant told
};

struct MoneyRules {
  uint32_t interval_s = 60;
  uint32_t temporary_s = 0;                    // the approval realms' temporary approval
  std::vector<std::string> approval_realms;    // realms whose sessions a remote system decides
  std::vector<std::string> rejected_accounts;  // accounts the remote system rejects
};

struct MoneyResult {
  size_t accounts = 0, exact_money = 0, violations = 0;
  billing::Micros overspend_max = 0;  // the deepest a prepaid account went below zero
  billing::Micros debited = 0, rated = 0;  // over all accounts
  size_t prepaid_dry = 0;  // prepaid accounts one of whose sessions was told a final grant
  size_t final_grants = 0, zero_balance_stops = 0;
  uint64_t final_lateness_max_ms = 0;  // from being told a final grant to the session's end
  size_t remote_rejects = 0, remote_rejects_ended = 0;  // ended with cause auth rejected
  std::vector<std::string> problems;  // one line per violation (the first 50)
};

// The most one metering interval of usage can add to a line at this rate, from any point past
// its first unit (the minimum is bought within a grant, never by an overrun).
billing::Micros one_interval_charge(const billing::Rate& rate, uint32_t interval_s);

MoneyResult compare_money(const std::vector<MoneyAccount>& accounts,
                          const std::vector<MoneySession>& sessions, const MoneyRules& rules);

// The inputs, as the chaos test writes them (CSV with a header row, columns found by name):
//   accounts: name, kind (prepaid|postpaid), plan, balance (the initial one, e.g. 0.05)
//   rates:    plan, unit (second|minute), price, increment, minimum (one rate per plan; an
//             account whose plan has none is rated at the default plan's, "")
//   balances: name, balance (billingctl account list --csv at the end)
//   truth:    the simulator's truth file
bool read_money_accounts(const std::string& accounts_path, const std::string& rates_path,
                         const std::string& balances_path, std::vector<MoneyAccount>& out,
                         std::string& error);
bool read_money_sessions(const std::string& truth_path, std::vector<MoneySession>& out,
                         std::string& error);

}  // namespace gm::sim
