// Disbursement (the roaming seed, ../shared/seeds/002_...: "the settlement operator collects
// ... and disburses"): after a period closes, the operator collects from each provider what the
// period's net says it owes, and pays the providers it owes. Plain functions over the closed
// nets, the receipts and the payments (no I/O, no store), so the same facts always give the
// same figures. Money is integer micro-units (host/billing/money.h); sign as everywhere in
// settlement: net > 0 the operator owes the provider, net < 0 the provider owes the operator.
//
// Two policies, an operator setting:
//  - guaranteed: a creditor is paid its whole net once it falls due, whether or not the debtors
//    have paid. What makes that safe is exposure: every provider has a credit line, and one
//    whose available amount (balance + open period's running net + credit line) is negative is
//    refused service (its realms' authorisations are rejected elsewhere) until a receipt or a
//    larger credit line brings it back to zero or above.
//  - withhold: a creditor is paid only what its debtors have actually paid, account by account,
//    so the operator never pays out money it has not received.
//
// The rules, in order:
//  - Due dates: a debtor must pay by close + payment_days; the operator pays a creditor from
//    close + payout_days (>= payment_days: the seed has disbursements fall due after payments).
//    A period's figures are final once it closes (period_close.h): a late record is the next
//    period's adjustment, and periods close in order. Everything below relies on that: a
//    receipt or a day passing can only raise what a creditor is entitled to.
//  - Receipts: a provider's receipts (all of them, whatever their date) go to its debts oldest
//    period first (by period_from); what is left over is a prepayment, a credit balance that
//    the next closed debt takes first. A receipt is identified by (provider, reference): the
//    same reference twice is the same money recorded twice and is refused.
//  - Payments: a provider's payments go to its periods oldest first, each due period filled up
//    to its entitlement (then, only if a policy change left more paid than that, up to its net);
//    what may still be paid goes to the same periods in the same order. A payment is never more
//    than is payable now (payment_problem), the total paid to a provider never more than its
//    positive nets.
//  - guaranteed: a creditor's entitlement for a period is its net; payable = the entitlements
//    of the periods whose payout is due, minus what it was paid. No set-off: a creditor that
//    owes for another period is still paid; its exposure carries that debt.
//  - withhold, per period P: debtor d's paid fraction f_d = min(1, received_d(P) / debt_d(P));
//    a provider whose net >= 0 owes nothing for P, so f = 1 (its debits were netted against
//    its credits). Creditor c's matched entitlement = min(net_c, floor(sum over d of
//    credit_cd(P) * f_d)), the sum exact (a rational sum, no rounding inside it) and rounded
//    down once: rounding up, or per account and then summed up, could pay out a micro-unit
//    nobody paid in.
//  - withhold, the pool: f = 1 for a net creditor counts its debits as paid, but its credits
//    only turn into cash when its own debtors pay, so the matched figures alone can promise
//    more than came in (A earns from B, B nets that against what it earns from C, C has not
//    paid: A is matched, nothing was received). So the operator pays withhold creditors from
//    one pool: the receipts that went to the debts of periods whose payout is due. What is
//    left of it (pool - paid) covers each creditor's claim (matched and due, minus paid) when
//    it covers them all; otherwise each gets floor(claim * left / sum of claims). Paid money
//    is never clawed back, and so the operator's cash never falls below the prepayments it
//    holds, for any order of receipts and of payments that payment_problem allowed (a shortfall
//    share is path-dependent: who was paid first keeps it). When every debtor pays in full and
//    the operator's fees and margin are not negative, the pool covers every net.
//  - Exposure (both policies compute it; guaranteed enforces it): balance = receipts -
//    payments + the sum of its closed nets (positive the operator owes it or holds its
//    prepayment, negative it owes); available = balance + open_net + credit_line; refused =
//    available < 0.
//  - Rows come out by period, then provider, in byte order; the same facts give the same rows.
//
// Sums use billing::checked_add: a total that overflows Micros is a broken input and throws
// billing::BillingError. The computing functions check the state first (disbursement_problem)
// and throw billing::BillingError with its reason if it is not valid.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "host/settlement/settlement_record.h"

