// settlectl's disbursement (settlectl_commands.h, disbursement.h): the operator's terms, each
// provider's credit line, money received and paid, the disbursement report and the exposure.
// A receipt or payment is checked against every fact recorded so far inside the transaction
// that records it (record_money), and each change recomputes and stores the exposure, which
// the RADIUS servers read to refuse an over-limit provider's realms.
#include <cstdio>

#include "host/billing/billing_error.h"
#include "host/billing/catalog_text.h"
#include "host/billing/money.h"
#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/settlement/disbursement_state.h"
#include "host/settlement/settlectl_commands.h"

namespace gm::host {

namespace {

using billing::format_money;

// A reference as the operator's bank statement gives it: printable, no spaces.
std::string reference_of(const std::string& s) {
  check_name("reference", s, 64);
  return s;
}

billing::Micros positive_money(const std::string& s) {
  const billing::Micros m = billing::parse_money(s);
  if (m <= 0) throw ConfigError("must be more than 0");
  return m;
}

void print_exposure(const std::vector<settlement::Exposure>& exposure, bool csv) {
  Listing out({{"provider"}, {"balance", true}, {"open_net", true}, {"credit_line", true},
               {"available", true}, {"service"}});
  for (const settlement::Exposure& e : exposure)
    out.add({e.provider, format_money(e.balance_micros), format_money(e.open_net_micros),
             format_money(e.credit_line_micros), format_money(e.available_micros),
             e.refused ? "refused" : "served"});
  out.print(stdout, csv);
}

// The exposure after a change, stored, and which providers it refuses, said.
void refresh(const SettlectlRun& run) {
  SettlementLedger& ledger = run.store.settlement();
  const auto exposure =
      settlement::refresh_exposure(ledger, settlement::disbursement_state(ledger), run.now);
  for (const settlement::Exposure& e : exposure)
    if (e.refused && ledger.terms().policy == settlement::DisbursementPolicy::guaranteed)
      std::printf("%s is over its credit line by %s: its realms are refused service\n",
                  e.provider.c_str(), format_money(-e.available_micros).c_str());
}

int money_command(const SettlectlRun& run, const std::vector<std::string>& words,
                  MoneyDirection direction) {
  const char* name = direction == MoneyDirection::receipt ? "receipt" : "payment";
  const CommandArgs args(name, words, 1, "PROVIDER", {{"amount"}, {"reference"}, {"at"}});
  const std::string provider = args.parsed_operand(0, provider_id);
  const billing::Micros amount = args.parsed("amount", positive_money);
  const std::string reference = args.parsed("reference", reference_of);
  const int64_t at =
      args.parsed_if("at", [&](const std::string& s) { return parse_when(s, run.now); })
          .value_or(run.now);
  require_provider(run.store, provider);
  SettlementLedger& ledger = run.store.settlement();
  ledger.record_money(direction, provider, amount, at, reference, [&] {
    const settlement::DisbursementState state = settlement::disbursement_state(ledger);
    const std::string problem =
        direction == MoneyDirection::receipt
            ? settlement::receipt_problem(state, {provider, amount, at, reference})
            : settlement::payment_problem(state, {provider, amount, at, reference}, run.now);
    if (!problem.empty()) throw BillingConflict(problem + "; nothing recorded");
  });
  std::printf("%s %s recorded: %s %s %s\n", name, reference.c_str(), format_money(amount).c_str(),
              direction == MoneyDirection::receipt ? "from" : "to", provider.c_str());
  refresh(run);
  return 0;
}

}  // namespace

int terms_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("terms", words, {"set", "show"}, rest);
  SettlementLedger& ledger = run.store.settlement();
  if (verb == "set") {
    const CommandArgs args("terms set", rest, 0, "",
                           {{"policy"}, {"payment-days"}, {"payout-days"}});
    settlement::DisbursementTerms t;
    t.policy = args.parsed("policy", [](const std::string& s) {
      if (s == "guaranteed") return settlement::DisbursementPolicy::guaranteed;
      if (s == "withhold") return settlement::DisbursementPolicy::withhold;
      throw ConfigError("expected guaranteed or withhold");
    });
    const auto days = [](const std::string& s) { return static_cast<int64_t>(parse_whole(s, 0, 3650)); };
    t.payment_days = args.parsed("payment-days", days);
    t.payout_days = args.parsed("payout-days", days);
    if (t.payout_days < t.payment_days)
      args.bad("payout-days", "must be at least --payment-days: providers are paid after they pay");
    ledger.set_terms(t);
    std::printf("terms set: %s, debtors pay within %lld days, creditors are paid after %lld\n",
                std::string(settlement::policy_name(t.policy)).c_str(),
                static_cast<long long>(t.payment_days), static_cast<long long>(t.payout_days));
    refresh(run);
    return 0;
  }
  const CommandArgs args("terms show", rest, 0, "", {});
  const settlement::DisbursementTerms t = ledger.terms();
  std::printf("terms: %s, debtors pay within %lld days, creditors are paid after %lld\n",
              std::string(settlement::policy_name(t.policy)).c_str(),
              static_cast<long long>(t.payment_days), static_cast<long long>(t.payout_days));
  return 0;
}

