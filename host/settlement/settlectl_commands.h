// settlectl's commands (host/settlectl_main.cpp dispatches to them), the settlement operator's
// tool over the store's settlement role (host/store/settlement_ledger.h):
//  - settlectl_commands.cpp: the member directory (providers, servers, realms) and the
//    tariffs (rules, the handling fee);
//  - settlectl_import.cpp: raw records from a file, all or none;
//  - settlectl_period.cpp: one period cleaned, its quarantine listed, its reports and the
//    detail transaction file printed;
//  - settlectl_close.cpp: a period closed (and published), the closed periods listed;
//  - settlectl_money.cpp: disbursement: terms, credit lines, receipts, payments, the
//    disbursement report and the exposure.
//
// As in billingctl (billingctl_commands.h): each checks every operand and option before it
// writes anything, writes with one store call (one transaction) and prints what it did. Bad
// usage throws ConfigError (exit status 2); an operation refused (an unknown provider, by the
// store or by the command's own look-up) throws BillingConflict (1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/store/store.h"

namespace gm::host {

struct SettlectlRun {
  Store& store;
  int64_t now = 0;  // unix seconds: the raw rows' create date, the history time, "now" in WHEN
  std::string store_spec;  // for a command that wants a second connection (close reads ahead)
};

// `words` follow the noun: "set Aimnet --country=USA" for `provider set Aimnet --country=USA`.
int provider_command(const SettlectlRun& run, const std::vector<std::string>& words);
// `provider password ID [--clear]` (settlectl_access.cpp): `words` follow "password".
int provider_password(const SettlectlRun& run, const std::vector<std::string>& words);
int server_command(const SettlectlRun& run, const std::vector<std::string>& words);
int settlement_realm_command(const SettlectlRun& run, const std::vector<std::string>& words);
int rule_command(const SettlectlRun& run, const std::vector<std::string>& words);
int fee_command(const SettlectlRun& run, const std::vector<std::string>& words);
int import_command(const SettlectlRun& run, const std::vector<std::string>& words);
int clean_command(const SettlectlRun& run, const std::vector<std::string>& words);
int quarantine_command(const SettlectlRun& run, const std::vector<std::string>& words);
int report_command(const SettlectlRun& run, const std::vector<std::string>& words);
int detail_file_command(const SettlectlRun& run, const std::vector<std::string>& words);
int close_command(const SettlectlRun& run, const std::vector<std::string>& words);
int periods_command(const SettlectlRun& run, const std::vector<std::string>& words);
int terms_command(const SettlectlRun& run, const std::vector<std::string>& words);
int credit_line_command(const SettlectlRun& run, const std::vector<std::string>& words);
int receipt_command(const SettlectlRun& run, const std::vector<std::string>& words);
int payment_command(const SettlectlRun& run, const std::vector<std::string>& words);
int disbursement_command(const SettlectlRun& run, const std::vector<std::string>& words);
int exposure_command(const SettlectlRun& run, const std::vector<std::string>& words);

// What several commands check: a member's id (an operand), one that the directory lists.
std::string provider_id(const std::string& text);            // throws ConfigError for a bad name
void require_provider(Store& store, const std::string& id);  // BillingConflict if unknown

}  // namespace gm::host
