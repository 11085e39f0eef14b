// A period's rated usage summed per group: what every report of the period is made from
// (settlement_reports.h), fed one record at a time, so a period of any length is reported in
// memory that grows with its groups (users and pairs of providers), never with its records.
// A closed period keeps these groups in the store (SCHEMA.md "settlement_period_groups"): its
// reports are printed from them, whatever the tariffs say later.
//
// A group is (adjustment, serving provider and country, home provider and country, user): the
// finest grouping any report shows (the Detail, by user). An adjustment is a record the
// period's reports carry although its stop lies before the period: it was cleaned after its
// own period had closed (period_close.h), so it is settled late rather than changing a report
// already sent.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "host/settlement/settlement_rate.h"

namespace gm::settlement {

struct GroupKey {
  bool adjustment = false;
  std::string serving_provider;
  std::string serving_country;
  std::string home_provider;
  std::string home_country;
  std::string user;
  auto operator<=>(const GroupKey&) const = default;
};

// A group's key by reference, to look one up without copying its strings; ordered as GroupKey.
struct GroupKeyRef {
  bool adjustment = false;
  std::string_view serving_provider, serving_country, home_provider, home_country, user;
};

// GroupKey and GroupKeyRef compared as one (std::less<> lookups).
struct GroupKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::tie(a.adjustment, a.serving_provider, a.serving_country, a.home_provider,
                    a.home_country, a.user) <
           std::tie(b.adjustment, b.serving_provider, b.serving_country, b.home_provider,
                    b.home_country, b.user);
  }
};

struct GroupSums {
  int64_t connections = 0;
  int64_t seconds = 0;
  Micros consumer_micros = 0;        // the home provider pays
  Micros provider_micros = 0;        // the serving provider earns
  Micros fee_connection_micros = 0;  // the operator's, paid by the home provider
  Micros fee_time_micros = 0;
  bool operator==(const GroupSums&) const = default;
};

class PeriodTotals {
 public:
  // A record that rated (r.ok()); one that did not is the caller's to report, and is refused
  // here with std::invalid_argument rather than counted as free. Sums use checked arithmetic:
  // a total that overflows Micros throws billing::BillingError.
  void add(const RatedRecord& r, bool adjustment = false);
  // A group as a closed period stored it; added to any sums already held for its key.
  void add_group(const GroupKey& key, const GroupSums& sums);

  const std::map<GroupKey, GroupSums, GroupKeyLess>& groups() const { return groups_; }
  int64_t records() const { return records_; }
  // The groups `provider` serves or consumes in: all any of its own reports reads.
  PeriodTotals of_provider(const std::string& provider) const;

 private:
  void add_sums(GroupSums& g, const GroupSums& s);

  std::map<GroupKey, GroupSums, GroupKeyLess> groups_;
  int64_t records_ = 0;
};

}  // namespace gm::settlement
