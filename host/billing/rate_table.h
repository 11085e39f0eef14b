// Which rate prices a piece of usage (BILLING.md, "Rating"): the rates of the account's plan,
// else of the default plan "", that match the usage's service type, time band, zone and
// provider and are in effect at its time; the most specific of them, then the newest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/billing/rate.h"

namespace gm::billing {

struct RateQuery {
  std::string plan;  // the account's; "" asks for the default plan only
  ServiceType service_type = ServiceType::data;
  Band band = Band::offpeak;
  std::string zone;      // the gateway's zone
  std::string provider;  // the provider of the subscriber's realm
  int64_t at_unix = 0;   // when the usage happened
};

class RateTable {
 public:
  // Validates every rate (validate()). Throws BillingError naming both ids for two rates with
  // one id, or two that would tie: the same plan, service type, band, zone, provider and
  // effective_from (no rule could choose between them).
  explicit RateTable(std::vector<Rate> rates);

  // The rate that prices `q`, or nullptr when none does (the usage cannot be rated).
  //  - Plan: the rates of q.plan that apply; only if none of them applies, those of "".
  //  - A rate applies if each of its service type, band, zone and provider is a wildcard or
  //    equal to the query's, and its effective_from is at or before q.at_unix (a new rate
  //    never reaches back).
  //  - The most specific wins, compared field by field: naming the provider beats not naming
  //    it whatever the rest; then the zone, then the band, then the service type.
  //  - Among equally specific ones, the latest effective_from.
  const Rate* find(const RateQuery& q) const;

  // The first effective_from after `unix` at which find() for `q` (at that time; q.at_unix
  // is not used) would answer a different rate: where a grant sized at today's rate must end.
  // `never` if no rate still to come changes the answer.
  int64_t next_change_after(const RateQuery& q, int64_t unix) const;

  const std::vector<Rate>& rates() const { return rates_; }

 private:
  const Rate* find_in_plan(const RateQuery& q, const std::string& plan) const;

  std::vector<Rate> rates_;
};

}  // namespace gm::billing
