#include "host/billing/catalog_snapshot.h"

#include <cstdio>

#include "host/billing/billing_error.h"

namespace gm::billing {

Rate rate_of(const host::RateRow& row) {
  Rate r;
  r.id = row.id;
  r.plan = row.plan;
  if (row.service_type != any) r.service_type = parse_service_type(row.service_type);
  if (row.band != any) r.band = parse_band(row.band);
  r.zone = row.zone;
  r.provider = row.provider;
  r.unit = parse_rate_unit(row.unit);
  r.price = row.price_micros;
  r.increment = row.increment < 1 ? 0 : static_cast<uint64_t>(row.increment);
  r.minimum = row.minimum_micros;
  r.effective_from_unix = row.effective_from_unix;
  return r;
}

std::vector<host::OfferRow> offers_applying(const std::vector<host::OfferRow>& all,
                                            const std::string& realm, const std::string& agent_id) {
  std::vector<host::OfferRow> out;
  const std::string gateway = "gateway:" + agent_id;
  for (const host::OfferRow& o : all)
    if (o.scope == gateway) out.push_back(o);
  const size_t own = out.size();
  for (const host::OfferRow& o : all) {
    if (o.scope != realm) continue;
    bool named = false;
    for (size_t i = 0; i < own; ++i) named |= out[i].option == o.option;
    if (!named) out.push_back(o);
  }
  return out;
}

const host::RealmRow* CatalogSnapshot::realm(const std::string& name) const {
  const auto it = realms.find(name);
  return it == realms.end() ? nullptr : &it->second;
}

std::vector<host::OfferRow> CatalogSnapshot::offers_of(const std::string& scope) const {
  std::vector<host::OfferRow> out;
  for (const host::OfferRow& o : offers)
    if (o.scope == scope) out.push_back(o);
  return out;
}

ServiceType CatalogSnapshot::service_type(const std::string& service) const {
  const auto it = services.find(service);
  return it == services.end() ? ServiceType::data : it->second;
}

std::string CatalogSnapshot::zone_of(const std::string& agent_id) const {
  const auto it = zones.find(agent_id);
  return it == zones.end() ? "" : it->second;
}

const CatalogSnapshot& CatalogCopy::current(host::BillingCatalog& catalog) {
  const int64_t version = catalog.catalog_version();
  if (version == snapshot_.version || version == refused_version_) return snapshot_;
  try {
    CatalogSnapshot s;
    s.version = version;
    for (const host::RealmRow& r : catalog.list_realms()) s.realms[r.name] = r;
    s.offers = catalog.list_offers();
    for (const host::ServiceRow& x : catalog.list_services())
      s.services[x.name] = parse_service_type(x.service_type);
    for (const host::ZoneRow& z : catalog.list_zones()) s.zones[z.agent_id] = z.zone;
    std::vector<Rate> rates;
    for (const host::RateRow& r : catalog.list_rates()) rates.push_back(rate_of(r));
    s.rates = RateTable(std::move(rates));
    snapshot_ = std::move(s);
  } catch (const BillingError& e) {
    refused_version_ = version;
    std::fprintf(stderr, "billing: catalog version %lld refused, keeping version %lld: %s\n",
                 static_cast<long long>(version), static_cast<long long>(snapshot_.version),
                 e.what());
  }
  return snapshot_;
}

const TimeZone& CatalogCopy::zone(const std::string& name) {
  auto it = zones_.find(name);
  if (it != zones_.end()) return it->second;
  try {
    it = zones_.emplace(name, TimeZone::load(name, zoneinfo_)).first;
  } catch (const BillingError& e) {
    std::fprintf(stderr, "billing: time zone %s: %s; using UTC\n", name.c_str(), e.what());
    it = zones_.emplace(name, TimeZone::utc()).first;
  }
  return it->second;
}

}  // namespace gm::billing
