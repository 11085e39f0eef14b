// billingctl's catalog: rates, services, realms, offers, gateway zones (billingctl_commands.h).
#include <cstdio>
#include <limits>

#include "host/billing/billing_error.h"
#include "host/billing/billingctl_commands.h"
#include "host/billing/catalog_text.h"
#include "host/billing/money.h"
#include "host/billing/time_band.h"
#include "shared/proto/wire_limits.h"
#include "shared/proto/wire_names.h"

namespace gm::host {

namespace {

using billing::format_money;

// A plan, zone or provider; "*" passes (it is printable), for the rates that take it.
auto named(const char* what, size_t max = max_catalog_name) {
  return [what, max](const std::string& s) {
    check_name(what, s, max);
    return s;
  };
}

int64_t rate_start(const std::string& text, int64_t now) {
  const int64_t from = parse_when(text, now);
  // Rating prices each commit's growth once, at the rate then in effect (BILLING.md): a start
  // in the past would name a rate for usage already charged at another.
  if (from < now)
    throw ConfigError("starts at " + utc_text(from) + ", before now (" + utc_text(now) +
                      "): a new rate never applies to usage already rated; give a start from "
                      "now on (now, now+SECONDS, or a later time)");
  return from;
}

int rate_add(const BillingctlRun& run, const std::vector<std::string>& rest) {
  const CommandArgs args("rate add", rest, 0, "",
                         {{"plan"},
                          {"service-type"},
                          {"band"},
                          {"zone"},
                          {"provider"},
                          {"unit"},
                          {"price"},
                          {"increment"},
                          {"minimum"},
                          {"from"}});
  billing::Rate r;
  r.plan = args.parsed_if("plan", plan_name).value_or("");
  r.service_type = args.parsed("service-type", parse_service_type_or_any);
  r.band = args.parsed("band", parse_band_or_any);
  r.zone = args.parsed("zone", named("zone"));
  r.provider = args.parsed("provider", named("provider"));
  r.unit = args.parsed("unit", billing::parse_rate_unit);
  r.price = args.parsed("price", billing::parse_money);
  r.increment = args.parsed_if("increment",
                               [](const std::string& s) {
                                 return parse_whole(s, 1, std::numeric_limits<int64_t>::max());
                               })
                    .value_or(1);
  r.minimum = args.parsed_if("minimum", billing::parse_money).value_or(0);
  r.effective_from_unix =
      args.parsed("from", [&](const std::string& s) { return rate_start(s, run.now); });
  try {
    billing::validate(r);
  } catch (const billing::BillingError& e) {
    // validate names the rate by id ("rate 0: price -1.00 is negative"); this one has none yet.
    std::string why = e.what();
    if (why.rfind("rate 0: ", 0) == 0) why = why.substr(8);
    args.bad_operand(why);
  }
  const RateRow row = rate_row(r, run.now);
  const int64_t id = run.store.catalog().add_rate(row);
  std::printf(
      "rate %lld added: plan %s, service type %s, band %s, zone %s, provider %s: %s per "
      "%s in steps of %lld %s, minimum %s, from %s\n",
      static_cast<long long>(id), plan_text(row.plan).c_str(), row.service_type.c_str(),
      row.band.c_str(), row.zone.c_str(), row.provider.c_str(),
      format_money(row.price_micros).c_str(), row.unit.c_str(),
      static_cast<long long>(row.increment),
      billing::time_based(r.unit) ? "s"
      : row.increment == 1        ? "octet"
                                  : "octets",
      format_money(row.minimum_micros).c_str(), utc_text(row.effective_from_unix).c_str());
  return 0;
}

std::string realm_name(const std::string& s) {
  return named("realm", wire::max_realm)(s);
}

// An offer's scope: a realm, or one gateway ("gateway:AGENT_ID").
constexpr std::string_view gateway_scope = "gateway:";
std::string offer_scope(const std::string& s) {
  if (s.rfind(gateway_scope, 0) == 0)
    check_name("gateway agent id", s.substr(gateway_scope.size()), wire::max_agent_id);
  else
    realm_name(s);
  return s;
}

}  // namespace

int rate_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  if (verb_of("rate", words, {"add", "list"}, rest) == "add") return rate_add(run, rest);
  return list_command("rate list", rest,
                      {{"id", true},
                       {"plan"},
                       {"service_type"},
                       {"band"},
                       {"zone"},
                       {"provider"},
                       {"unit"},
                       {"price", true},
                       {"increment", true},
                       {"minimum", true},
                       {"from"}},
                      run.store.catalog().list_rates(), [](const RateRow& r) {
                        return std::vector{std::to_string(r.id),
                                           r.plan,
                                           r.service_type,
                                           r.band,
                                           r.zone,
                                           r.provider,
                                           r.unit,
                                           format_money(r.price_micros),
                                           std::to_string(r.increment),
                                           format_money(r.minimum_micros),
                                           utc_text(r.effective_from_unix)};
                      });
}

