#include "sim/money_compare.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "gatemeter.pb.h"
#include "host/billing/billing_error.h"
#include "sim/csv_table.h"

namespace gm::sim {

using billing::Micros;

Micros one_interval_charge(const billing::Rate& rate, uint32_t interval_s) {
  // The step a line's amount takes is periodic in its units (increments and the price's
  // rounding repeat); an hour of starting points covers every period a test rate has.
  Micros most = 0;
  for (uint64_t u = 1; u <= 3600 + rate.increment; ++u)
    most = std::max(most, billing::line_amount(rate, u + interval_s) - billing::line_amount(rate, u));
  return most;
}

MoneyResult compare_money(const std::vector<MoneyAccount>& accounts,
                          const std::vector<MoneySession>& sessions, const MoneyRules& rules) {
  MoneyResult r;
  auto problem = [&](const std::string& what) {
    ++r.violations;
    if (r.problems.size() < 50) r.problems.push_back(what);
  };
  auto in = [](const std::vector<std::string>& list, const std::string& x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  std::map<std::string, const MoneyAccount*> by_name;
  for (const MoneyAccount& a : accounts) by_name[a.name] = &a;
  std::map<std::string, Micros> rated;
  std::map<std::string, bool> told_final;
  const uint64_t interval_ms = uint64_t{rules.interval_s} * 1000;
  for (const MoneySession& s : sessions) {
    const std::string who = s.agent + " session " + std::to_string(s.session_id) + " (" +
                            s.subscriber + ", account " + (s.account.empty() ? "none" : s.account) +
                            ")";
    if (!s.ended) {
      problem(who + ": never ended in the simulator (the run did not drain)");
      continue;
    }
    if (!s.account.empty()) {
      const auto it = by_name.find(s.account);
      if (it == by_name.end()) {
        problem(who + ": names an account the test never made");
        continue;
      }
      rated[s.account] += billing::line_amount(it->second->rate, s.charged_s);
    }
    if (s.final_grant_s != 0) {
      ++r.final_grants;
      told_final[s.account] = true;
      const uint64_t late = s.ended_ms > s.final_ms ? s.ended_ms - s.final_ms : 0;
      r.final_lateness_max_ms = std::max(r.final_lateness_max_ms, late);
      if (late > interval_ms && s.charged_s > uint64_t{s.final_grant_s} + rules.interval_s)
        problem(who + ": told a final grant of " + std::to_string(s.final_grant_s) +
                " charged s, it ran on " + std::to_string(late) + " ms to " +
                std::to_string(s.charged_s) + " charged s");
    }
    if (s.stop_cause == gatemeter_StopCause_STOP_ZERO_BALANCE) {
      ++r.zero_balance_stops;
      if (s.final_grant_s == 0) problem(who + ": ended for zero balance, told no final grant");
    }
    const size_t at = s.subscriber.find('@');
    const std::string realm = at == std::string::npos ? "" : s.subscriber.substr(at + 1);
    if (s.temporary_ms == 0 || !in(rules.approval_realms, realm)) continue;
    const bool rejected = s.stop_cause == gatemeter_StopCause_STOP_AUTH_REJECTED;
    if (!in(rules.rejected_accounts, s.account)) {
      if (rejected) problem(who + ": the approval system approved it, yet it ended as rejected");
      continue;
    }
    ++r.remote_rejects;
    if (rejected) {
      ++r.remote_rejects_ended;
    } else if (const uint64_t ran = s.ended_ms > s.temporary_ms ? s.ended_ms - s.temporary_ms : 0;
               ran >= uint64_t{rules.temporary_s} * 1000) {
      problem(who + ": the approval system rejected it, yet it ran " + std::to_string(ran) +
              " ms from its temporary approval and ended with cause " +
              std::to_string(s.stop_cause));
    }
  }
  for (const MoneyAccount& a : accounts) {
    ++r.accounts;
    const Micros debited = a.initial - a.final_balance + a.top_ups;
    const Micros truth = rated[a.name];
    r.debited += debited;
    r.rated += truth;
    if (debited == truth)
      ++r.exact_money;
    else
      problem("account " + a.name + ": debited " + billing::format_money(debited) +
              ", the rating of its true usage is " + billing::format_money(truth));
    if (!a.prepaid) continue;
    if (told_final[a.name]) ++r.prepaid_dry;
    // What it truly owes and what the store says it holds: neither may go deeper.
    const Micros lowest = std::min(a.final_balance, a.initial + a.top_ups - truth);
    const Micros allowance = one_interval_charge(a.rate, rules.interval_s);
    if (lowest < 0) r.overspend_max = std::max(r.overspend_max, -lowest);
    if (lowest < -allowance)
      problem("prepaid account " + a.name + " ends at " + billing::format_money(lowest) +
              ", below minus one interval's charge (" + billing::format_money(allowance) + ")");
  }
  return r;
}

namespace {

// Reads a CSV file into its header and rows; every row has at least the header's cells.
bool read_table(const std::string& path, std::vector<std::string>& header,
                std::vector<std::vector<std::string>>& rows, std::string& error) {
  std::ifstream f(path);
  std::string line;
  if (!f || !std::getline(f, line)) {
    error = "cannot read " + path + " (or it has no header row)";
    return false;
  }
  header = split_csv_line(line);
  for (int line_no = 2; std::getline(f, line); ++line_no) {
    if (line.empty()) continue;
    rows.push_back(split_csv_line(line));
    if (rows.back().size() < header.size()) {
      error = path + ":" + std::to_string(line_no) + ": fewer cells than the header";
      return false;
    }
  }
  return true;
}

bool columns(const std::string& path, const std::vector<std::string>& header,
             std::initializer_list<const char*> names, std::vector<int>& out, std::string& error) {
  for (const char* n : names) {
    out.push_back(csv_column(header, {n}));
    if (out.back() < 0) {
      error = path + ": no column " + n;
      return false;
    }
  }
  return true;
}

}  // namespace

bool read_money_accounts(const std::string& accounts_path, const std::string& rates_path,
                         const std::string& balances_path, std::vector<MoneyAccount>& out,
                         std::string& error) {
  std::vector<std::string> ah, rh, bh;
  std::vector<std::vector<std::string>> ar, rr, br;
  std::vector<int> a, r, b;
  if (!read_table(accounts_path, ah, ar, error) || !read_table(rates_path, rh, rr, error) ||
      !read_table(balances_path, bh, br, error) ||
      !columns(accounts_path, ah, {"name", "kind", "plan", "balance"}, a, error) ||
      !columns(rates_path, rh, {"plan", "unit", "price", "increment", "minimum"}, r, error) ||
      !columns(balances_path, bh, {"name", "balance"}, b, error))
    return false;
  try {
    std::map<std::string, billing::Rate> rates;
    for (const auto& row : rr) {
      billing::Rate rate;
      rate.id = static_cast<int64_t>(rates.size() + 1);
      rate.plan = row[r[0]];
      rate.unit = billing::parse_rate_unit(row[r[1]]);
      rate.price = billing::parse_money(row[r[2]]);
      rate.increment = std::stoull(row[r[3]]);
      rate.minimum = billing::parse_money(row[r[4]]);
      billing::validate(rate);
      if (!billing::time_based(rate.unit)) {
        error = rates_path + ": plan '" + rate.plan + "': only second and minute rates";
        return false;
      }
      rates[rate.plan] = rate;
    }
    std::map<std::string, Micros> finals;
    for (const auto& row : br) finals[row[b[0]]] = billing::parse_money(row[b[1]]);
    for (const auto& row : ar) {
      MoneyAccount m;
      m.name = row[a[0]];
      m.prepaid = row[a[1]] == "prepaid";
      auto rate = rates.find(row[a[2]]);
      if (rate == rates.end()) rate = rates.find("");
      const auto final_balance = finals.find(m.name);
      if (rate == rates.end() || final_balance == finals.end()) {
        error = "account " + m.name + ": no rate for its plan, or no final balance in " +
                balances_path;
        return false;
      }
      m.rate = rate->second;
      m.initial = billing::parse_money(row[a[3]]);
      m.final_balance = final_balance->second;
      out.push_back(m);
    }
  } catch (const std::exception& e) {  // BillingError, or a count that is not a number
    error = std::string("reading the accounts and rates: ") + e.what();
    return false;
  }
  return true;
}

bool read_money_sessions(const std::string& truth_path, std::vector<MoneySession>& out,
                         std::string& error) {
  std::vector<std::string> h;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> c;
  if (!read_table(truth_path, h, rows, error) ||
      !columns(truth_path, h,
               {"agent", "session_id", "subscriber", "account", "charged_s", "stop_cause_code",
                "ended", "ended_ms", "temporary_ms", "final_grant_s", "final_ms"},
               c, error))
    return false;
  try {
    for (const auto& row : rows) {
      MoneySession s;
      s.agent = row[c[0]];
      s.session_id = std::stoull(row[c[1]]);
      s.subscriber = row[c[2]];
      s.account = row[c[3]];
      s.charged_s = static_cast<uint32_t>(std::stoul(row[c[4]]));
      s.stop_cause = std::stoi(row[c[5]]);
      s.ended = row[c[6]] != "0";
      s.ended_ms = std::stoull(row[c[7]]);
      s.temporary_ms = std::stoull(row[c[8]]);
      s.final_grant_s = static_cast<uint32_t>(std::stoul(row[c[9]]));
      s.final_ms = std::stoull(row[c[10]]);
      out.push_back(s);
    }
  } catch (const std::exception&) {
    error = truth_path + ": a number column does not hold a number";
    return false;
  }
  return true;
}

}  // namespace gm::sim
