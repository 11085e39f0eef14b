#include "host/billing/grant.h"

#include <algorithm>
#include <limits>

#include "host/billing/posix_tz.h"

namespace gm::billing {

namespace {

uint64_t saturating_add(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// Puts a cumulative limit in the field the rate counts (the other stays 0: no limit there).
void set_limit(gatemeter_Grant& g, const Rate& rate, uint64_t limit) {
  if (time_based(rate.unit))
    g.charged_s = static_cast<uint32_t>(std::min<uint64_t>(limit, UINT32_MAX));
  else
    g.octets = limit;
}

}  // namespace

Micros unreserved(Micros balance, const std::vector<Reservation>& others) {
  Micros held = 0;
  for (const Reservation& r : others)
    held = checked_add(held, std::max<Micros>(0, checked_sub(r.granted_micros, r.amount_micros)));
  return checked_sub(balance, held);
}

uint32_t grant_validity(uint32_t validity_s, int64_t now, int64_t band_changes_at,
                        int64_t rate_changes_at) {
  int64_t v = validity_s;
  for (const int64_t at : {band_changes_at, rate_changes_at})
    if (at != never) v = std::min<int64_t>(v, at - now);
  return static_cast<uint32_t>(std::clamp<int64_t>(v, 1, UINT32_MAX));
}

SizedGrant size_grant(const Rate& rate, const SessionUsage& usage, Micros unreserved_money,
                      const GrantTerms& terms, uint32_t validity_s, bool redirect_at_zero) {
  const bool time = time_based(rate.unit);
  const uint64_t committed = time ? usage.charged_s : usage.octets;
  // A line at another rate closes when the next usage is rated: the grant's units start a new
  // line at `rate` (its minimum included).
  const uint64_t so_far = usage.line_rate == rate.id ? usage.line_units : 0;
  const Micros base = line_amount(rate, so_far);
  const uint64_t chunk_units =
      uint64_t{terms.grant_intervals} * (time ? uint64_t{terms.interval_s} : terms.interval_octets);
  const uint64_t chunk_end = std::min(saturating_add(so_far, chunk_units),
                                      saturating_add(so_far, max_affordable_units(rate.unit)));
  const Micros chunk_cost = line_amount(rate, chunk_end) - base;
  // What the session's earlier grant still holds (and what it reaches: at least the rest of an
  // increment already charged) is kept; the chunk is bought from the rest.
  const Micros own = std::max<Micros>(0, usage.granted_micros - usage.amount_micros);
  const uint64_t kept = affordable_units(rate, so_far, own);
  const Micros money =
      std::max(own, std::max<Micros>(0, std::min(unreserved_money, chunk_cost)));
  const uint64_t units = affordable_units(rate, so_far, money);

  SizedGrant out;
  out.grant.validity_s = validity_s;
  if (affordable_units(rate, so_far, std::max(own, unreserved_money)) == kept &&
      kept < max_affordable_units(rate.unit)) {
    // Nothing more can be paid for: the agent ends the session (or walls it) at what it holds.
    out.grant.final = true;
    out.grant.final_redirect = redirect_at_zero;
    set_limit(out.grant, rate, std::max<uint64_t>(saturating_add(committed, kept), 1));
    out.granted_micros = checked_add(usage.amount_micros, line_amount(rate, so_far + kept) - base);
    return out;
  }
  set_limit(out.grant, rate, saturating_add(committed, units));
  out.money = line_amount(rate, so_far + units) - base;
  out.granted_micros = checked_add(usage.amount_micros, out.money);
  return out;
}

}  // namespace gm::billing