int service_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  BillingCatalog& catalog = run.store.catalog();
  if (verb_of("service", words, {"set", "list"}, rest) == "set") {
    const CommandArgs args("service set", rest, 2, "NAME TYPE", {});
    const ServiceRow s{args.parsed_operand(0, named("service name", wire::max_service)),
                       args.parsed_operand(1, [](const std::string& t) {
                         return std::string(name(billing::parse_service_type(t)));
                       })};
    catalog.set_service(s);
    std::printf("service %s is %s\n", s.name.c_str(), s.service_type.c_str());
    return 0;
  }
  return list_command("service list", rest, {{"service"}, {"service_type"}},
                      catalog.list_services(), [](const ServiceRow& s) {
                        return std::vector{s.name, s.service_type};
                      });
}

int realm_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  BillingCatalog& catalog = run.store.catalog();
  if (verb_of("realm", words, {"set", "list"}, rest) == "set") {
    const CommandArgs args("realm set", rest, 1, "NAME",
                           {{"provider"}, {"outage-policy"}, {"approval-url"}, {"temporary"}});
    RealmRow r;
    r.name = args.parsed_operand(0, realm_name);
    // Options left out keep what the realm has.
    bool known = false;
    for (const RealmRow& held : catalog.list_realms())
      if (held.name == r.name) {
        r = held;
        known = true;
      }
    if (const auto p = args.parsed_if("provider", [](const std::string& s) {
          return s.empty() ? s : named("provider")(s);  // "" this operator
        }))
      r.provider = *p;
    if (const auto p = args.parsed_if("outage-policy", parse_outage_policy)) r.outage_policy = *p;
    if (const auto url = args.parsed_if("approval-url", [](const std::string& s) {
          if (!s.empty()) check_approval_url(s);  // "" none: billing decides alone
          return s;
        }))
      r.approval_url = *url;
    if (const auto t = args.parsed_if(
            "temporary", [](const std::string& s) { return parse_whole(s, 0, 86400); }))
      r.temporary_s = static_cast<int64_t>(*t);
    if (!r.approval_url.empty() && r.temporary_s == 0)
      args.bad_operand("realm " + r.name +
                       " has an approval URL, so it needs --temporary=SECONDS "
                       "(how long a session may run while the endpoint decides), 1 to 86400");
    catalog.set_realm(r);
    std::printf("realm %s %s: provider %s, outage policy %s, approval url %s, temporary %lld s\n",
                r.name.c_str(), known ? "changed" : "added",
                r.provider.empty() ? "(this operator)" : r.provider.c_str(),
                wire::outage_policy_name(r.outage_policy).c_str(),
                r.approval_url.empty() ? "(none)" : r.approval_url.c_str(),
                static_cast<long long>(r.temporary_s));
    return 0;
  }
  return list_command(
      "realm list", rest,
      {{"realm"}, {"provider"}, {"outage_policy"}, {"approval_url"}, {"temporary_s", true}},
      catalog.list_realms(), [](const RealmRow& r) {
        return std::vector<std::string>{r.name, r.provider,
                                        wire::outage_policy_name(r.outage_policy).c_str(),
                                        r.approval_url, std::to_string(r.temporary_s)};
      });
}

