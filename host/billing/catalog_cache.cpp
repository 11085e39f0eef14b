#include "host/billing/catalog_cache.h"

#include "host/billing/billing_error.h"

namespace gm::billing {

namespace {

const std::string none;

Rate rate_of(const host::RateRow& r) {
  Rate out;
  out.id = r.id;
  out.plan = r.plan;
  if (r.service_type != any) out.service_type = parse_service_type(r.service_type);
  if (r.band != any) out.band = parse_band(r.band);
  out.zone = r.zone;
  out.provider = r.provider;
  out.unit = parse_rate_unit(r.unit);
  out.price = r.price_micros;
  out.increment = static_cast<uint64_t>(r.increment);
  out.minimum = r.minimum_micros;
  out.effective_from_unix = r.effective_from_unix;
  return out;
}

}  // namespace

CatalogCache::CatalogCache(std::filesystem::path zoneinfo, Accounts accounts)
    : zoneinfo_(std::move(zoneinfo)),
      hold_accounts_(accounts),
      rates_(std::make_unique<RateTable>(std::vector<Rate>{})) {}

const TimeZone* CatalogCache::zone_named(const std::string& name) {
  auto it = time_zones_.find(name);
  if (it == time_zones_.end()) {
    std::unique_ptr<TimeZone> zone;
    try {
      zone = std::make_unique<TimeZone>(name == "UTC" ? TimeZone::utc()
                                                      : TimeZone::load(name, zoneinfo_));
    } catch (const BillingError&) {
      ++unknown_time_zones_;  // billingctl refuses such names; the store may hold one anyway
      zone = std::make_unique<TimeZone>(TimeZone::utc());
    }
    it = time_zones_.emplace(name, std::move(zone)).first;
  }
  return it->second.get();
}

void CatalogCache::refresh(host::Store& store) {
  const int64_t version = store.catalog().catalog_version();
  if (version == version_) return;
  // Everything is read and checked before anything is replaced: a bad catalog keeps the old.
  std::vector<Rate> rates;
  std::map<std::string, ServiceType, std::less<>> services;
  TimeBands bands;
  try {
    bands = parse_time_bands(store.catalog().time_bands());
    for (const host::RateRow& r : store.catalog().list_rates()) rates.push_back(rate_of(r));
    for (const host::ServiceRow& s : store.catalog().list_services())
      services[s.name] = parse_service_type(s.service_type);
    auto table = std::make_unique<RateTable>(std::move(rates));
    rates_ = std::move(table);
  } catch (const BillingError& e) {
    last_error_ = e.what();
    return;
  }
  services_ = std::move(services);
  bands_ = bands;
  providers_.clear();
  realms_.clear();
  for (const host::RealmRow& r : store.catalog().list_realms()) {
    providers_[r.name] = r.provider;
    realms_[r.name] = r;
  }
  offers_ = store.catalog().list_offers();
  zones_.clear();
  for (const host::ZoneRow& z : store.catalog().list_zones()) zones_[z.agent] = z.zone;
  if (hold_accounts_ == Accounts::held) {
    // Stamped at or below `version` means committed before it was read (billing_tables.cpp);
    // one stamped above, read early, is read again next time, to the same effect.
    for (const host::AccountTerms& a : store.account_book().accounts_changed_since(accounts_version_))
      accounts_[a.id] = AccountInfo{a.plan, a.kind, zone_named(a.time_zone)};
    accounts_version_ = version;
  }
  last_error_.clear();
  version_ = version;
}

const AccountInfo* CatalogCache::account(int64_t id) const {
  const auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

ServiceType CatalogCache::service_type(std::string_view service) const {
  const auto it = services_.find(service);
  return it == services_.end() ? ServiceType::data : it->second;
}

const std::string& CatalogCache::zone_of(int64_t agent) const {
  const auto it = zones_.find(agent);
  return it == zones_.end() ? none : it->second;
}

const host::RealmRow* CatalogCache::realm(std::string_view name) const {
  const auto it = realms_.find(name);
  return it == realms_.end() ? nullptr : &it->second;
}

const std::string& CatalogCache::provider_of(std::string_view realm) const {
  const auto it = providers_.find(realm);
  return it == providers_.end() ? none : it->second;
}

}  // namespace gm::billing
