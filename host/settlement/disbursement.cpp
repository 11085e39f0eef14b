#include "host/settlement/disbursement.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>
#include <utility>

#include "host/billing/billing_error.h"
#include "host/billing/civil_date.h"
#include "host/billing/money.h"

namespace gm::settlement {

namespace {

using billing::BillingError;
using billing::checked_add;
using billing::checked_sub;
using billing::seconds_per_day;

std::string when(int64_t unix) {
  const billing::CivilDate d = billing::civil_from_days(billing::floor_div(unix, seconds_per_day));
  const int64_t sod = billing::floor_mod(unix, seconds_per_day);
  char out[48];
  std::snprintf(out, sizeof out, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(d.year),
                d.month, d.day, static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return out;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// --- an exact floor of a sum of fractions ---
//
// Withhold's matched amount is floor(sum credit * received / debt) over debtors with different
// debts. Their common denominator is the product of the debts: beyond __int128 from three
// debtors on, so the fractional parts are added as unsigned big integers (base 2^32 digits,
// least significant first). A few dozen debtors make a few thousand bits: cheap, and exact.
using Big = std::vector<uint32_t>;

void trim(Big& a) {
  while (!a.empty() && a.back() == 0) a.pop_back();
}

Big big_mul(const Big& a, uint64_t m) {
  Big out;
  unsigned __int128 carry = 0;  // < 2^32 * 2^64 + 2^64: fits
  for (uint32_t digit : a) {
    carry += static_cast<unsigned __int128>(digit) * m;
    out.push_back(static_cast<uint32_t>(carry));
    carry >>= 32;
  }
  for (; carry != 0; carry >>= 32) out.push_back(static_cast<uint32_t>(carry));
  trim(out);
  return out;
}

Big big_add(const Big& a, const Big& b) {
  Big out;
  uint64_t carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry != 0; ++i) {
    carry += (i < a.size() ? a[i] : 0ull) + (i < b.size() ? b[i] : 0ull);
    out.push_back(static_cast<uint32_t>(carry));
    carry >>= 32;
  }
  trim(out);
  return out;
}

bool big_less(const Big& a, const Big& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  for (size_t i = a.size(); i-- > 0;)
    if (a[i] != b[i]) return a[i] < b[i];
  return false;
}

void big_sub(Big& a, const Big& b) {  // a >= b
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t d = static_cast<int64_t>(a[i]) - (i < b.size() ? b[i] : 0) - borrow;
    borrow = d < 0 ? 1 : 0;
    a[i] = static_cast<uint32_t>(d + (borrow << 32));
  }
  trim(a);
}

// Sum of non-negative fractions, held as a whole part and an exact fraction below 1.
class ExactSum {
 public:
  void add_whole(uint64_t v) { whole_ += v; }
  void add(unsigned __int128 num, uint64_t den) {
    whole_ += num / den;
    const uint64_t r = static_cast<uint64_t>(num % den);
    if (r == 0) return;
    num_ = big_add(big_mul(num_, den), big_mul(den_, r));
    den_ = big_mul(den_, den);
    // Both fractions were below 1, so the sum is below 2: one carry at most.
    if (!big_less(num_, den_)) {
      big_sub(num_, den_);
      ++whole_;
    }
  }
  unsigned __int128 floor() const { return whole_; }

