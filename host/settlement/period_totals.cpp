#include "host/settlement/period_totals.h"

#include <stdexcept>

#include "host/billing/money.h"

namespace gm::settlement {

void PeriodTotals::add_group(const GroupKey& key, const GroupSums& s) {
  using billing::checked_add;
  GroupSums& g = groups_[key];
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
  add_group({adjustment, h.serving_provider, h.serving_country, h.home_provider, h.home_country,
             h.user},
            {1, int64_t{h.session_time_s}, r.consumer_micros, r.provider_micros,
             r.fee_connection_micros, r.fee_time_micros});
}

}  // namespace gm::settlement
