// The four settlement reports of the roaming seed (002_..., Figs. 8-11) for one provider and
// one period, from rated records, and the settlement-wide statement.
//
//  - Detail (Fig. 8): usage by user, grouped by what derives the money (role, serving
//    country, serving provider, home provider): connections, seconds, money.
//  - Summary (Fig. 9): the Detail summed per pair of providers (serving, home).
//  - Invoice (Fig. 10): the Summary's pairs in money: earned as server (provider rate), owed
//    as consumer (consumer rate) plus the operator's handling fees, per connection and per
//    minute shown apart.
//  - Credit/Debit (Fig. 11): per counterpart, credits and debits netted into one amount.
//  - Statement: every member's net and the operator's total (fees + margin).
//
// Why it balances: every record moves provider_micros to the serving provider,
// -(consumer_micros + fees) to the home provider, and the rest, margin + fees, to the
// operator; the three sum to zero per record, so across all members the nets plus the
// operator's total are exactly zero (imbalance() == 0). The operator is the one
// counterparty of every payment (the seed's "settlement operator collects ... and
// disburses"), so a provider's per-counterpart lines do not cancel pairwise: the margin and
// the fees sit between them.
//
// Rules, in order:
//  - What a period holds is its totals' (period_totals.h): the records that rated (ok()), with
//    their stop in [from_unix, to_unix) or, once the period closes, its adjustments; refused
//    records are the quarantine's, not the reports'.
//  - A provider's report covers the records where it is the serving or the home provider; a
//    record where it is both (its own user on its own network) appears in both roles.
//  - Rows are sorted: by role (served before consumed), the period's own records before its
//    adjustments, then provider ids, countries and user, by byte order; so the same records give the same bytes (report_format.h).
//  - A sign convention throughout: net > 0 the operator owes the provider, net < 0 the
//    provider owes the operator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/settlement/period_totals.h"
#include "host/settlement/settlement_rate.h"

namespace gm::settlement {

struct Period {
  int64_t from_unix = 0;  // inclusive
  int64_t to_unix = 0;    // exclusive
};

enum class Role : int32_t {
  served = 0,    // the provider's network served another's user: it earns the provider rate
  consumed = 1,  // the provider's user roamed: it pays the consumer rate and the fees
};

std::string_view role_name(Role r);  // "served", "consumed"

struct DetailRow {
  Role role = Role::served;
  bool adjustment = false;  // a late record of an earlier, closed period (period_totals.h)
  std::string serving_country;
  std::string serving_provider;
  std::string home_provider;
  std::string user;
  int64_t connections = 0;
  int64_t seconds = 0;
  Micros amount_micros = 0;  // served: provider rate; consumed: consumer rate
  Micros fee_micros = 0;     // consumed: the handling fees; served: 0
};

struct DetailReport {
  std::string provider;
  Period period;
  std::vector<DetailRow> rows;
};

struct SummaryRow {
  std::string serving_provider;
  std::string home_provider;
  int64_t connections = 0;
  int64_t seconds = 0;
};

struct SummaryReport {
  std::string provider;
  Period period;
  std::vector<SummaryRow> rows;  // by serving, then home
};

struct InvoiceRow {
  std::string serving_provider;
  std::string home_provider;
  int64_t connections = 0;
  int64_t seconds = 0;
  Micros earned_micros = 0;          // provider rate, if the provider served
  Micros owed_micros = 0;            // consumer rate, if the provider's users roamed
  Micros fee_connection_micros = 0;  // handling fees, if the provider's users roamed
  Micros fee_time_micros = 0;
};

struct InvoiceReport {
  std::string provider;
  Period period;
  std::vector<InvoiceRow> rows;
  Micros total_earned_micros = 0;
  Micros total_owed_micros = 0;  // consumer rate + fees
  Micros net_micros = 0;         // earned - owed
};

struct CreditDebitRow {
  std::string counterpart;
  Micros credit_micros = 0;  // earned serving the counterpart's users
  Micros debit_micros = 0;   // owed for own users on the counterpart's network, with fees
  Micros net_micros = 0;     // credit - debit
};

struct CreditDebitReport {
  std::string provider;
  Period period;
  std::vector<CreditDebitRow> rows;  // by counterpart
  Micros total_credit_micros = 0;
  Micros total_debit_micros = 0;
  Micros net_micros = 0;
};

struct StatementRow {
  std::string provider;
  std::string country;
  Micros net_micros = 0;
};

struct SettlementStatement {
  Period period;
  std::vector<StatementRow> rows;  // every member and every provider in a record, by id
  Micros operator_fees_micros = 0;
  Micros operator_margin_micros = 0;
  Micros operator_total_micros = 0;  // fees + margin
};

// Each report from the period's totals (period_totals.h): streamed, or as a closed period
// stored them. Sums use billing::checked_add: a total that overflows Micros is a broken input,
// not a report, and throws BillingError.
DetailReport detail_report(const PeriodTotals& totals, const std::string& provider,
                           Period period);
SummaryReport summary_report(const PeriodTotals& totals, const std::string& provider,
                             Period period);
InvoiceReport invoice_report(const PeriodTotals& totals, const std::string& provider,
                             Period period);
CreditDebitReport credit_debit_report(const PeriodTotals& totals, const std::string& provider,
                                      Period period);
SettlementStatement settlement_statement(const PeriodTotals& totals,
                                         const std::vector<Provider>& members, Period period);

// The same from a list of rated records: those that rated and whose stop lies in the period
// are totalled first (no adjustments). For tests and small sets.
PeriodTotals period_totals(const std::vector<RatedRecord>& rated, Period period);
DetailReport detail_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                           Period period);
SummaryReport summary_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                             Period period);
InvoiceReport invoice_report(const std::vector<RatedRecord>& rated, const std::string& provider,
                             Period period);
CreditDebitReport credit_debit_report(const std::vector<RatedRecord>& rated,
                                      const std::string& provider, Period period);
SettlementStatement settlement_statement(const std::vector<RatedRecord>& rated,
                                         const std::vector<Provider>& members, Period period);

// Sum of the members' nets plus the operator's total: 0 when the settlement balances.
Micros imbalance(const SettlementStatement& s);

}  // namespace gm::settlement
