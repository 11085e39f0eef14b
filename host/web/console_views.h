// What the web console shows, as JSON read from the store (WEB.md "Views"): the same text
// answers a GET and is pushed by the live board (live_board.h) when it changes, so a page
// that loads a view and then follows it never sees two spellings of one thing. Money is
// integer micro-units, session ids decimal strings (session_api.h's rules).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "host/store/store.h"

namespace gm::web {

// {"gateways":[{"agent":..,"enabled":..,"components":..,"created_unix":..,"last_login_unix":..}],
//  "refusals":[{"reason":..,"count":..}]}
std::string gateways_json(host::Store& store);

// {"accounts":[{"name":..,"kind":..,"balance_micros":..,"enabled":..}]}
std::string accounts_json(host::Store& store);

// The subscriber's own page: {"subscriber":..,"account":..|null,"kind":..,"balance_micros":..,
// "sessions":[session_json...]}; nullopt for an unknown subscriber.
std::optional<std::string> subscriber_json(host::Store& store, const std::string& subscriber,
                                           int64_t now_unix);

// A page of open sessions for the operator: session_api.h's {"sessions":[..],"next":..}.
std::string sessions_json(host::Store& store, const std::optional<host::SessionKey>& after,
                          size_t limit, int64_t now_unix);

// What a captive portal shows before anyone logs in (public): {"realm":..,"offers":[{"option":
// "prepaid","label":..,"terms":..}]}, the gateway's own offers first when `agent` names
// one (billing/offers.h).
std::string offers_json(host::Store& store, const std::string& realm, const std::string& agent);

// {"command":ID,"state":"pending"|"confirmed","delivered_unix":N}; nullopt for no such command.
std::optional<std::string> command_json(host::Store& store, int64_t id);

}  // namespace gm::web
