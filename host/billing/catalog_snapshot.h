// The billing service's copy of the catalog (billing_catalog.h): realms, offers, services,
// gateway zones and the rate table, read once and again only when the catalog's version moves
// (one small query per request), with the account time zones it has loaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/billing/rate_table.h"
#include "host/billing/service_type.h"
#include "host/billing/time_zone.h"
#include "host/store/billing_catalog.h"

namespace gm::billing {

// A rates row as the rating code takes it ("*" for any service type or band). Throws
// BillingError for a name it does not know.
Rate rate_of(const host::RateRow& row);

// The offers a gateway shows for `realm`: those of scope "gateway:<agent_id>", then the realm's
// for the options the gateway's do not name (a gateway's own offer wins over its realm's).
std::vector<host::OfferRow> offers_applying(const std::vector<host::OfferRow>& all,
                                            const std::string& realm, const std::string& agent_id);

struct CatalogSnapshot {
  int64_t version = -1;
  std::map<std::string, host::RealmRow> realms;
  std::vector<host::OfferRow> offers;
  std::map<std::string, ServiceType> services;  // service name -> type
  std::map<std::string, std::string> zones;     // agent id -> zone
  RateTable rates{{}};

  const host::RealmRow* realm(const std::string& name) const;
  // The offers of `scope` (a realm's name, or "gateway:<agent_id>").
  std::vector<host::OfferRow> offers_of(const std::string& scope) const;
  // The service's type; a service the table does not name is `data`.
  ServiceType service_type(const std::string& service) const;
  std::string zone_of(const std::string& agent_id) const;
};

class CatalogCopy {
 public:
  explicit CatalogCopy(std::string zoneinfo = "/usr/share/zoneinfo")
      : zoneinfo_(std::move(zoneinfo)) {}
  // The current catalog: reloaded if its version moved. A rate table the rating code refuses
  // (two rates that tie) keeps the previous copy and logs why once per version.
  const CatalogSnapshot& current(host::BillingCatalog& catalog);
  // An account's zone, loaded once; an unreadable one is UTC (logged once).
  const TimeZone& zone(const std::string& name);

 private:
  std::string zoneinfo_;
  CatalogSnapshot snapshot_;
  int64_t refused_version_ = -1;
  std::map<std::string, TimeZone> zones_;
};

}  // namespace gm::billing
