// settlectl's member directory and tariffs (settlectl_commands.h): providers, the servers and
// realms that name them, the rating rules and the handling fee. A rule or fee is checked with
// the whole tariff set it would make (tariff_problem) before it is written, so the store never
// holds tariffs that rate() would misread.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <tuple>
#include <utility>

#include "host/billing/billing_error.h"
#include "host/billing/money.h"
#include "host/cli/command_args.h"
#include "host/cli/listing.h"
#include "host/settlement/settlectl_commands.h"
#include "host/settlement/settlement_rate.h"

namespace gm::host {

namespace {

using billing::format_money;
using settlement::SettlementRule;

// Ids, countries, servers and realms: every listing and report shows them as they are.
constexpr size_t max_member_name = 64;

std::string member_name(const char* what, const std::string& s) {
  check_name(what, s, max_member_name);
  return s;
}

// `NOUN list [--csv]`, as billingctl's list_command.
void print_listing(const std::string& command, const std::vector<std::string>& words,
                   Listing& out) {
  const CommandArgs args(command, words, 0, "", {{"csv", true}});
  out.print(stdout, args.flag("csv"));
}

// "HH:MM-HH:MM" as seconds of the day; 24:00 is allowed as an end. Out-of-range hours are
// left to tariff_problem, which names the rule; minutes must be 00..59 to mean anything.
std::pair<int32_t, int32_t> parse_hours(const std::string& s) {
  const auto clock = [&](size_t at) {
    if (s[at + 2] != ':' || !isdigit(static_cast<unsigned char>(s[at])) ||
        !isdigit(static_cast<unsigned char>(s[at + 1])) ||
        !isdigit(static_cast<unsigned char>(s[at + 3])) ||
        !isdigit(static_cast<unsigned char>(s[at + 4])))
      throw ConfigError("expected HH:MM-HH:MM");
    const int h = (s[at] - '0') * 10 + (s[at + 1] - '0');
    const int m = (s[at + 3] - '0') * 10 + (s[at + 4] - '0');
    if (m > 59) throw ConfigError("minutes above 59");
    return static_cast<int32_t>(h * 3600 + m * 60);
  };
  if (s.size() != 11 || s[5] != '-') throw ConfigError("expected HH:MM-HH:MM");
  return {clock(0), clock(6)};
}

std::string hours_text(int32_t from, int32_t to) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", from / 3600, from / 60 % 60, to / 3600,
                to / 60 % 60);
  return buf;
}

// "FIRST..LAST", either "*" or YYYY-MM-DD (whether the dates exist: tariff_problem).
std::pair<std::string, std::string> parse_dates(const std::string& s) {
  const size_t dots = s.find("..");
  if (dots == std::string::npos || dots == 0 || dots + 2 == s.size())
    throw ConfigError("expected YYYY-MM-DD..YYYY-MM-DD (either end may be *)");
  return {s.substr(0, dots), s.substr(dots + 2)};
}

constexpr const char* weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

uint8_t parse_weekdays(const std::string& s) {
  uint8_t bits = 0;
  size_t at = 0;
  while (at <= s.size()) {
    const size_t comma = std::min(s.find(',', at), s.size());
    const std::string day = s.substr(at, comma - at);
    int found = -1;
    for (int i = 0; i < 7; ++i)
      if (day == weekday_names[i]) found = i;
    if (found < 0)
      throw ConfigError("unknown weekday \"" + day + "\" (sun, mon, tue, wed, thu, fri, sat)");
    bits = static_cast<uint8_t>(bits | (1u << found));
    at = comma + 1;
  }
  return bits;
}

std::string weekdays_text(uint8_t bits) {
  if (bits == settlement::every_day) return "*";
  std::string out;
  for (int i = 0; i < 7; ++i)
    if (bits & (1u << i)) out += (out.empty() ? "" : ",") + std::string(weekday_names[i]);
  return out;
}

settlement::Side parse_side(const std::string& s) {
  if (s == "consumer") return settlement::Side::consumer;
  if (s == "provider") return settlement::Side::provider;
  throw ConfigError("expected consumer or provider");
}

// The country or a provider a rule matches: a name, or "*" for any.
std::string name_or_any(const std::string& s) {
  return s == "*" ? s : member_name("name", s);
}

settlement::Tariffs checked(settlement::Tariffs t, const char* command) {
  if (const std::string problem = settlement::tariff_problem(t); !problem.empty())
    throw ConfigError(std::string(command) + ": " + problem + "; nothing written");
  return t;
}

}  // namespace

std::string provider_id(const std::string& text) {
  return member_name("provider", text);
}

void require_provider(Store& store, const std::string& id) {
  if (!store.settlement().directory().providers.count(id))
    throw BillingConflict("no provider " + id);
}

int provider_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("provider", words, {"set", "list", "password"}, rest);
  if (verb == "password") return provider_password(run, rest);
  const std::string command = "provider " + verb;
  SettlementLedger& ledger = run.store.settlement();
  if (verb == "set") {
    const CommandArgs args(command, rest, 1, "ID", {{"country"}});
    const settlement::Provider p{
        args.parsed_operand(0, provider_id),
        args.parsed("country", [](const std::string& c) { return member_name("country", c); })};
    ledger.set_provider(p);
    std::printf("provider %s set: country %s\n", p.id.c_str(), p.country.c_str());
    return 0;
  }
  const settlement::ProviderDirectory d = ledger.directory();
  Listing out({{"provider"}, {"country"}, {"servers"}, {"realms"}});
  for (const auto& [id, p] : d.providers) {
    std::string servers, realms;
    for (const auto& [s, owner] : d.server_provider)
      if (owner == id) servers += (servers.empty() ? "" : " ") + s;
    for (const auto& [r, owner] : d.realm_provider)
      if (owner == id) realms += (realms.empty() ? "" : " ") + r;
    out.add({id, p.country, servers, realms});
  }
  print_listing(command, rest, out);
  return 0;
}

