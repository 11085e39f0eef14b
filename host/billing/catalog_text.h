// Billing's values as operators write and read them (billingctl): the names of the store's
// enumerations and of the wire's outage policies and billing options, rate starts, approval
// endpoints. Each parse throws BillingError naming the text and listing what is allowed.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host/billing/rate.h"
#include "host/store/billing_types.h"

namespace gm::host {

// Plans, zones and providers: no message carries them, so no wire limit; a realm's, so that
// every name an operator gives fits one listing's column.
inline constexpr size_t max_catalog_name = 32;

inline constexpr std::array<AccountKind, 2> all_account_kinds = {AccountKind::prepaid,
                                                                 AccountKind::postpaid};
inline constexpr std::array<AtZero, 2> all_at_zero = {AtZero::end_session, AtZero::walled_garden};

std::string_view name(AccountKind k);  // prepaid, postpaid
AccountKind parse_account_kind(std::string_view text);
std::string_view name(AtZero a);  // end, walled-garden
AtZero parse_at_zero(std::string_view text);

// gatemeter.OutagePolicy and gatemeter.BillingOption by their wire names (wire_names.h:
// terminate, retry_and_terminate; prepaid, time_pass), '-' standing for '_' as well. A billing
// option for an offer is never `unspecified`.
int32_t parse_outage_policy(std::string_view text);
int32_t parse_offer_option(std::string_view text);

// A rate's service type or band, or "*" (nullopt) for any.
std::optional<billing::ServiceType> parse_service_type_or_any(std::string_view text);
std::optional<billing::Band> parse_band_or_any(std::string_view text);

// When a rate starts: unix seconds ("1767225600"), UTC text ("2026-01-01T00:00:00Z"), "now" or
// "now+SECONDS" from `now`.
int64_t parse_when(std::string_view text, int64_t now);

// A realm's approval endpoint: http://HOST:PORT or http://HOST:PORT/PATH, HOST a name or an
// IPv4 address, PORT 1 to 65535, at most 255 characters and no spaces.
void check_approval_url(std::string_view url);

// The row the store keeps for a checked rate: enums by name, "*" for any.
RateRow rate_row(const billing::Rate& rate, int64_t created_unix);

}  // namespace gm::host
