#include "host/settlement/disbursement_state.h"

#include <climits>
#include <set>

#include "host/settlement/settlement_reports.h"

namespace gm::settlement {

namespace {

constexpr size_t page_size = 10'000;

void total_set(host::SettlementLedger& ledger, const Tariffs& tariffs, int64_t from, int64_t to,
               host::HistorySet set, PeriodTotals& totals) {
  host::StopKey after{INT64_MIN, 0};
  for (;;) {
    const auto page = ledger.history_between(from, to, after, page_size, set);
    for (const HistoryRecord& h : page) {
      const RatedRecord r = rate(h, tariffs);
      if (r.ok()) totals.add(r);
    }
    if (page.size() < page_size) return;
    after = {page.back().stop_unix, page.back().entry_id};
  }
}

}  // namespace

std::map<std::string, Micros> open_nets(host::SettlementLedger& ledger) {
  const std::vector<host::ClosedPeriod> closed = ledger.closed_periods();
  const int64_t from = closed.empty() ? INT64_MIN : closed.back().to_unix;
  const Tariffs tariffs = ledger.tariffs();
  PeriodTotals totals;
  if (tariff_problem(tariffs).empty()) {
    total_set(ledger, tariffs, from, INT64_MAX, host::HistorySet::regular, totals);
    total_set(ledger, tariffs, INT64_MIN, from, host::HistorySet::pending_late, totals);
  }
  std::map<std::string, Micros> out;
  for (const StatementRow& r : settlement_statement(totals, {}, {from, INT64_MAX}).rows)
    out[r.provider] = r.net_micros;
  return out;
}

DisbursementState disbursement_state(host::SettlementLedger& ledger) {
  DisbursementState s;
  s.terms = ledger.terms();
  for (const auto& [id, member] : ledger.directory().providers) s.members.push_back(id);
  for (const host::ClosedPeriod& c : ledger.closed_periods()) {
    const Period p{c.from_unix, c.to_unix};
    const PeriodTotals totals = ledger.closed_totals(c.from_unix);
    const std::vector<Provider> members = ledger.closed_members(c.from_unix);
    std::set<std::string> providers;
    for (const StatementRow& r : settlement_statement(totals, members, p).rows) {
      s.nets.push_back({c.from_unix, c.to_unix, c.closed_unix, r.provider, r.net_micros});
      providers.insert(r.provider);
    }
    for (const std::string& provider : providers)
      for (const CreditDebitRow& r : credit_debit_report(totals, provider, p).rows)
        if (r.credit_micros > 0)
          s.credits.push_back({c.from_unix, provider, r.counterpart, r.credit_micros});
  }
  s.receipts = ledger.receipts();
  s.payments = ledger.payments();
  s.credit_lines = ledger.credit_lines();
  s.open_nets = open_nets(ledger);
  return s;
}

std::vector<Exposure> refresh_exposure(host::SettlementLedger& ledger,
                                       const DisbursementState& state, int64_t now) {
  std::set<std::string> providers(state.members.begin(), state.members.end());
  for (const PeriodNet& n : state.nets) providers.insert(n.provider);
  std::vector<Exposure> out;
  for (const std::string& p : providers) {
    out.push_back(exposure(state, p));
    // Only a guaranteed operator refuses service: withhold pays out what came in, so a
    // debtor's debt is no risk to it.
    if (state.terms.policy != DisbursementPolicy::guaranteed) out.back().refused = false;
  }
  ledger.set_exposure(out, now);
  return out;
}

}  // namespace gm::settlement