namespace gm::settlement {

enum class DisbursementPolicy : int32_t { guaranteed = 0, withhold = 1 };
std::string_view policy_name(DisbursementPolicy p);  // "guaranteed", "withhold"

struct DisbursementTerms {
  DisbursementPolicy policy = DisbursementPolicy::guaranteed;
  int64_t payment_days = 0;  // a debtor pays by closed_unix + payment_days days
  int64_t payout_days = 0;   // a creditor is paid from closed_unix + payout_days days
};

// One provider's net in one closed period: the Credit/Debit report's net, the statement's row.
struct PeriodNet {
  int64_t period_from = 0;  // the period is known by its start
  int64_t period_to = 0;
  int64_t closed_unix = 0;
  std::string provider;
  Micros net_micros = 0;
};

// What `creditor` earned in a period serving `debtor`'s users: the creditor's Credit/Debit row
// for that counterpart, its credit column. Withhold matches on these.
struct PairCredit {
  int64_t period_from = 0;
  std::string creditor;
  std::string debtor;
  Micros credit_micros = 0;  // >= 0
};

// Money received from a provider.
struct Receipt {
  std::string provider;
  Micros amount_micros = 0;  // > 0
  int64_t unix = 0;
  std::string reference;  // non-empty; unique per provider
};

// Money paid to a provider.
struct Payment {
  std::string provider;
  Micros amount_micros = 0;  // > 0
  int64_t unix = 0;
  std::string reference;  // non-empty; unique per provider
};

// Everything the rules read. A provider is known if it is a member or has a net.
struct DisbursementState {
  DisbursementTerms terms;
  std::vector<std::string> members;
  std::vector<PeriodNet> nets;
  std::vector<PairCredit> credits;  // withhold needs them; guaranteed checks and ignores them
  std::vector<Receipt> receipts;
  std::vector<Payment> payments;
  std::map<std::string, Micros> credit_lines;  // >= 0; absent: 0
  std::map<std::string, Micros> open_nets;     // the open period's running net; absent: 0
};

// "" if the state is valid, else why, naming the first bad item: negative days, payout before
// payment, an empty or unknown provider, a period that ends before it starts, closes before it
// ends, overlaps another or closes out of order, two nets for one provider and period, a credit
// for a period or provider without a net, a negative or repeated credit, (withhold) a creditor
// whose credits sum to less than its net (it could never be matched), a receipt or payment of
// zero or less, with no reference or a reference already used for that provider, a provider
// paid more than its positive nets, a negative credit line, a total that overflows.
std::string disbursement_problem(const DisbursementState& s);

// Whether `r` may be recorded: "" or why (its own fields, a duplicate reference, an unknown
// provider, or the state's own problem).
std::string receipt_problem(const DisbursementState& s, const Receipt& r);

// Whether `p` may be recorded at `now`: "" or why. Besides the checks on a receipt, its amount
// may not exceed payable(s, p.provider, now): guaranteed the due nets not yet paid, withhold the
// matched due amounts not yet paid, within the pool.
std::string payment_problem(const DisbursementState& s, const Payment& p, int64_t now);

enum class DisbursementRole : int32_t {
  owes = 0,     // net < 0
  is_owed = 1,  // net > 0
  even = 2,     // net == 0
};
std::string_view disbursement_role_name(DisbursementRole r);  // "owes", "is owed", "even"

// One provider in one closed period.
struct DisbursementRow {
  int64_t period_from = 0;
  int64_t period_to = 0;
  std::string provider;
  Micros net_micros = 0;
  DisbursementRole role = DisbursementRole::even;
  int64_t due_unix = 0;           // owes: pay by; is owed: paid from; even: 0 (nothing falls due)
  Micros received_micros = 0;     // owes: receipts that went to this debt
  Micros entitled_micros = 0;     // is owed: guaranteed its net; withhold the matched amount
  Micros paid_micros = 0;         // is owed: payments that went to this period
  Micros outstanding_micros = 0;  // owes: debt - received; is owed: net - paid
  Micros payable_micros = 0;      // is owed: what may be paid now (0 before due_unix)
  bool overdue = false;           // owes: due_unix has passed and something is outstanding
};

// One provider's exposure (the rule above).
struct Exposure {
  std::string provider;
  Micros balance_micros = 0;
  Micros open_net_micros = 0;
  Micros credit_line_micros = 0;
  Micros available_micros = 0;
  bool refused = false;
};

struct DisbursementTotals {
  Micros received_micros = 0;  // every receipt
  Micros paid_micros = 0;      // every payment
  Micros cash_micros = 0;      // received - paid: what the operator holds
  Micros prepaid_micros = 0;   // receipts beyond closed debts: providers' credit balances
  Micros retained_micros = 0;  // -(sum of closed nets): the operator's fees and margin
  Micros balances_micros = 0;  // sum of every provider's balance; cash = balances + retained
  Micros pool_micros = 0;      // receipts that went to debts of periods whose payout is due
  Micros payable_micros = 0;   // sum of payable now
};

struct DisbursementReport {
  DisbursementPolicy policy = DisbursementPolicy::guaranteed;
  int64_t as_of_unix = 0;
  std::vector<DisbursementRow> rows;  // by period, then provider
  std::vector<Exposure> exposure;     // guaranteed only: every known provider, by id
  DisbursementTotals totals;
};

DisbursementReport disbursement_report(const DisbursementState& s, int64_t now);

// What may be paid to `provider` now (0 for a provider owed nothing).
Micros payable(const DisbursementState& s, const std::string& provider, int64_t now);

// The provider's exposure; one with no facts at all has every figure 0 and is not refused.
Exposure exposure(const DisbursementState& s, const std::string& provider);

// "" if the figures hold together, else which does not: cash = balances + retained; nothing
// payable or outstanding is negative; no creditor is paid beyond its net or (guaranteed) its
// due nets; withhold: paid + payable <= pool, so cash >= prepaid >= 0.
std::string invariant_problem(const DisbursementState& s, int64_t now);

}  // namespace gm::settlement
