#include "host/web/console_views.h"

#include "host/billing/offers.h"
#include "host/billing/session_api.h"
#include "host/store/json_text.h"
#include "shared/proto/wire_names.h"

namespace gm::web {

using host::json_string;

namespace {

std::string num(int64_t v) {
  return std::to_string(v);
}

const char* kind_name(host::AccountKind k) {
  return k == host::AccountKind::prepaid ? "prepaid" : "postpaid";
}

}  // namespace

std::string gateways_json(host::Store& store) {
  std::string out = "{\"gateways\":[";
  bool first = true;
  for (const host::Agent& a : store.list_agents()) {
    out += (first ? "" : ",");
    first = false;
    out += "{\"agent\":" + json_string(a.agent_id) +
           ",\"enabled\":" + (a.enabled ? "true" : "false") +
           ",\"components\":" + json_string(a.components) +
           ",\"created_unix\":" + num(a.created_unix) +
           ",\"last_login_unix\":" + num(a.last_login_unix) + "}";
  }
  out += "],\"refusals\":[";
  first = true;
  for (const host::RefusalCount& r : store.refusals()) {
    out += (first ? "" : ",");
    first = false;
    out += "{\"reason\":" + json_string(r.reason) + ",\"count\":" + std::to_string(r.count) + "}";
  }
  return out + "]}";
}

std::string accounts_json(host::Store& store) {
  std::string out = "{\"accounts\":[";
  bool first = true;
  for (const host::AccountRow& a : store.account_book().list_accounts()) {
    out += (first ? "" : ",");
    first = false;
    out += "{\"name\":" + json_string(a.name) + ",\"kind\":\"" + kind_name(a.kind) +
           "\",\"balance_micros\":" + num(a.balance_micros) +
           ",\"enabled\":" + (a.enabled ? "true" : "false") + "}";
  }
  return out + "]}";
}

std::optional<std::string> subscriber_json(host::Store& store, const std::string& subscriber,
                                           int64_t now) {
  const auto sub = store.account_book().find_subscriber(subscriber);
  if (!sub) return std::nullopt;
  const auto account = store.account_book().find_account(sub->account);
  std::string out = "{\"subscriber\":" + json_string(subscriber) + ",\"account\":";
  if (!account) return out + "null,\"kind\":null,\"balance_micros\":null,\"sessions\":[]}";
  out += json_string(account->name) + ",\"kind\":\"" + kind_name(account->kind) +
         "\",\"balance_micros\":" + num(account->balance_micros) + ",\"sessions\":[";
  bool first = true;
  // The account's sessions, of this subscriber only: an account may pay for several.
  for (const host::ActiveSession& s :
       store.active_sessions().account_sessions(account->name, 200)) {
    if (s.subscriber != subscriber) continue;
    out += (first ? "" : ",") + billing::session_json(s, now);
    first = false;
  }
  return out + "]}";
}

std::string sessions_json(host::Store& store, const std::optional<host::SessionKey>& after,
                          size_t limit, int64_t now) {
  const billing::SessionsPage page =
      billing::read_sessions_page(store.active_sessions(), after, limit);
  return billing::sessions_page_json(page.sessions, page.next, now);
}

std::string offers_json(host::Store& store, const std::string& realm, const std::string& agent) {
  std::string out = "{\"realm\":" + json_string(realm) + ",\"offers\":[";
  bool first = true;
  for (const host::OfferRow& o :
       billing::offers_applying(store.catalog().list_offers(), realm, agent)) {
    out += (first ? "" : ",");
    first = false;
    out += "{\"option\":" + json_string(wire::billing_name(o.option).c_str()) +
           ",\"label\":" + json_string(o.label) + ",\"terms\":" + json_string(o.terms) + "}";
  }
  return out + "]}";
}

std::optional<std::string> command_json(host::Store& store, int64_t id) {
  const auto delivered = store.command_delivered_unix(id);
  if (!delivered) return std::nullopt;
  return "{\"command\":" + num(id) + ",\"state\":\"" + (*delivered ? "confirmed" : "pending") +
         "\",\"delivered_unix\":" + num(*delivered) + "}";
}

}  // namespace gm::web
