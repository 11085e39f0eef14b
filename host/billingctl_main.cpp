// billingctl: the operator's tool for billing's data in the store (host/billing/BILLING.md):
// accounts and their subscribers and top-ups; rates, services, realms, offers and gateway
// zones. Takes the same settings as censusctl and gatemeter-server (--config FILE, --state-dir,
// --store, ...), given before the command.
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "host/billing/billing_error.h"
#include "host/billing/billingctl_commands.h"
#include "host/cli/command_line.h"
#include "host/config/server_config.h"
#include "host/config/state_folder.h"
#include "host/store/store.h"

using namespace gm::host;

namespace {

const char* usage_text =
    R"(usage: billingctl [--config FILE] [--state-dir=DIR] [--store=SPEC] COMMAND [ARGS]

Money is decimal: 12.50 is 12,500,000 micro-units. Listings are aligned text, CSV with --csv.

the account book:
  account add NAME --kind=prepaid|postpaid [--plan=P] [--time-zone=Europe/Berlin]
                   [--balance=0] [--low-balance=1.00] [--at-zero=end|walled-garden]
                   (left out: time zone UTC, balance 0, low balance 0, at zero end)
  account set NAME [--kind=K] [--plan=P] [--time-zone=Z] [--low-balance=M] [--at-zero=A]
  account enable NAME, account disable NAME
  account list [--csv], account show NAME      (show: the account and its subscribers)
  top-up ACCOUNT AMOUNT --key=KEY              credited once per key: a retried payment
                                               with the same key and amount adds nothing
  subscriber add USER@REALM ACCOUNT, subscriber remove USER@REALM, subscriber list [--csv]
  subscriber password USER@REALM [--clear]   (the password as one line on standard input:
                           RADIUS Access-Requests of this operator's realms check it)

the catalog:
  rate add [--plan=P] --service-type=TYPE|* --band=peak|offpeak|weekend|* --zone=Z|*
           --provider=X|* --unit=second|minute|megabyte --price=0.02 [--increment=N]
           [--minimum=0.10] --from=WHEN
                WHEN: unix seconds, YYYY-MM-DDTHH:MM:SSZ (UTC), now or now+SECONDS; never in
                the past. A rate is never changed: a new one with a later start replaces it.
  rate list [--csv]
  service set NAME TYPE, service list [--csv]  TYPE: voice, video, im, web, download, data
  realm set NAME [--provider=P] [--outage-policy=terminate|continue|retry_and_terminate]
                 [--approval-url=http://HOST:PORT/PATH --temporary=SECONDS]
  realm list [--csv]
  offer set SCOPE OPTION --label=TEXT --terms=TEXT, offer remove SCOPE OPTION,
  offer list [--csv]       SCOPE: a realm or gateway:AGENT_ID;
                           OPTION: prepaid, postpaid, time_pass, free, roaming
  zone set AGENT_ID ZONE, zone list [--csv]
  bill ACCOUNT --from=WHEN --to=WHEN [--format=csv|json] [--fees=NAME:AMOUNT,...]
       [--taxes=NAME:PERCENT%,...]   the account's sessions that started in [from, to): every
                           line with units, rate and amount, the subtotal, fees, taxes (of the
                           subtotal with fees, each rounded half up once) and the total
  presence [--csv]         each gateway's last datagram (its connect signal) as the census saw it
  sessions [--limit=100] [--after=AGENT/SESSION_ID] [--csv|--json]
                           the service manager: open sessions with subscriber, service type,
                           billing option, address, account and balance, rate, duration and
                           cost so far; a page at a time (at most 1000) in key order, the next
                           page's --after on stderr; --json as the billing API's GET /sessions
  bands set SCHEDULE, bands show   the time bands, in each account's own time zone, e.g.
                           "peak=mon-fri 08:00-20:00; weekend=sat-sun" (the default); the rest
                           is offpeak

Leaving out --plan means the default plan. Exit status: 0 done; 1 refused (a name taken, an
unknown account, realm or agent, a top-up key used for another amount) or the store failed;
2 a bad command line. A command that fails writes nothing.
)";

using Command = int (*)(const BillingctlRun&, const std::vector<std::string>&);

struct Noun {
  const char* name;
  Command run;
};

constexpr Noun nouns[] = {
    {"account", account_command}, {"top-up", top_up_command},   {"subscriber", subscriber_command},
    {"rate", rate_command},       {"service", service_command}, {"realm", realm_command},
    {"offer", offer_command},     {"zone", zone_command},       {"bands", bands_command},
    {"bill", bill_command},       {"presence", presence_command}, {"sessions", sessions_command},
};


}  // namespace

int main(int argc, char** argv) {
  const int first = command_start(argc, argv);
  if (asks_for_help(argc, argv, first)) {
    std::printf("%s", usage_text);
    return 0;
  }
  std::string label = "billingctl";  // "billingctl: account add: ..." in every error
  try {
    const int start = first;
    ServerConfig config;
    parse_command_line(config, start, argv);
    const std::vector<std::string> args(argv + start, argv + argc);
    if (args.empty()) {
      std::fputs(usage_text, stderr);
      return 2;
    }
    const Noun* noun = nullptr;
    for (const Noun& n : nouns)
      if (args[0] == n.name) noun = &n;
    if (noun == nullptr) {
      std::fprintf(stderr, "billingctl: unknown command \"%s\"\n\n%s", args[0].c_str(), usage_text);
      return 2;
    }
    label += ": " + args[0];
    if (args[0] != "top-up" && args.size() > 1) label += " " + args[1];
    secure_state_folder(config.state_dir);
    const auto store = open_store(config.store);
    const BillingctlRun run{*store, static_cast<int64_t>(std::time(nullptr))};
    return noun->run(run, std::vector<std::string>(args.begin() + 1, args.end()));
  } catch (const ConfigError& e) {  // the command line: names the argument and what it takes
    std::fprintf(stderr, "billingctl: %s\n", e.what());
    return 2;
  } catch (const gm::billing::BillingError& e) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 2;
  } catch (const BillingConflict& e) {  // refused by the store: nothing was written
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {  // the store failed (its message names it)
    std::fprintf(stderr, "%s: %s\n", label.c_str(), e.what());
    return 1;
  }
}
