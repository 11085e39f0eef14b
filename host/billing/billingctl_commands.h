// billingctl's commands (host/billingctl_main.cpp dispatches to them), one file per role of
// the store they change: account_commands.cpp (the account book: accounts, top-ups,
// subscribers) and catalog_commands.cpp (rates, services, realms, offers, gateway zones).
//
// Each checks every operand and option before it writes anything, then writes with one store
// call (one transaction), and prints what it did. Bad usage throws ConfigError (exit status 2);
// an operation refused (a name taken, an unknown account, realm or agent, by the store or by
// the command's own look-up before it) throws BillingConflict (1). `account set` and `realm set`
// read the row, change the options given and write it back: of two operators changing one row
// at the same moment, the later write wins whole.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/store/store.h"

namespace gm::host {

struct BillingctlRun {
  Store& store;
  int64_t now = 0;  // unix seconds: created_unix, and where a rate may start
  std::string zoneinfo = "/usr/share/zoneinfo";  // where account time zones are checked
};

// `words` follow the noun: "add alice --kind=prepaid" for `account add alice --kind=prepaid`.
int account_command(const BillingctlRun& run, const std::vector<std::string>& words);
int top_up_command(const BillingctlRun& run, const std::vector<std::string>& words);
int bill_command(const BillingctlRun& run, const std::vector<std::string>& words);
int subscriber_command(const BillingctlRun& run, const std::vector<std::string>& words);
int rate_command(const BillingctlRun& run, const std::vector<std::string>& words);
int service_command(const BillingctlRun& run, const std::vector<std::string>& words);
int realm_command(const BillingctlRun& run, const std::vector<std::string>& words);
int offer_command(const BillingctlRun& run, const std::vector<std::string>& words);
int zone_command(const BillingctlRun& run, const std::vector<std::string>& words);
int presence_command(const BillingctlRun& run, const std::vector<std::string>& words);
int bands_command(const BillingctlRun& run, const std::vector<std::string>& words);
// The service manager (session_commands.cpp): open sessions, a page at a time.
int sessions_command(const BillingctlRun& run, const std::vector<std::string>& words);

// `NOUN list [--csv]`: a listing of `items`, one row of cells(item) each.
template <typename Item, typename Cells>
int list_command(const std::string& command, const std::vector<std::string>& words,
                 std::vector<Listing::Column> columns, const std::vector<Item>& items,
                 Cells cells) {
  const CommandArgs args(command, words, 0, "", {{"csv", true}});
  Listing out(std::move(columns));
  for (const Item& item : items) out.add(cells(item));
  out.print(stdout, args.flag("csv"));
  return 0;
}

// What both files check and print: a plan's name ("" the default plan, shown "(default)").
std::string plan_name(const std::string& text);  // throws ConfigError for a bad name
std::string plan_text(const std::string& plan);

}  // namespace gm::host
