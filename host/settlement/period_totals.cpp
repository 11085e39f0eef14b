#include "host/settlement/period_totals.h"

#include <stdexcept>

#include "host/billing/money.h"

namespace gm::settlement {

void PeriodTotals::add_group(const GroupKey& key, const GroupSums& s) {
  add_sums(groups_[key], s);
}

void PeriodTotals::add_sums(GroupSums& g, const GroupSums& s) {
  using billing::checked_add;
  g.connections = checked_add(g.connections, s.connections);
  g.seconds = checked_add(g.seconds, s.seconds);
  g.consumer_micros = checked_add(g.consumer_micros, s.consumer_micros);
  g.provider_micros = checked_add(g.provider_micros, s.provider_micros);
  g.fee_connection_micros = checked_add(g.fee_connection_micros, s.fee_connection_micros);
  g.fee_time_micros = checked_add(g.fee_time_micros, s.fee_time_micros);
  records_ = checked_add(records_, s.connections);
}

void PeriodTotals::add(const RatedRecord& r, bool adjustment) {
  if (!r.ok()) throw std::invalid_argument("settlement: a record that did not rate was totalled");
  const HistoryRecord& h = r.record;
  const GroupSums s{1, int64_t{h.session_time_s}, r.consumer_micros, r.provider_micros,
                    r.fee_connection_micros, r.fee_time_micros};
  // Most records land in a group that exists: found by reference, no key copied.
  const GroupKeyRef ref{adjustment, h.serving_provider, h.serving_country, h.home_provider,
                        h.home_country, h.user};
  if (const auto it = groups_.find(ref); it != groups_.end()) return add_sums(it->second, s);
  add_group({adjustment, h.serving_provider, h.serving_country, h.home_provider, h.home_country,
             h.user},
            s);
}

PeriodTotals PeriodTotals::of_provider(const std::string& provider) const {
  PeriodTotals out;
  for (const auto& [g, s] : groups_)
    if (g.serving_provider == provider || g.home_provider == provider)
      out.groups_.emplace_hint(out.groups_.end(), g, s), out.records_ += s.connections;
  return out;
}

}  // namespace gm::settlement
