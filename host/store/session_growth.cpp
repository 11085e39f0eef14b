#include "host/store/session_growth.h"

#include <algorithm>
#include <numeric>

#include "host/store/feed_event.h"

namespace gm::host {

UsageTotals counters_max(const UsageTotals& a, const UsageTotals& b) {
  return {std::max(a.charged_s, b.charged_s), std::max(a.free_s, b.free_s),
          std::max(a.octets_in, b.octets_in), std::max(a.octets_out, b.octets_out)};
}

bool grow(SessionGrowth& g, const VerifiedRecord& v, uint32_t index) {
  const bool applies = (g.created && g.newest == no_growth) || v.record.seq > g.held_seq;
  if (!applies) return false;
  const UsageTotals& t = v.record.totals;
  // A new session's first record sets its counters: there is nothing to go below.
  if (!(g.created && g.newest == no_growth)) {
    if (t.charged_s < g.after.charged_s || t.free_s < g.after.free_s ||
        t.octets_in < g.after.octets_in || t.octets_out < g.after.octets_out)
      ++g.backwards;
    g.after = counters_max(g.after, t);
  } else {
    g.after = t;
  }
  g.held_seq = v.record.seq;
  g.newest = index;
  if (v.record.kind == gatemeter_RecordKind_RECORD_STOP) {
    g.stop = index;
    g.stop_cause = v.record.cause;
  }
  if (v.record.kind == gatemeter_RecordKind_RECORD_STOP && g.state_before == 0 &&
      g.ended == no_growth)
    g.ended = index;
  return true;
}

void ended_sessions(const CensusCommit& c, const std::vector<SessionGrowth>& sessions,
                    int64_t now, std::vector<FeedRow>& out,
                    std::vector<EndedOfAgent>* roaming) {
  for (const SessionGrowth& g : sessions) {
    if (g.ended == no_growth) continue;
    const VerifiedRecord& stop = c.records[g.ended];
    const UsageRecord& r = stop.record;
    const EndedSession e{r.session_id, r.subscriber, r.service, r.billing, r.start_unix, now,
                         g.after,      r.cause,      g.charge.amount_micros};
    out.push_back({stop.agent, r.session_id, feed_event(e)});
    if (roaming != nullptr && r.billing == gatemeter_BillingOption_BILLING_ROAMING)
      roaming->push_back({stop.agent, e});
  }
}

int64_t growth_time(const VerifiedRecord& v, int64_t now) {
  int64_t at = v.agent_unix;
  if (at <= 0 || at > now) at = now;  // unknown, or in the future
  const auto start = static_cast<int64_t>(v.record.start_unix);
  if (start > 0 && start <= now && at < start) at = start;
  return at;
}

void rate_growth(CensusCommit& c, std::vector<SessionGrowth>& sessions, int64_t now,
                 std::map<int64_t, int64_t>& debits,
                 std::vector<std::pair<size_t, ClosedLine>>& closed) {
  std::vector<size_t> order(sessions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return sessions[a].first < sessions[b].first; });
  for (size_t i : order) {
    SessionGrowth& g = sessions[i];
    if (g.newest == no_growth) continue;
    if (c.debits != nullptr) c.debits->counters_backwards += g.backwards;
    if (c.want_deltas) c.deltas.push_back(UsageDelta{g.newest, g.created, g.before});
    if (c.rater == nullptr || g.charge.account == 0) continue;
    const UsageTotals& b = g.before;
    const UsageTotals& a = g.after;
    if (a.charged_s == b.charged_s && a.free_s == b.free_s && a.octets_in == b.octets_in &&
        a.octets_out == b.octets_out)
      continue;  // a newer seq that carried nothing new costs nothing
    RatingCase rc;
    rc.record = &c.records[g.newest];
    rc.before = b;
    rc.after = a;
    rc.at_unix = growth_time(*rc.record, now);
    rc.charge = g.charge;
    c.rater->rate(rc);
    g.charge = rc.charge;
    if (rc.closed) closed.push_back({i, *rc.closed});
    if (rc.debit_micros != 0) debits[g.charge.account] += rc.debit_micros;
    if (c.debits != nullptr) {
      ++c.debits->sessions_rated;
      c.debits->debited_micros += rc.debit_micros;
    }
  }
}

}  // namespace gm::host
