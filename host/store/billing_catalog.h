// Billing's catalog: what usage costs (rates), what kind of service each service name is, which
// realms exist with their providers, outage policies and approval endpoints, what each realm or
// gateway offers, and where each gateway is (its zone). Every change raises the catalog's
// version, which each node polls to reload its copy (host/billing/catalog_cache.h).
#pragma once

#include <string>
#include <vector>

#include "host/store/billing_types.h"

namespace gm::host {

class BillingCatalog {
 public:
  virtual ~BillingCatalog() = default;
  // Throws BillingConflict if a rate with the same plan, service type, band, zone, provider and
  // start exists. Returns the new id. Rates are never changed or deleted: a new rate with a
  // later start replaces one from then on, so what was rated stays explained.
  virtual int64_t add_rate(const RateRow& rate) = 0;
  virtual std::vector<RateRow> list_rates() = 0;

  virtual void set_service(const ServiceRow& service) = 0;
  virtual std::vector<ServiceRow> list_services() = 0;
  virtual void set_realm(const RealmRow& realm) = 0;
  virtual std::vector<RealmRow> list_realms() = 0;
  virtual void set_offer(const OfferRow& offer) = 0;
  virtual bool remove_offer(const std::string& scope, int32_t option) = 0;
  virtual std::vector<OfferRow> list_offers() = 0;
  // Throws BillingConflict for an unknown agent.
  virtual void set_zone(const ZoneRow& zone) = 0;
  virtual std::vector<ZoneRow> list_zones() = 0;

  // The time-band schedule (host/billing/time_band.h syntax; "" the default), one for the whole
  // catalog so that every node puts a moment in the same band.
  virtual void set_time_bands(const std::string& text) = 0;
  virtual std::string time_bands() = 0;

  virtual int64_t catalog_version() = 0;
};

}  // namespace gm::host
