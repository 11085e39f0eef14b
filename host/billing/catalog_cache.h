// What rating needs of the store, held in memory so the census's commit never waits for it:
// the rates, the time-band schedule, each service name's type, each realm's provider, each
// gateway's zone, and each account's plan, kind and time zone; and for the billing service the
// realms and offers. Reloaded when the catalog's version moves (every change to those raises
// it: billing_catalog.h), all but the accounts whole; of the accounts only those changed since
// (AccountBook::accounts_changed_since), since there may be millions and the census's committer
// reloads between commits. A node polls the version once a second, so a rate added with a start
// at least that far ahead prices from its start on every node.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/billing/rate_table.h"
#include "host/billing/time_band.h"
#include "host/billing/time_zone.h"
#include "host/store/store.h"

namespace gm::billing {

struct AccountInfo {
  std::string plan;
  host::AccountKind kind = host::AccountKind::prepaid;
  const TimeZone* zone = nullptr;  // never null: UTC if the stored name does not load
};

class CatalogCache {
 public:
  enum class Accounts { held, not_held };
  // The billing service reads each account in the transaction that decides for it, so it
  // does not hold them (Accounts::not_held); the census's rater does.
  explicit CatalogCache(std::filesystem::path zoneinfo = "/usr/share/zoneinfo",
                        Accounts accounts = Accounts::held);

  // Reloads from the store if its catalog version moved since the last load, or on the first
  // call. Outside any transaction; throws StoreError if the store fails (the old copy stays).
  // A catalog that does not load (two rates that tie, written around billingctl) keeps the old
  // copy and says why in last_error().
  void refresh(host::Store& store);

  const AccountInfo* account(int64_t id) const;
  ServiceType service_type(std::string_view service) const;  // an unknown name is `data`
  const std::string& zone_of(int64_t agent) const;           // "" for none
  const std::string& provider_of(std::string_view realm) const;  // "" for none (this operator)
  // The billing service's part: a realm's row (nullptr if unknown) and every offer.
  const host::RealmRow* realm(std::string_view name) const;
  const std::map<std::string, host::RealmRow, std::less<>>& realms() const { return realms_; }
  const std::vector<host::OfferRow>& offers() const { return offers_; }
  // The zone of that IANA name, loaded once; UTC if it does not load.
  const TimeZone& time_zone(const std::string& name) { return *zone_named(name); }
  const RateTable& rates() const { return *rates_; }
  const TimeBands& bands() const { return bands_; }
  int64_t version() const { return version_; }
  const std::string& last_error() const { return last_error_; }
  uint64_t unknown_time_zones() const { return unknown_time_zones_; }

 private:
  const TimeZone* zone_named(const std::string& name);

  TimeBands bands_{};
  std::filesystem::path zoneinfo_;
  int64_t version_ = -1;
  Accounts hold_accounts_;
  int64_t accounts_version_ = -1;  // every account stamped at or below it is in accounts_
  std::unique_ptr<RateTable> rates_;
  std::unordered_map<int64_t, AccountInfo> accounts_;
  std::map<std::string, ServiceType, std::less<>> services_;
  std::unordered_map<int64_t, std::string> zones_;
  std::map<std::string, std::string, std::less<>> providers_;
  std::map<std::string, host::RealmRow, std::less<>> realms_;
  std::vector<host::OfferRow> offers_;
  std::map<std::string, std::unique_ptr<TimeZone>> time_zones_;  // loaded once per name
  std::string last_error_;
  uint64_t unknown_time_zones_ = 0;
};

}  // namespace gm::billing
