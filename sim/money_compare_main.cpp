// gatemeter-money-compare: what billing debited each account against the rating of the
// simulator's true usage (sim/money_compare.h).
//   gatemeter-money-compare --truth F --accounts F --rates F --balances F --interval S
//                           [--temporary-s S] [--approval-realm R]... [--rejected-account A]...
// Prints each violation, a line of what it saw, then as the last line
//   accounts=<N> exact_money=<E> overspend_max=<micro-units> violations=<V>
// exit status 1 if V > 0, 2 on unreadable input.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/money_compare.h"

int main(int argc, char** argv) {
  std::string truth, accounts, rates, balances;
  gm::sim::MoneyRules rules;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], v = argv[i + 1];
    if (flag == "--truth") truth = v;
    else if (flag == "--accounts") accounts = v;
    else if (flag == "--rates") rates = v;
    else if (flag == "--balances") balances = v;
    else if (flag == "--interval") rules.interval_s = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    else if (flag == "--temporary-s") rules.temporary_s = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    else if (flag == "--approval-realm") rules.approval_realms.push_back(v);
    else if (flag == "--rejected-account") rules.rejected_accounts.push_back(v);
    else {
      std::fprintf(stderr, "gatemeter-money-compare: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (truth.empty() || accounts.empty() || rates.empty() || balances.empty() ||
      rules.interval_s == 0 || argc % 2 == 0) {
    std::fprintf(stderr,
                 "usage: gatemeter-money-compare --truth F --accounts F --rates F --balances F "
                 "--interval S [--temporary-s S] [--approval-realm R]... [--rejected-account A]...\n");
    return 2;
  }
  std::vector<gm::sim::MoneyAccount> a;
  std::vector<gm::sim::MoneySession> s;
  std::string error;
  if (!gm::sim::read_money_accounts(accounts, rates, balances, a, error) ||
      !gm::sim::read_money_sessions(truth, s, error)) {
    std::fprintf(stderr, "gatemeter-money-compare: %s\n", error.c_str());
    return 2;
  }
  const gm::sim::MoneyResult r = gm::sim::compare_money(a, s, rules);
  for (const auto& p : r.problems) std::printf("VIOLATION %s\n", p.c_str());
  std::printf("sessions=%zu debited_micros=%" PRId64 " rated_micros=%" PRId64
              " prepaid_dry=%zu final_grants=%zu zero_balance_stops=%zu final_lateness_max_ms=%" PRIu64
              " remote_rejects=%zu remote_rejects_ended=%zu\n",
              s.size(), r.debited, r.rated, r.prepaid_dry, r.final_grants, r.zero_balance_stops,
              r.final_lateness_max_ms, r.remote_rejects, r.remote_rejects_ended);
  std::printf("accounts=%zu exact_money=%zu overspend_max=%" PRId64 " violations=%zu\n", r.accounts,
              r.exact_money, r.overspend_max, r.violations);
  return r.violations == 0 ? 0 : 1;
}