int credit_line_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  verb_of("credit-line", words, {"set"}, rest);
  const CommandArgs args("credit-line set", rest, 1, "PROVIDER", {{"amount"}});
  const std::string provider = args.parsed_operand(0, provider_id);
  const billing::Micros amount = args.parsed("amount", [](const std::string& s) {
    const billing::Micros m = billing::parse_money(s);
    if (m < 0) throw ConfigError("must not be negative");
    return m;
  });
  run.store.settlement().set_credit_line(provider, amount);
  std::printf("credit line of %s set: %s\n", provider.c_str(), format_money(amount).c_str());
  refresh(run);
  return 0;
}

int receipt_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  return money_command(run, words, MoneyDirection::receipt);
}

int payment_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  return money_command(run, words, MoneyDirection::payment);
}

int disbursement_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("disbursement", words, 0, "", {{"csv", true}});
  SettlementLedger& ledger = run.store.settlement();
  const settlement::DisbursementState state = settlement::disbursement_state(ledger);
  if (const std::string problem = settlement::disbursement_problem(state); !problem.empty())
    throw BillingConflict("the recorded facts do not hold together: " + problem);
  const settlement::DisbursementReport r = settlement::disbursement_report(state, run.now);
  Listing out({{"period"}, {"provider"}, {"net", true}, {"role"}, {"due"}, {"received", true},
               {"entitled", true}, {"paid", true}, {"outstanding", true}, {"payable_now", true},
               {"overdue"}});
  for (const settlement::DisbursementRow& d : r.rows)
    out.add({utc_text(d.period_from), d.provider, format_money(d.net_micros),
             std::string(settlement::disbursement_role_name(d.role)),
             d.due_unix ? utc_text(d.due_unix) : "-", format_money(d.received_micros),
             format_money(d.entitled_micros), format_money(d.paid_micros),
             format_money(d.outstanding_micros), format_money(d.payable_micros),
             d.overdue ? "overdue" : ""});
  out.print(stdout, args.flag("csv"));
  std::printf("\n");
  Listing totals({{"total"}, {"value", true}});
  totals.add({"received", format_money(r.totals.received_micros)});
  totals.add({"paid", format_money(r.totals.paid_micros)});
  totals.add({"cash", format_money(r.totals.cash_micros)});
  totals.add({"prepaid", format_money(r.totals.prepaid_micros)});
  totals.add({"retained", format_money(r.totals.retained_micros)});
  totals.add({"payable_now", format_money(r.totals.payable_micros)});
  totals.print(stdout, args.flag("csv"));
  if (!r.exposure.empty()) {
    std::printf("\n");
    print_exposure(r.exposure, args.flag("csv"));
  }
  return 0;
}

int exposure_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("exposure", words, 0, "", {{"csv", true}});
  SettlementLedger& ledger = run.store.settlement();
  const auto exposure =
      settlement::refresh_exposure(ledger, settlement::disbursement_state(ledger), run.now);
  print_exposure(exposure, args.flag("csv"));
  return 0;
}

}  // namespace gm::host
