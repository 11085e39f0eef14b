#include "host/billing/rate_table.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "host/billing/billing_error.h"
#include "host/billing/posix_tz.h"

namespace gm::billing {

namespace {

// Ignoring plan and time: does the rate cover this usage?
bool covers(const Rate& r, const RateQuery& q) {
  return (!r.service_type || *r.service_type == q.service_type) && (!r.band || *r.band == q.band) &&
         (r.zone == any || r.zone == q.zone) && (r.provider == any || r.provider == q.provider);
}

// Compared as a tuple: provider first, service type last (BILLING.md's order).
std::tuple<bool, bool, bool, bool> specificity(const Rate& r) {
  return {r.provider != any, r.zone != any, r.band.has_value(), r.service_type.has_value()};
}

std::string describe(const Rate& r) {
  return "plan \"" + r.plan + "\", " + std::string(r.service_type ? name(*r.service_type) : any) +
         ", " + std::string(r.band ? name(*r.band) : any) + ", zone " + r.zone + ", provider " +
         r.provider + ", from " + std::to_string(r.effective_from_unix);
}

}  // namespace

RateTable::RateTable(std::vector<Rate> rates) : rates_(std::move(rates)) {
  using Key = std::tuple<std::string, int, int, std::string, std::string, int64_t>;
  std::map<Key, int64_t> tariffs;
  std::map<int64_t, size_t> ids;
  for (const Rate& r : rates_) {
    validate(r);
    if (const auto [it, fresh] = ids.emplace(r.id, 0); !fresh)
      throw BillingError("rates: id " + std::to_string(r.id) + " is used twice");
    const Key key{r.plan,
                  r.service_type ? static_cast<int>(*r.service_type) : -1,
                  r.band ? static_cast<int>(*r.band) : -1,
                  r.zone,
                  r.provider,
                  r.effective_from_unix};
    if (const auto [it, fresh] = tariffs.emplace(key, r.id); !fresh)
      throw BillingError("rates " + std::to_string(it->second) + " and " + std::to_string(r.id) +
                         " are the same tariff (" + describe(r) +
                         "): nothing could choose between them");
  }
}

const Rate* RateTable::find_in_plan(const RateQuery& q, const std::string& plan) const {
  const Rate* best = nullptr;
  for (const Rate& r : rates_) {
    if (r.plan != plan || r.effective_from_unix > q.at_unix || !covers(r, q)) continue;
    if (!best || specificity(r) > specificity(*best) ||
        (specificity(r) == specificity(*best) && r.effective_from_unix > best->effective_from_unix))
      best = &r;
  }
  // Two covering rates of one specificity have the same fields where they name one (the
  // query's) and wildcards elsewhere, so an equal effective_from is the duplicate the
  // constructor refused: the winner is unique.
  return best;
}

const Rate* RateTable::find(const RateQuery& q) const {
  if (const Rate* r = find_in_plan(q, q.plan)) return r;
  return q.plan.empty() ? nullptr : find_in_plan(q, "");
}

int64_t RateTable::next_change_after(const RateQuery& q, int64_t unix) const {
  std::vector<int64_t> starts;
  for (const Rate& r : rates_)
    if ((r.plan == q.plan || r.plan.empty()) && r.effective_from_unix > unix && covers(r, q))
      starts.push_back(r.effective_from_unix);
  std::sort(starts.begin(), starts.end());
  RateQuery at = q;
  at.at_unix = unix;
  const Rate* now = find(at);
  for (const int64_t start : starts) {
    at.at_unix = start;
    if (find(at) != now) return start;
  }
  return never;
}

}  // namespace gm::billing