 private:
  unsigned __int128 whole_ = 0;
  Big num_;
  Big den_ = {1};
};

// --- validation ---

struct PeriodInfo {
  int64_t to = 0;
  int64_t closed = 0;
  size_t first_net = 0;  // the net that introduced it, for messages
};

int64_t due(int64_t closed, int64_t days) {
  int64_t span = 0, out = 0;
  if (__builtin_mul_overflow(days, seconds_per_day, &span) ||
      __builtin_add_overflow(closed, span, &out))
    throw BillingError("the due date " + std::to_string(days) + " days after " +
                       std::to_string(closed) + " does not fit in 64-bit unix seconds");
  return out;
}

template <class Money>
std::string money_name(const char* kind, const Money& m, size_t i, bool indexed) {
  return std::string(kind) + (indexed ? " " + std::to_string(i) : "") + " (" + quoted(m.provider) +
         " " + quoted(m.reference) + ")";
}

// A receipt's or payment's own fields, against the known providers and the references used.
// The name is made only for a problem: validation runs before every computation.
template <class Money>
std::string money_problem(const char* kind, size_t i, bool indexed, const Money& m,
                          const std::set<std::string>& known,
                          const std::set<std::pair<std::string, std::string>>& used) {
  const auto name = [&] { return money_name(kind, m, i, indexed); };
  if (m.provider.empty()) return name() + ": no provider";
  if (!known.contains(m.provider)) return name() + ": " + m.provider + " is not a member";
  if (m.amount_micros <= 0)
    return name() + ": amount " + billing::format_money(m.amount_micros) + " is not positive";
  if (m.reference.empty())
    return name() + ": no reference (a reference keeps it from counting twice)";
  if (used.contains({m.provider, m.reference}))
    return name() + ": reference already recorded for " + m.provider + " (the same money twice)";
  return "";
}

std::set<std::string> known_providers(const DisbursementState& s) {
  std::set<std::string> known(s.members.begin(), s.members.end());
  for (const PeriodNet& n : s.nets) known.insert(n.provider);
  known.erase("");
  return known;
}

std::string state_problem(const DisbursementState& s) {
  const DisbursementTerms& t = s.terms;
  if (t.policy != DisbursementPolicy::guaranteed && t.policy != DisbursementPolicy::withhold)
    return "terms: unknown policy " + std::to_string(static_cast<int32_t>(t.policy));
  if (t.payment_days < 0)
    return "terms: payment_days " + std::to_string(t.payment_days) + " is negative";
  if (t.payout_days < 0)
    return "terms: payout_days " + std::to_string(t.payout_days) + " is negative";
  if (t.payout_days < t.payment_days)
    return "terms: payout_days " + std::to_string(t.payout_days) + " is before payment_days " +
           std::to_string(t.payment_days) + " (creditors are paid after debtors pay)";
  for (size_t i = 0; i < s.members.size(); ++i)
    if (s.members[i].empty()) return "member " + std::to_string(i) + ": no provider id";

  std::map<int64_t, PeriodInfo> periods;
  std::map<std::pair<int64_t, std::string>, Micros> net_of;
  for (size_t i = 0; i < s.nets.size(); ++i) {
    const PeriodNet& n = s.nets[i];
    const auto name = [&] {
      return "net " + std::to_string(i) + " (" + quoted(n.provider) + ", " + when(n.period_from) +
             ")";
    };
    if (n.provider.empty()) return name() + ": no provider";
    if (n.period_to <= n.period_from) return name() + ": the period ends before it starts";
    if (n.closed_unix < n.period_to)
      return name() + ": closed at " + when(n.closed_unix) + ", before the period ends";
    try {
      due(n.closed_unix, t.payout_days);  // payout_days >= payment_days: the later date
    } catch (const BillingError& e) {
      return name() + ": " + e.what();
    }
    if (!net_of.emplace(std::pair{n.period_from, n.provider}, n.net_micros).second)
      return name() + ": a second net for the provider in that period";
    const auto [it, fresh] =
        periods.emplace(n.period_from, PeriodInfo{n.period_to, n.closed_unix, i});
    if (!fresh && (it->second.to != n.period_to || it->second.closed != n.closed_unix))
      return name() + ": its period's end or close differs from net " +
             std::to_string(it->second.first_net) + "'s";
  }
  for (auto it = periods.begin(); it != periods.end() && std::next(it) != periods.end(); ++it) {
    const auto next = std::next(it);
    const auto name = [&] { return "period " + when(next->first); };
    if (next->first < it->second.to)
      return name() + ": overlaps the period from " + when(it->first);
    // Receipts go to the oldest debt first: a period closing after a later one would take
    // money the later one's creditors may already have been paid from.
    if (next->second.closed < it->second.closed)
      return name() + ": closed before the earlier period from " + when(it->first);
  }
  const std::set<std::string> known = known_providers(s);

  std::set<std::tuple<int64_t, std::string, std::string>> pairs;
  std::map<std::pair<int64_t, std::string>, Micros> credited;
  for (size_t i = 0; i < s.credits.size(); ++i) {
    const PairCredit& c = s.credits[i];
    const auto name = [&] {
      return "credit " + std::to_string(i) + " (" + quoted(c.creditor) + " from " +
             quoted(c.debtor) + ", " + when(c.period_from) + ")";
    };
    if (c.creditor.empty() || c.debtor.empty()) return name() + ": no provider";
    if (!periods.contains(c.period_from)) return name() + ": no closed period starts then";
    if (!net_of.contains({c.period_from, c.creditor}))
      return name() + ": " + c.creditor + " has no net in that period";
    if (!net_of.contains({c.period_from, c.debtor}))
      return name() + ": " + c.debtor + " has no net in that period";
    if (c.credit_micros < 0)
      return name() + ": credit " + billing::format_money(c.credit_micros) + " is negative";
    if (!pairs.emplace(c.period_from, c.creditor, c.debtor).second)
      return name() + ": a second credit for the same pair and period";
    Micros& sum = credited[{c.period_from, c.creditor}];
    sum = checked_add(sum, c.credit_micros);
  }
  if (t.policy == DisbursementPolicy::withhold) {
    // net = credits - debits, debits >= 0: a creditor whose credits fall short of its net has
    // credits missing, and withhold would never let it be paid in full.
    for (const auto& [key, net] : net_of) {
      const auto c = credited.find(key);
      const Micros sum = c == credited.end() ? 0 : c->second;
      if (net > 0 && sum < net)
        return "period " + when(key.first) + ": " + key.second + "'s credits (" +
               billing::format_money(sum) + ") are less than its net (" + billing::format_money(net) +
               "): withhold matches on every credit";
    }
  }

  std::map<std::string, Micros> owed_ever;  // sum of positive nets
  for (const auto& [key, net] : net_of) {
    checked_sub(0, net);  // a debt must fit too
    if (net > 0) owed_ever[key.second] = checked_add(owed_ever[key.second], net);
  }
  std::set<std::pair<std::string, std::string>> used;
  std::map<std::string, Micros> received;
  for (size_t i = 0; i < s.receipts.size(); ++i) {
    const Receipt& r = s.receipts[i];
    const std::string why = money_problem("receipt", i, true, r, known, used);
    if (!why.empty()) return why;
    used.emplace(r.provider, r.reference);
    Micros& total = received[r.provider];
    total = checked_add(total, r.amount_micros);
  }
  used.clear();
  std::map<std::string, Micros> paid;
  for (size_t i = 0; i < s.payments.size(); ++i) {
    const Payment& p = s.payments[i];
    const std::string why = money_problem("payment", i, true, p, known, used);
    if (!why.empty()) return why;
    used.emplace(p.provider, p.reference);
    Micros& total = paid[p.provider];
    total = checked_add(total, p.amount_micros);
    if (total > owed_ever[p.provider])
      return money_name("payment", p, i, true) + ": " + p.provider + " would be paid " +
             billing::format_money(total) + " in all, more than its positive nets (" +
             billing::format_money(owed_ever[p.provider]) + ")";
  }
  for (const auto& [provider, line] : s.credit_lines) {
    if (!known.contains(provider)) return "credit line of " + quoted(provider) + ": not a member";
    if (line < 0)
      return "credit line of " + provider + ": " + billing::format_money(line) + " is negative";
  }
  for (const auto& [provider, net] : s.open_nets)
    if (!known.contains(provider)) return "open net of " + quoted(provider) + ": not a member";
  return "";
}

// --- the figures ---

struct Figures {
  std::map<std::pair<int64_t, std::string>, DisbursementRow> rows;
  std::map<std::string, Exposure> exposure;  // every known provider
  std::map<std::string, Micros> payable;     // creditors
  std::map<std::string, Micros> due_entitled;
  std::map<std::string, Micros> paid;
  DisbursementTotals totals;
};

void add_to(Micros& total, Micros v) {
  total = checked_add(total, v);
}

Micros debt_of(const DisbursementRow& r) {
  return r.net_micros < 0 ? checked_sub(0, r.net_micros) : 0;
}

void require_valid(const DisbursementState& s) {
  const std::string why = disbursement_problem(s);
  if (!why.empty()) throw BillingError("disbursement: " + why);
}

// `checked`: the caller has just checked the state (one check per call is enough).
Figures compute(const DisbursementState& s, int64_t now, bool checked = false) {
  if (!checked) require_valid(s);
  const DisbursementTerms& t = s.terms;
  Figures f;
  std::map<int64_t, bool> payout_due;  // by period
  for (const PeriodNet& n : s.nets) {
    DisbursementRow& r = f.rows[{n.period_from, n.provider}];
    r.period_from = n.period_from;
    r.period_to = n.period_to;
    r.provider = n.provider;
    r.net_micros = n.net_micros;
    r.role = n.net_micros < 0   ? DisbursementRole::owes
             : n.net_micros > 0 ? DisbursementRole::is_owed
                                : DisbursementRole::even;
    r.due_unix = r.role == DisbursementRole::owes      ? due(n.closed_unix, t.payment_days)
                 : r.role == DisbursementRole::is_owed ? due(n.closed_unix, t.payout_days)
                                                       : 0;
    payout_due[n.period_from] = due(n.closed_unix, t.payout_days) <= now;
  }
  // Each provider's rows in period order (the map's order is period, then provider).
  std::map<std::string, std::vector<DisbursementRow*>> by_provider;
  for (auto& [key, row] : f.rows) by_provider[row.provider].push_back(&row);

  for (const std::string& p : known_providers(s)) f.exposure[p].provider = p;
  for (const Receipt& r : s.receipts) {
    add_to(f.exposure[r.provider].balance_micros, r.amount_micros);
    add_to(f.totals.received_micros, r.amount_micros);
  }
  for (const Payment& p : s.payments) {
    add_to(f.paid[p.provider], p.amount_micros);
    add_to(f.totals.paid_micros, p.amount_micros);
  }

  // Receipts to debts, oldest first; what is left is a prepayment.
  for (auto& [provider, rows] : by_provider) {
    Micros left = f.exposure[provider].balance_micros;  // its receipts, so far
    for (DisbursementRow* r : rows) {
      if (r->role != DisbursementRole::owes) continue;
      const Micros debt = debt_of(*r);
      r->received_micros = std::min(left, debt);
      left -= r->received_micros;
      r->outstanding_micros = debt - r->received_micros;
      r->overdue = now > r->due_unix && r->outstanding_micros > 0;
      if (payout_due[r->period_from]) add_to(f.totals.pool_micros, r->received_micros);
    }
    add_to(f.totals.prepaid_micros, left);
  }

  // Entitlements.
  std::map<std::pair<int64_t, std::string>, std::vector<const PairCredit*>> credits_of;
  for (const PairCredit& c : s.credits) credits_of[{c.period_from, c.creditor}].push_back(&c);
  for (auto& [key, r] : f.rows) {
    if (r.role != DisbursementRole::is_owed) continue;
    if (t.policy == DisbursementPolicy::guaranteed) {
      r.entitled_micros = r.net_micros;
    } else {
      ExactSum matched;
      for (const PairCredit* c : credits_of[key]) {
        const DisbursementRow& d = f.rows.at({c->period_from, c->debtor});
        const uint64_t credit = static_cast<uint64_t>(c->credit_micros);
        if (d.role != DisbursementRole::owes) {
          matched.add_whole(credit);  // owes nothing: fraction 1
        } else if (d.received_micros > 0) {
          matched.add(
              static_cast<unsigned __int128>(credit) * static_cast<uint64_t>(d.received_micros),
              static_cast<uint64_t>(debt_of(d)));
        }
      }
      const unsigned __int128 floor = matched.floor();
      r.entitled_micros = floor < static_cast<unsigned __int128>(r.net_micros)
                              ? static_cast<Micros>(floor)
                              : r.net_micros;
    }
  }

  // Payments to periods, oldest first: to what is due and payable, then (only if the policy
  // changed under them) to the rest of the nets.
  std::map<std::string, Micros> claims;
  for (auto& [provider, rows] : by_provider) {
    Micros& due_total = f.due_entitled[provider];
    for (DisbursementRow* r : rows)
      if (r->role == DisbursementRole::is_owed && r->due_unix <= now)
        add_to(due_total, r->entitled_micros);
    Micros left = f.paid[provider];
    for (int pass = 0; pass < 2; ++pass) {
      for (DisbursementRow* r : rows) {
        if (r->role != DisbursementRole::is_owed) continue;
        const Micros cap =
            pass == 0 ? (r->due_unix <= now ? r->entitled_micros : 0) : r->net_micros;
        const Micros take = std::min(left, std::max<Micros>(0, cap - r->paid_micros));
        r->paid_micros += take;
        left -= take;
      }
    }
    for (DisbursementRow* r : rows)
      if (r->role == DisbursementRole::is_owed)
        r->outstanding_micros = r->net_micros - r->paid_micros;
    claims[provider] = std::max<Micros>(0, due_total - f.paid[provider]);
  }

  // What may be paid now.
  Micros claimed = 0;
  for (const auto& [provider, c] : claims) add_to(claimed, c);
  const Micros left = std::max<Micros>(0, f.totals.pool_micros - f.totals.paid_micros);
  for (const auto& [provider, c] : claims) {
    Micros& pay = f.payable[provider];
    if (t.policy == DisbursementPolicy::guaranteed || claimed <= left)
      pay = c;
    else  // a shortfall: what is left, shared in proportion to the claims, rounded down
      pay = static_cast<Micros>(static_cast<__int128>(c) * left / claimed);
    add_to(f.totals.payable_micros, pay);
    Micros share = pay;
    for (DisbursementRow* r : by_provider[provider]) {
      if (r->role != DisbursementRole::is_owed || r->due_unix > now) continue;
      r->payable_micros = std::min(share, std::max<Micros>(0, r->entitled_micros - r->paid_micros));
      share -= r->payable_micros;
    }
  }

  // Exposure.
  for (const PeriodNet& n : s.nets) {
    add_to(f.exposure[n.provider].balance_micros, n.net_micros);
    f.totals.retained_micros = checked_sub(f.totals.retained_micros, n.net_micros);
  }
  for (auto& [provider, e] : f.exposure) {
    e.balance_micros = checked_sub(e.balance_micros, f.paid[provider]);
    const auto open = s.open_nets.find(provider);
    const auto line = s.credit_lines.find(provider);
    e.open_net_micros = open == s.open_nets.end() ? 0 : open->second;
    e.credit_line_micros = line == s.credit_lines.end() ? 0 : line->second;
    e.available_micros =
        checked_add(checked_add(e.balance_micros, e.open_net_micros), e.credit_line_micros);
    e.refused = e.available_micros < 0;
    add_to(f.totals.balances_micros, e.balance_micros);
  }
  f.totals.cash_micros = checked_sub(f.totals.received_micros, f.totals.paid_micros);
  return f;
}

}  // namespace

std::string_view policy_name(DisbursementPolicy p) {
  return p == DisbursementPolicy::withhold ? "withhold" : "guaranteed";
}

std::string_view disbursement_role_name(DisbursementRole r) {
  switch (r) {
    case DisbursementRole::owes: return "owes";
    case DisbursementRole::is_owed: return "is owed";
    case DisbursementRole::even: return "even";
  }
  return "even";
}

std::string disbursement_problem(const DisbursementState& s) {
  try {
    return state_problem(s);
  } catch (const BillingError& e) {
    return e.what();
  }
}

std::string receipt_problem(const DisbursementState& s, const Receipt& r) {
  std::string why = disbursement_problem(s);
  if (!why.empty()) return why;
  std::set<std::pair<std::string, std::string>> used;
  for (const Receipt& old : s.receipts) used.emplace(old.provider, old.reference);
  why = money_problem("receipt", 0, false, r, known_providers(s), used);
  if (!why.empty()) return why;
  Micros total = r.amount_micros;
  for (const Receipt& old : s.receipts) {
    if (__builtin_add_overflow(total, old.amount_micros, &total))
      return money_name("receipt", r, 0, false) + ": the receipts' total would overflow";
  }
  return "";
}

std::string payment_problem(const DisbursementState& s, const Payment& p, int64_t now) {
  std::string why = disbursement_problem(s);
  if (!why.empty()) return why;
  const std::string name = money_name("payment", p, 0, false);
  std::set<std::pair<std::string, std::string>> used;
  for (const Payment& old : s.payments) used.emplace(old.provider, old.reference);
  why = money_problem("payment", 0, false, p, known_providers(s), used);
  if (!why.empty()) return why;
  const Figures f = compute(s, now, true);
  const auto it = f.payable.find(p.provider);
  const Micros can = it == f.payable.end() ? 0 : it->second;
  if (p.amount_micros > can)
    return name + ": " + billing::format_money(p.amount_micros) + " is more than is payable to " +
           p.provider + " now (" + billing::format_money(can) + ", " +
           std::string(policy_name(s.terms.policy)) + ")";
  return "";
}

DisbursementReport disbursement_report(const DisbursementState& s, int64_t now) {
  Figures f = compute(s, now);
  DisbursementReport out;
  out.policy = s.terms.policy;
  out.as_of_unix = now;
  for (auto& [key, row] : f.rows) out.rows.push_back(std::move(row));
  if (s.terms.policy == DisbursementPolicy::guaranteed)
    for (auto& [provider, e] : f.exposure) out.exposure.push_back(std::move(e));
  out.totals = f.totals;
  return out;
}

Micros payable(const DisbursementState& s, const std::string& provider, int64_t now) {
  const Figures f = compute(s, now);
  const auto it = f.payable.find(provider);
  return it == f.payable.end() ? 0 : it->second;
}

Exposure exposure(const DisbursementState& s, const std::string& provider) {
  // Exposure reads no due dates: any time will do.
  const Figures f = compute(s, 0);
  const auto it = f.exposure.find(provider);
  if (it != f.exposure.end()) return it->second;
  Exposure none;
  none.provider = provider;
  return none;
}

std::string invariant_problem(const DisbursementState& s, int64_t now) {
  const Figures f = compute(s, now);
  const DisbursementTotals& t = f.totals;
  const auto m = [](Micros v) { return std::to_string(v); };
  if (t.cash_micros != checked_add(t.balances_micros, t.retained_micros))
    return "cash " + m(t.cash_micros) + " is not the balances " + m(t.balances_micros) +
           " plus the retained " + m(t.retained_micros);
  for (const auto& [key, r] : f.rows) {
    const auto name = [&] { return "row (" + when(r.period_from) + ", " + r.provider + ")"; };
    if (r.payable_micros < 0 || r.outstanding_micros < 0 || r.received_micros < 0 ||
        r.paid_micros < 0 || r.entitled_micros < 0)
      return name() + ": a negative figure";
    if (r.paid_micros > std::max<Micros>(0, r.net_micros)) return name() + ": paid beyond its net";
    if (r.entitled_micros > std::max<Micros>(0, r.net_micros))
      return name() + ": entitled beyond its net";
  }
  for (const auto& [provider, pay] : f.payable) {
    if (pay < 0) return provider + ": payable " + m(pay) + " is negative";
    if (s.terms.policy == DisbursementPolicy::guaranteed &&
        checked_add(f.paid.at(provider), pay) > f.due_entitled.at(provider))
      return provider + ": paid and payable exceed its due nets";
  }
  if (s.terms.policy == DisbursementPolicy::withhold) {
    if (checked_add(t.paid_micros, t.payable_micros) > t.pool_micros)
      return "paid " + m(t.paid_micros) + " and payable " + m(t.payable_micros) +
             " exceed the receipts for due periods " + m(t.pool_micros);
    if (t.cash_micros < t.prepaid_micros)
      return "cash " + m(t.cash_micros) + " is below the prepayments held " + m(t.prepaid_micros);
  }
  return "";
}

}  // namespace gm::settlement
