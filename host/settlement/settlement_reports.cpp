#include "host/settlement/settlement_reports.h"

#include <map>
#include <tuple>

#include "host/billing/money.h"

namespace gm::settlement {

namespace {

using billing::checked_add;
using billing::checked_sub;

bool counts(const RatedRecord& r, Period p) {
  return r.ok() && r.record.stop_unix >= p.from_unix && r.record.stop_unix < p.to_unix;
}

// std::map keys give the sorted order the reports promise.
using DetailKey =
    std::tuple<Role, bool, std::string, std::string, std::string, std::string>;
using PairKey = std::pair<std::string, std::string>;

void add(int64_t& total, int64_t v) {
  total = checked_add(total, v);
}

}  // namespace

std::string_view role_name(Role r) {
  return r == Role::served ? "served" : "consumed";
}

PeriodTotals period_totals(const std::vector<RatedRecord>& rated, Period period) {
  PeriodTotals t;
  for (const RatedRecord& r : rated)
    if (counts(r, period)) t.add(r);
  return t;
}

DetailReport detail_report(const PeriodTotals& totals, const std::string& provider,
                           Period period) {
  std::map<DetailKey, DetailRow> rows;
  for (const auto& [g, s] : totals.groups()) {
    for (Role role : {Role::served, Role::consumed}) {
      if ((role == Role::served ? g.serving_provider : g.home_provider) != provider) continue;
      DetailRow& row = rows[{role, g.adjustment, g.serving_country, g.serving_provider,
                             g.home_provider, g.user}];
      row.role = role;
      row.adjustment = g.adjustment;
      row.serving_country = g.serving_country;
      row.serving_provider = g.serving_provider;
      row.home_provider = g.home_provider;
      row.user = g.user;
      add(row.connections, s.connections);
      add(row.seconds, s.seconds);
      if (role == Role::served) {
        add(row.amount_micros, s.provider_micros);
      } else {
        add(row.amount_micros, s.consumer_micros);
        add(row.fee_micros, s.fee_connection_micros);
        add(row.fee_micros, s.fee_time_micros);
      }
    }
  }
  DetailReport out{provider, period, {}};
  for (auto& [k, row] : rows) out.rows.push_back(std::move(row));
  return out;
}

InvoiceReport invoice_report(const PeriodTotals& totals, const std::string& provider,
                             Period period) {
  std::map<PairKey, InvoiceRow> rows;
  for (const auto& [g, s] : totals.groups()) {
    const bool served = g.serving_provider == provider;
    const bool consumed = g.home_provider == provider;
    if (!served && !consumed) continue;
    InvoiceRow& row = rows[{g.serving_provider, g.home_provider}];
    row.serving_provider = g.serving_provider;
    row.home_provider = g.home_provider;
    // A pair's usage is counted once even when the provider is on both ends of it.
    add(row.connections, s.connections);
    add(row.seconds, s.seconds);
    if (served) add(row.earned_micros, s.provider_micros);
    if (consumed) {
      add(row.owed_micros, s.consumer_micros);
      add(row.fee_connection_micros, s.fee_connection_micros);
      add(row.fee_time_micros, s.fee_time_micros);
    }
  }
  InvoiceReport out;
  out.provider = provider;
  out.period = period;
  for (auto& [k, row] : rows) {
    add(out.total_earned_micros, row.earned_micros);
    add(out.total_owed_micros, row.owed_micros);
    add(out.total_owed_micros, row.fee_connection_micros);
    add(out.total_owed_micros, row.fee_time_micros);
    out.rows.push_back(std::move(row));
  }
  out.net_micros = checked_sub(out.total_earned_micros, out.total_owed_micros);
  return out;
}

SummaryReport summary_report(const PeriodTotals& totals, const std::string& provider,
                             Period period) {
  // The Invoice without its money: one place decides which records a pair holds.
  const InvoiceReport inv = invoice_report(totals, provider, period);
  SummaryReport out{provider, period, {}};
  for (const InvoiceRow& r : inv.rows)
    out.rows.push_back({r.serving_provider, r.home_provider, r.connections, r.seconds});
  return out;
}

CreditDebitReport credit_debit_report(const PeriodTotals& totals, const std::string& provider,
                                      Period period) {
  const InvoiceReport inv = invoice_report(totals, provider, period);
  std::map<std::string, CreditDebitRow> rows;
  for (const InvoiceRow& r : inv.rows) {
    if (r.serving_provider == provider) {
      CreditDebitRow& row = rows[r.home_provider];
      row.counterpart = r.home_provider;
      add(row.credit_micros, r.earned_micros);
    }
    if (r.home_provider == provider) {
      CreditDebitRow& row = rows[r.serving_provider];
      row.counterpart = r.serving_provider;
      add(row.debit_micros, r.owed_micros);
      add(row.debit_micros, r.fee_connection_micros);
      add(row.debit_micros, r.fee_time_micros);
    }
  }
  CreditDebitReport out;
  out.provider = provider;
  out.period = period;
  for (auto& [k, row] : rows) {
    row.net_micros = checked_sub(row.credit_micros, row.debit_micros);
    add(out.total_credit_micros, row.credit_micros);
    add(out.total_debit_micros, row.debit_micros);
    out.rows.push_back(std::move(row));
  }
  out.net_micros = checked_sub(out.total_credit_micros, out.total_debit_micros);
  return out;
}

SettlementStatement settlement_statement(const PeriodTotals& totals,
                                         const std::vector<Provider>& members, Period period) {
  // Members with no usage still get a row (net 0); a provider seen only in records gets one
  // too, or its money would vanish from the balance.
  std::map<std::string, StatementRow> rows;
  for (const Provider& m : members) rows[m.id] = {m.id, m.country, 0};
  SettlementStatement out;
  out.period = period;
  for (const auto& [g, s] : totals.groups()) {
    // try_emplace keeps a member's configured country and cannot reset a running net.
    StatementRow& serving =
        rows.try_emplace(g.serving_provider, StatementRow{g.serving_provider, g.serving_country, 0})
            .first->second;
    add(serving.net_micros, s.provider_micros);
    StatementRow& home =
        rows.try_emplace(g.home_provider, StatementRow{g.home_provider, g.home_country, 0})
            .first->second;
    home.net_micros = checked_sub(home.net_micros, s.consumer_micros);
    home.net_micros = checked_sub(home.net_micros, s.fee_connection_micros);
    home.net_micros = checked_sub(home.net_micros, s.fee_time_micros);
    add(out.operator_fees_micros, s.fee_connection_micros);
    add(out.operator_fees_micros, s.fee_time_micros);
    add(out.operator_margin_micros, checked_sub(s.consumer_micros, s.provider_micros));
  }
  for (auto& [k, row] : rows) out.rows.push_back(std::move(row));
  out.operator_total_micros = checked_add(out.operator_fees_micros, out.operator_margin_micros);
  return out;
}

DetailReport detail_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                           Period period) {
  return detail_report(period_totals(rated, period), provider, period);
}
SummaryReport summary_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                             Period period) {
  return summary_report(period_totals(rated, period), provider, period);
}
InvoiceReport invoice_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                             Period period) {
  return invoice_report(period_totals(rated, period), provider, period);
}
CreditDebitReport credit_debit_report(const std::vector<RatedRecord>& rated,
                                      const std::string& provider, Period period) {
  return credit_debit_report(period_totals(rated, period), provider, period);
}
SettlementStatement settlement_statement(const std::vector<RatedRecord>& rated,
                                         const std::vector<Provider>& members, Period period) {
  return settlement_statement(period_totals(rated, period), members, period);
}

Micros imbalance(const SettlementStatement& s) {
  Micros sum = s.operator_total_micros;
  for (const StatementRow& r : s.rows) sum = checked_add(sum, r.net_micros);
  return sum;
}

}  // namespace gm::settlement
