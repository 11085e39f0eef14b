// The values billing's store roles exchange (account_book.h, billing_catalog.h). Names of
// enumerations (service types, bands, units) are kept as text, as the tables hold them; the
// billing library (host/billing/) parses and checks them before they get here.
#pragma once

#include <cstdint>
#include <string>

#include "host/store/store_types.h"

namespace gm::host {

// Bad billing input the store itself refuses (a name taken, an unknown account, a top-up key
// reused for another amount): the caller's mistake, nothing was written.
struct BillingConflict : StoreError {
  using StoreError::StoreError;
};

enum class AccountKind : int32_t { prepaid = 1, postpaid = 2 };
enum class AtZero : int32_t { end_session = 0, walled_garden = 1 };

struct AccountRow {
  int64_t id = 0;
  std::string name;  // what the subscriber names (AuthRequest.account) and operators use
  AccountKind kind = AccountKind::prepaid;
  std::string plan;                // "" the default plan
  std::string time_zone = "UTC";  // IANA name: time bands are in the account's local time
  int64_t balance_micros = 0;
  int64_t low_balance_micros = 0;  // below this, live sessions are warned (COMMAND_LOW_BALANCE)
  AtZero at_zero = AtZero::end_session;
  bool enabled = true;
  int64_t created_unix = 0;
};

// What rating needs of an account (host/billing/catalog_cache.h), and the catalog version at
// which its plan, kind or time zone last changed.
struct AccountTerms {
  int64_t id = 0;
  AccountKind kind = AccountKind::prepaid;
  std::string plan;
  std::string time_zone = "UTC";
  int64_t catalog_version = 0;
};

struct SubscriberRow {
  std::string name;  // "user@realm"
  std::string account;
};

enum class TopUpOutcome { applied, repeated };
struct TopUpResult {
  TopUpOutcome outcome = TopUpOutcome::applied;
  int64_t balance_micros = 0;  // after this top-up (the first time it was applied, if repeated)
};

struct RateRow {
  int64_t id = 0;
  std::string plan;          // "" the default plan
  std::string service_type;  // or "*"
  std::string band;          // or "*"
  std::string zone;          // or "*"
  std::string provider;      // or "*"
  std::string unit;          // second, minute, megabyte
  int64_t price_micros = 0;
  int64_t increment = 1;
  int64_t minimum_micros = 0;
  int64_t effective_from_unix = 0;
  int64_t created_unix = 0;
};

struct ServiceRow {
  std::string name;  // as the agent names it (UsageRecord.service)
  std::string service_type;
};

struct RealmRow {
  std::string name;
  std::string provider;       // the realm's home provider ("" this operator)
  int32_t outage_policy = 0;  // gatemeter.OutagePolicy
  std::string approval_url;   // "" none: billing decides alone
  int64_t temporary_s = 0;    // how long a temporary approval lasts while the endpoint decides
};

struct OfferRow {
  std::string scope;   // a realm's name, or "gateway:<agent_id>"
  int32_t option = 0;  // gatemeter.BillingOption
  std::string label, terms;
};

struct ZoneRow {
  std::string agent_id;
  std::string zone;
  int64_t agent = 0;  // the store's id for agent_id (filled by list_zones)
};

// One bill line as the store holds it: a session's line at one rate (closed, or its current).
struct ChargedLine {
  std::string agent_id;
  uint64_t session_id = 0;
  std::string subscriber, service;
  int64_t start_unix = 0;
  uint32_t line = 0;
  int64_t rate = 0;
  std::string unit;  // the rate's: second, minute, megabyte
  int64_t price_micros = 0;
  uint64_t units = 0;
  int64_t amount_micros = 0;
};

}  // namespace gm::host