int offer_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  BillingCatalog& catalog = run.store.catalog();
  const std::string verb = verb_of("offer", words, {"set", "remove", "list"}, rest);
  if (verb == "list")
    return list_command("offer list", rest, {{"scope"}, {"option"}, {"label"}, {"terms"}},
                        catalog.list_offers(), [](const OfferRow& o) {
                          return std::vector<std::string>{
                              o.scope, wire::billing_name(o.option).c_str(), o.label, o.terms};
                        });
  const std::vector<OptionSpec> options =
      verb == "set" ? std::vector<OptionSpec>{{"label"}, {"terms"}} : std::vector<OptionSpec>{};
  const CommandArgs args("offer " + verb, rest, 2, "SCOPE OPTION", options);
  OfferRow o;
  o.scope = args.parsed_operand(0, offer_scope);
  o.option = args.parsed_operand(1, parse_offer_option);
  const std::string option = wire::billing_name(o.option).c_str();
  if (verb == "remove") {
    if (!catalog.remove_offer(o.scope, o.option))
      throw BillingConflict("no offer " + option + " for " + o.scope);
    std::printf("offer %s for %s removed\n", option.c_str(), o.scope.c_str());
    return 0;
  }
  // What a captive portal shows, carried whole in an Offer: the wire's limits are these.
  o.label = args.parsed("label", [](const std::string& s) {
    check_text("label", s, 1, wire::max_offer_label);
    return s;
  });
  o.terms = args.parsed("terms", [](const std::string& s) {
    check_text("terms", s, 0, wire::max_offer_terms);
    return s;
  });
  // An offer for a realm or gateway nobody defined would never be shown: say so instead.
  if (o.scope.rfind(gateway_scope, 0) == 0) {
    const std::string agent = o.scope.substr(gateway_scope.size());
    if (!run.store.find_agent(agent))
      throw BillingConflict("no agent " + agent + " (censusctl add-agent registers it)");
  } else {
    bool known = false;
    for (const RealmRow& r : catalog.list_realms()) known = known || r.name == o.scope;
    if (!known)
      throw BillingConflict("no realm " + o.scope + " (billingctl realm set " + o.scope +
                            " defines it)");
  }
  catalog.set_offer(o);
  std::printf("offer %s for %s: label \"%s\", terms \"%s\"\n", option.c_str(), o.scope.c_str(),
              o.label.c_str(), o.terms.c_str());
  return 0;
}

int zone_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  BillingCatalog& catalog = run.store.catalog();
  if (verb_of("zone", words, {"set", "list"}, rest) == "set") {
    const CommandArgs args("zone set", rest, 2, "AGENT_ID ZONE", {});
    const ZoneRow z{args.parsed_operand(0, named("agent id", wire::max_agent_id)),
                    args.parsed_operand(1, [](const std::string& s) {
                      if (s == billing::any) throw ConfigError("a gateway's zone is a name, not *");
                      return named("zone")(s);
                    })};
    catalog.set_zone(z);  // refuses an agent censusctl has not registered
    std::printf("gateway %s is in zone %s\n", z.agent_id.c_str(), z.zone.c_str());
    return 0;
  }
  return list_command("zone list", rest, {{"agent"}, {"zone"}}, catalog.list_zones(),
                      [](const ZoneRow& z) {
                        return std::vector{z.agent_id, z.zone};
                      });
}

int bands_command(const BillingctlRun& run, const std::vector<std::string>& words) {
  std::vector<std::string> rest;
  BillingCatalog& catalog = run.store.catalog();
  if (verb_of("bands", words, {"set", "show"}, rest) == "set") {
    const CommandArgs args("bands set", rest, 1, "SCHEDULE", {});
    const std::string text = args.parsed_operand(0, [](const std::string& s) {
      try {
        billing::parse_time_bands(s);  // refused here, it is never stored
      } catch (const billing::BillingError& e) {
        throw ConfigError(e.what());
      }
      return s;
    });
    catalog.set_time_bands(text);
    std::printf("time bands: %s\n", text.empty() ? "(the default)" : text.c_str());
    return 0;
  }
  const CommandArgs args("bands show", rest, 0, "", {});
  const std::string text = catalog.time_bands();
  std::printf("%s\n", text.empty() ? "peak=mon-fri 08:00-20:00; weekend=sat-sun (the default)"
                                    : text.c_str());
  return 0;
}

}  // namespace gm::host