namespace {

// `server set SERVER PROVIDER` and `realm set REALM PROVIDER`: the store refuses a provider
// it does not list (BillingConflict, exit 1).
int name_command(const SettlectlRun& run, const char* noun, const std::vector<std::string>& words,
                 bool realm) {
  std::vector<std::string> rest;
  verb_of(noun, words, {"set"}, rest);
  const std::string command = std::string(noun) + " set";
  const CommandArgs args(command, rest, 2, realm ? "REALM PROVIDER" : "SERVER PROVIDER", {});
  std::string name =
      args.parsed_operand(0, [&](const std::string& s) { return member_name(noun, s); });
  // Cleaning looks realms up in lower case (cleaning.h): a capital would never match.
  if (realm)
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string provider = args.parsed_operand(1, provider_id);
  if (realm)
    run.store.settlement().set_realm(name, provider);
  else
    run.store.settlement().set_server(name, provider);
  std::printf("%s %s set: provider %s\n", noun, name.c_str(), provider.c_str());
  return 0;
}

}  // namespace

int server_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  return name_command(run, "server", words, false);
}

int settlement_realm_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  return name_command(run, "realm", words, true);
}

int rule_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("rule", words, {"set", "remove", "list"}, rest);
  const std::string command = "rule " + verb;
  SettlementLedger& ledger = run.store.settlement();
  if (verb == "set") {
    const CommandArgs args(command, rest, 1, "ID",
                           {{"side"},
                            {"serving-country"},
                            {"serving-provider"},
                            {"home-provider"},
                            {"hours"},
                            {"dates"},
                            {"weekdays"},
                            {"price"}});
    SettlementRule r;
    r.id = args.parsed_operand(0, [](const std::string& s) { return member_name("rule id", s); });
    r.side = args.parsed("side", parse_side);
    r.serving_country = args.parsed_if("serving-country", name_or_any).value_or("*");
    r.serving_provider = args.parsed_if("serving-provider", name_or_any).value_or("*");
    r.home_provider = args.parsed_if("home-provider", name_or_any).value_or("*");
    if (const auto h = args.parsed_if("hours", parse_hours)) std::tie(r.from_s, r.to_s) = *h;
    if (const auto d = args.parsed_if("dates", parse_dates))
      std::tie(r.first_date, r.last_date) = *d;
    r.weekdays = args.parsed_if("weekdays", parse_weekdays).value_or(settlement::every_day);
    r.price_per_minute =
        args.parsed("price", [](const std::string& s) { return billing::parse_money(s); });
    // The set as it would be: the rule replaces any of its id, whichever side it had.
    settlement::Tariffs t = ledger.tariffs();
    std::erase_if(t.rules, [&](const SettlementRule& o) { return o.id == r.id; });
    t.rules.push_back(r);
    checked(std::move(t), "rule set");
    ledger.set_rule(r);
    std::printf("rule %s set: %s, %s per minute\n", r.id.c_str(),
                r.side == settlement::Side::consumer ? "consumer" : "provider",
                format_money(r.price_per_minute).c_str());
    return 0;
  }
  if (verb == "remove") {
    const CommandArgs args(command, rest, 1, "ID", {});
    const std::string id = args.operand(0);
    if (!ledger.remove_rule(id)) throw BillingConflict("no rule " + id);
    std::printf("rule %s removed\n", id.c_str());
    return 0;
  }
  Listing out({{"rule"},
               {"side"},
               {"serving_country"},
               {"serving_provider"},
               {"home_provider"},
               {"hours"},
               {"dates"},
               {"weekdays"},
               {"price", true}});
  for (const SettlementRule& r : ledger.tariffs().rules)
    out.add({r.id, r.side == settlement::Side::consumer ? "consumer" : "provider",
             r.serving_country, r.serving_provider, r.home_provider, hours_text(r.from_s, r.to_s),
             r.first_date + ".." + r.last_date, weekdays_text(r.weekdays),
             format_money(r.price_per_minute)});
  print_listing(command, rest, out);
  return 0;
}

int fee_command(const SettlectlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  const std::string verb = verb_of("fee", words, {"set", "show"}, rest);
  const std::string command = "fee " + verb;
  SettlementLedger& ledger = run.store.settlement();
  if (verb == "set") {
    const CommandArgs args(command, rest, 0, "", {{"per-connection"}, {"per-minute"}});
    const auto money = [](const std::string& s) { return billing::parse_money(s); };
    settlement::Tariffs t = ledger.tariffs();
    t.fee = {args.parsed("per-connection", money), args.parsed("per-minute", money)};
    const settlement::HandlingFee fee = checked(std::move(t), "fee set").fee;
    ledger.set_fee(fee);
    std::printf("handling fee set: %s per connection, %s per minute\n",
                format_money(fee.per_connection).c_str(), format_money(fee.per_minute).c_str());
    return 0;
  }
  const CommandArgs args(command, rest, 0, "", {});
  const settlement::HandlingFee fee = ledger.tariffs().fee;
  std::printf("handling fee: %s per connection, %s per minute\n",
              format_money(fee.per_connection).c_str(), format_money(fee.per_minute).c_str());
  return 0;
}

}  // namespace gm::host
