// The wire's limits, read off the structs nanopb generates from gatemeter.options, so that the
// options file is their only source: raising a max_size or max_count there moves every check
// and buffer sized by these. Repeated fields hold max_count elements; a string field holds
// max_size bytes including nanopb's terminating NUL, so its text is one shorter.
#pragma once

#include <cstddef>
#include <type_traits>

#include "gatemeter.pb.h"

namespace gm::wire {

// LoginRequest
inline constexpr size_t max_agent_id = sizeof(gatemeter_LoginRequest::agent_id) - 1;
inline constexpr size_t max_components =
    std::extent_v<decltype(gatemeter_LoginRequest::components)>;

// LoginResponse
inline constexpr size_t max_census = std::extent_v<decltype(gatemeter_LoginResponse::census)>;
inline constexpr size_t max_census_address =
    std::extent_v<decltype(gatemeter_LoginResponse::census), 1> - 1;
inline constexpr size_t max_updates = std::extent_v<decltype(gatemeter_LoginResponse::updates)>;
// Billing servers ("host:port", primary first) and the offers a realm makes: the login's own and
// OfferResponse's, one count for both, or the login could list an offer OfferResponse cannot.
inline constexpr size_t max_billing = std::extent_v<decltype(gatemeter_LoginResponse::billing)>;
inline constexpr size_t max_billing_address =
    std::extent_v<decltype(gatemeter_LoginResponse::billing), 1> - 1;
inline constexpr size_t max_offers = std::extent_v<decltype(gatemeter_OfferResponse::offers)>;
static_assert(std::extent_v<decltype(gatemeter_LoginResponse::offers)> == max_offers,
              "gatemeter.options: LoginResponse.offers and OfferResponse.offers need the same "
              "max_count");
// What the agent keeps of a subscriber's request while it waits for billing's answer.
inline constexpr size_t max_subscriber_address =
    sizeof(gatemeter_AuthRequest::subscriber_address) - 1;

// A component is named in what the agent reports (ComponentVersion), what it is offered
// (ComponentUpdate) and what it is told of later (Command.component): one limit for all three,
// or an offered name could be one the agent cannot report back.
inline constexpr size_t max_component_name = sizeof(gatemeter_ComponentUpdate::name) - 1;
static_assert(sizeof(gatemeter_ComponentVersion::name) == max_component_name + 1 &&
                  sizeof(gatemeter_Command::component) == max_component_name + 1,
              "gatemeter.options: ComponentVersion.name, ComponentUpdate.name and "
              "Command.component need the same max_size");
inline constexpr size_t max_location = sizeof(gatemeter_ComponentUpdate::location) - 1;

// MeteringBatch and Ack
inline constexpr size_t max_batch_records =
    std::extent_v<decltype(gatemeter_MeteringBatch::records)>;
inline constexpr size_t max_confirmed_commands =
    std::extent_v<decltype(gatemeter_MeteringBatch::confirmed_commands)>;
inline constexpr size_t max_ack_records = std::extent_v<decltype(gatemeter_Ack::records)>;
inline constexpr size_t max_ack_commands = std::extent_v<decltype(gatemeter_Ack::commands)>;

// What billing's tables hold must fit the messages that carry it: a subscriber and a service as
// records and AuthRequest name them, an account as AuthRequest names it, a realm as the login
// and OfferRequest/OfferResponse carry it, an offer's label and terms as Offer does.
inline constexpr size_t max_subscriber = sizeof(gatemeter_UsageRecord::subscriber) - 1;
inline constexpr size_t max_service = sizeof(gatemeter_UsageRecord::service) - 1;
static_assert(sizeof(gatemeter_AuthRequest::subscriber) == max_subscriber + 1 &&
                  sizeof(gatemeter_AuthRequest::service) == max_service + 1,
              "gatemeter.options: AuthRequest.subscriber/service need UsageRecord's max_size");
inline constexpr size_t max_account = sizeof(gatemeter_AuthRequest::account) - 1;
inline constexpr size_t max_realm = sizeof(gatemeter_LoginResponse::realm) - 1;
static_assert(sizeof(gatemeter_OfferRequest::realm) == max_realm + 1 &&
                  sizeof(gatemeter_OfferResponse::realm) == max_realm + 1,
              "gatemeter.options: LoginResponse.realm, OfferRequest.realm and "
              "OfferResponse.realm need the same max_size");
inline constexpr size_t max_offer_label = sizeof(gatemeter_Offer::label) - 1;
inline constexpr size_t max_offer_terms = sizeof(gatemeter_Offer::terms) - 1;

}  // namespace gm::wire
