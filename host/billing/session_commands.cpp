// billingctl's service manager: the open sessions, a page at a time (billingctl_commands.h).
#include <algorithm>
#include <cstdio>

#include "host/billing/billingctl_commands.h"
#include "host/billing/money.h"
#include "host/billing/session_api.h"
#include "shared/proto/wire_names.h"

namespace gm::host {

int sessions_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  const CommandArgs args("sessions", words, 0, "",
                         {{"csv", true}, {"json", true}, {"limit"}, {"after"}});
  if (args.flag("csv") && args.flag("json")) throw ConfigError("sessions: --csv or --json, not both");
  const size_t limit = args.parsed_if("limit", [](const std::string& s) {
                         return static_cast<size_t>(parse_whole(s, 1, billing::largest_page));
                       }).value_or(billing::default_page);
  const auto after = args.parsed_if("after", [](const std::string& s) {
    const auto key = billing::parse_session_key(s);
    if (!key) throw ConfigError("expected AGENT/SESSION_ID, e.g. gw-1/42");
    return *key;
  });
  const billing::SessionsPage page =
      billing::read_sessions_page(run.store.active_sessions(), after, limit);
  if (args.flag("json")) {
    std::printf("%s\n", billing::sessions_page_json(page.sessions, page.next, run.now).c_str());
    return 0;
  }
  Listing out({{"agent"}, {"session_id", true}, {"subscriber"}, {"service"}, {"service_type"},
               {"billing"}, {"address"}, {"account"}, {"balance", true}, {"rate"},
               {"duration_s", true}, {"charged_s", true}, {"cost", true}});
  for (const ActiveSession& s : page.sessions) {
    const bool billed = !s.account.empty();
    out.add({s.agent_id, std::to_string(s.session_id), s.subscriber, s.service, s.service_type,
             wire::billing_name(s.billing).c_str(), s.address, s.account,
             billed ? billing::format_money(s.balance_micros) : "",
             s.rate_id ? billing::format_money(s.rate_price_micros) + "/" + s.rate_unit : "",
             std::to_string(std::max<int64_t>(0, run.now - s.start_unix)),
             std::to_string(s.charged_s), billing::format_money(s.amount_micros)});
  }
  out.print(stdout, args.flag("csv"));
  // Apart from the listing (stderr), so that a CSV stays a CSV.
  if (page.next)
    std::fprintf(stderr, "more: billingctl sessions --after=%s\n",
                 billing::session_key_text(*page.next).c_str());
  return 0;
}

}  // namespace gm::host
