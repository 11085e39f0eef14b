// Grants (BILLING.md, "Authorisation and grants"): how much more of a prepaid account's money
// one session may use, as cumulative limits on its charged seconds or octets. Plain functions
// over what the store read inside the request's transaction (the account row locked), so that
// two sessions of one account never size their grants from the same money.
#pragma once

#include <cstdint>
#include <vector>

#include "gatemeter.pb.h"
#include "host/billing/money.h"
#include "host/billing/rate.h"

namespace gm::billing {

// Another live session of the account: what it was granted (cumulative money) and what it has
// been charged so far. It holds max(0, granted - charged) of the balance.
struct Reservation {
  Micros granted_micros = 0;
  Micros amount_micros = 0;
};

// balance - sum of what the others hold (may be negative: a balance that usage overran).
Micros unreserved(Micros balance, const std::vector<Reservation>& others);

// What the store holds of this session (subscriber_sessions, kept current by the census's
// commit-time rating): its committed totals and its running charge.
struct SessionUsage {
  uint64_t charged_s = 0;
  uint64_t octets = 0;       // in + out
  Micros amount_micros = 0;  // charged so far, closed lines included
  int64_t line_rate = 0;     // the current line's rate id (0: no line yet)
  uint64_t line_units = 0;   // units on the current line
  // Its own earlier grant's cumulative money (authorisations.granted_micros; 0: none): it holds
  // granted_micros - amount_micros, which an update never gives back (size_grant).
  Micros granted_micros = 0;
};

struct GrantTerms {
  uint32_t grant_intervals = 3;  // a grant is worth this many metering intervals of usage
  uint32_t interval_s = 60;      // the login service's metering interval
  // What one interval is taken to carry at an octet (megabyte) rate: a grant there is worth
  // grant_intervals x interval_octets octets.
  uint64_t interval_octets = 100'000'000;
  uint32_t validity_s = 3600;  // the longest a grant lasts unused
};

struct SizedGrant {
  gatemeter_Grant grant = gatemeter_Grant_init_zero;
  // The session's granted money, cumulative: charged so far plus what the new limit may still
  // cost. The session holds granted_micros - amount_micros of the balance until it is charged.
  Micros granted_micros = 0;
  Micros money = 0;  // what this grant adds: granted_micros - usage.amount_micros
};

// The seconds a grant may last: validity_s, cut at the next band change and the next rate
// change (instants; billing::never for none), and never 0 (0 on the wire means no limit).
uint32_t grant_validity(uint32_t validity_s, int64_t now_unix, int64_t band_changes_at,
                        int64_t rate_changes_at);

// A prepaid session's next grant at `rate` (the rate that prices it now):
//   money = max(what its own earlier grant still holds,
//               min(unreserved, cost of grant_intervals intervals more at `rate`))
//   units = affordable_units(rate, units on the line at `rate`, money)
//   limit = the session's committed total (charged_s, or octets) + units
// The limits are on committed totals, which lag the agent's own by up to an interval: money the
// earlier grant holds may be used already, unreported, so an update keeps it (given back, it
// would be granted to another session as well, and the account overspent by it).
// When that buys nothing beyond the increment already charged (no money left) the grant is
// final, at the end of that increment (at least 1: 0 says "no limit"), with final_redirect set
// if redirect_at_zero (the account's at_zero is walled_garden): a limit the agent may have
// passed already must end the session, not have it run on while it asks again. `validity_s`
// goes into the grant as is (grant_validity()).
SizedGrant size_grant(const Rate& rate, const SessionUsage& usage, Micros unreserved,
                      const GrantTerms& terms, uint32_t validity_s, bool redirect_at_zero);

}  // namespace gm::billing
