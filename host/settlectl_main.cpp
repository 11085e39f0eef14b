// settlectl: the settlement operator's tool (host/settlement/SETTLEMENT.md) over the store's
// settlement tables: the member directory and tariffs, raw records imported from a file, a
// period cleaned, its quarantine, its reports and the detail transaction file. Takes the same
// settings as billingctl and gatemeter-server (--config FILE, --state-dir, --store, ...), given
// before the command.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "host/billing/billing_error.h"
#include "host/cli/command_line.h"
#include "host/config/server_config.h"
#include "host/config/state_folder.h"
#include "host/settlement/settlectl_commands.h"
#include "host/store/store.h"

using namespace gm::host;

namespace {

const char* usage_text =
    R"(usage: settlectl [--config FILE] [--state-dir=DIR] [--store=SPEC] COMMAND [ARGS]

Money is decimal: 1.20 is 1,200,000 micro-units. Listings are aligned text, CSV with --csv.
WHEN: unix seconds or YYYY-MM-DDTHH:MM:SSZ (UTC); a period is [--from, --to) by GMT stop time.

the directory:
  provider set ID --country=C, provider list [--csv]
  provider password ID [--clear]   its password for the settlement-reports service, from stdin
  server set SERVER PROVIDER, realm set REALM PROVIDER   (the provider must be listed)
the tariffs:
  rule set ID --side=consumer|provider [--serving-country=C|*] [--serving-provider=P|*]
           [--home-provider=P|*] [--hours=HH:MM-HH:MM] [--dates=YYYY-MM-DD..YYYY-MM-DD]
           [--weekdays=mon,tue,...] --price=MONEY
                per minute, billed per second; either end of --dates may be *; the most
                specific matching rule of a side wins. The whole set is checked first.
  rule remove ID, rule list [--csv]
  fee set --per-connection=MONEY --per-minute=MONEY, fee show
                the operator's handling fee, paid by the home provider
records and periods:
  import FILE   raw records, one a line as CSV, all or none:
                user_name,user_domain,status_type,session_id,session_time_s,delay_time_s,
                nas_id,local_server,home_server,stop_gmt,stop_local,time_zone
                (stop_gmt YYYY-MM-DDTHH:MM:SSZ or unix seconds, stop_local
                "YYYY-MM-DD HH:MM:SS"; fields 13-17 are the store's: empty or left out;
                empty lines and lines starting with # are skipped)
  clean --from=WHEN --to=WHEN [--window=SECONDS]   (window: duplicates, default 86400)
  quarantine --from=WHEN --to=WHEN [--csv]         the period's quarantined raw records
  report PROVIDER --from=WHEN --to=WHEN --kind=detail|summary|invoice|credit-debit|statement
         --format=csv|json|html                  records that do not rate: on stderr
  detail-file PROVIDER --from=WHEN --to=WHEN       the "DT" lines of PROVIDER's network
                a closed period's report or file is the one its close made (checked against
                its checksum); an open period's is provisional, rated with today's tariffs
  close --from=WHEN --to=WHEN [--window=SECONDS] [--out=DIR]
                close a period, once: clean it (and late records before it), rate it, keep
                its totals and every report's checksum; it must have ended and start where
                the last closed one ended. Later records of it become the next period's
                adjustments. --out writes every provider's reports (CSV, JSON, HTML) and
                detail file into DIR/PROVIDER/, the statement into DIR/
  periods [--csv]                                  the closed periods
disbursement:
  terms set --policy=guaranteed|withhold --payment-days=N --payout-days=N, terms show
                guaranteed: creditors are paid their whole net after payout days, and a
                provider whose balance + open period + credit line is below 0 is refused
                service (its realms' Access-Requests rejected); withhold: creditors are paid
                only what their debtors have paid
  credit-line set PROVIDER --amount=MONEY
  receipt PROVIDER --amount=MONEY --reference=REF [--at=WHEN]   money received from it
  payment PROVIDER --amount=MONEY --reference=REF [--at=WHEN]   money paid to it, at most
                what is payable now; a reference is recorded once per provider
  disbursement [--csv]    each closed period's nets: due, received, paid, payable now
  exposure [--csv]        each provider's balance, open period, credit line; stored for the
                RADIUS servers (recomputed by every command above and by close)

Exit status: 0 done; 1 refused (an unknown provider or rule, tariffs that cannot rate) or the
store failed; 2 a bad command line or a bad import file. A command that fails writes nothing.
)";

using Command = int (*)(const SettlectlRun&, const std::vector<std::string>&);

struct Noun {
  const char* name;
  Command run;
};

constexpr Noun nouns[] = {
    {"provider", provider_command},
    {"server", server_command},
    {"realm", settlement_realm_command},
    {"rule", rule_command},
    {"fee", fee_command},
    {"import", import_command},
    {"clean", clean_command},
    {"quarantine", quarantine_command},
    {"report", report_command},
    {"detail-file", detail_file_command},
    {"close", close_command},
    {"periods", periods_command},
    {"terms", terms_command},
    {"credit-line", credit_line_command},
    {"receipt", receipt_command},
    {"payment", payment_command},
    {"disbursement", disbursement_command},
    {"exposure", exposure_command},
};


}  // namespace

int main(int argc, char** argv) {
  const int first = command_start(argc, argv);
  if (asks_for_help(argc, argv, first)) {
    std::printf("%s", usage_text);
    return 0;
  }
  std::string label = "settlectl";  // "settlectl: report: ..." in every error
  try {
    ServerConfig config;
    parse_command_line(config, first, argv);
    const std::vector<std::string> args(argv + first, argv + argc);
    if (args.empty()) {
      std::fputs(usage_text, stderr);
      return 2;
    }
    const Noun* noun = nullptr;
    for (const Noun& n : nouns)
      if (args[0] == n.name) noun = &n;
    if (noun == nullptr) {
      std::fprintf(stderr, "settlectl: unknown command \"%s\"\n\n%s", args[0].c_str(), usage_text);
      return 2;
    }
    label += ": " + args[0];
    secure_state_folder(config.state_dir);
    // Its commands read whole periods: resident memory stays the page cache's (store.h).
    const auto store = open_store(config.store, {.map_file = false});
    const SettlectlRun run{*store, static_cast<int64_t>(std::time(nullptr)), config.store};
    return noun->run(run, std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const ConfigError& e) {  // the command line or the import file, named
    std::fprintf(stderr, "settlectl: %s\n", e.what());
    return 2;
  } catch (const gm::billing::BillingError& e) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 2;
  } catch (const BillingConflict& e) {  // refused: nothing was written
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {  // the store failed (its message names it)
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 1;
  }
}
