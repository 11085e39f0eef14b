// The authorisation decision without any I/O (BILLING.md, "Authorisation and grants"): one
// AuthRequest, with what the store read for it inside the request's transaction (the realm, the
// offers, the account, its other live sessions, the rate that prices the session now), becomes
// the AuthResponse and what the store records. The billing server does the reading and writing
// (billing_server.h); this decides.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gatemeter.pb.h"
#include "host/billing/grant.h"
#include "host/billing/posix_tz.h"
#include "host/store/billing_types.h"

namespace gm::billing {

// The state of a realm's remote approval for one session (authorisations.remote).
enum class RemoteState : int32_t { none = 0, asking = 1, approved = 2, rejected = 3 };

// What the store holds from the session's previous answer.
struct PriorAuthorisation {
  uint32_t request = 0;
  int32_t decision = 0;  // gatemeter.AuthDecision the session stands at
  RemoteState remote = RemoteState::none;
  int64_t temporary_until_unix = 0;
  bool live = false;  // approved or temporary, and not ended
  int64_t account = 0;
};

struct AuthContext {
  gatemeter_AuthRequest request = gatemeter_AuthRequest_init_zero;
  int64_t now_unix = 0;
  const host::RealmRow* realm = nullptr;  // the subscriber's realm (after '@'); nullptr unknown
  // The offers that apply: scope the realm's name, or "gateway:<agent_id>".
  std::vector<host::OfferRow> offers;
  const host::AccountRow* account = nullptr;  // named by request.account, or the subscriber's
  bool account_named = false;                 // request.account was given
  const PriorAuthorisation* prior = nullptr;  // nullptr: the store holds nothing for the session
  std::vector<Reservation> others;            // the account's other live sessions
  SessionUsage usage;                         // this session, as committed
  const Rate* rate = nullptr;       // the rate that prices the session now; nullptr: none does
  int64_t band_changes_at = never;  // the next band change in the account's zone
  int64_t rate_changes_at = never;  // RateTable::next_change_after
  GrantTerms terms;
  // The realm's home provider is refused service by settlement (refused_realms.h): over its
  // credit line under the guaranteed policy.
  bool provider_refused = false;
};

struct AuthOutcome {
  gatemeter_AuthResponse response = gatemeter_AuthResponse_init_zero;
  // What the store records for the session (authorisations):
  int64_t account = 0;        // the account it charges (0: none); linked to the session if live
  Micros granted_micros = 0;  // cumulative money the grant allows (prepaid), else 0
  RemoteState remote = RemoteState::none;
  int64_t temporary_until_unix = 0;
  bool live = false;           // approve or temporary: the session holds an authorisation
  bool start_inquiry = false;  // a new temporary approval: ask the realm's approval_url
};

// Rules, in order:
//  - unknown realm: REJECT_UNKNOWN_REALM; its provider refused service by settlement:
//    REJECT_PROVIDER_REFUSED; option not among the offers: REJECT_OPTION_NOT_OFFERED
//  - a session billing ended (prior not live after an approval): REJECT_SESSION_ENDED
//  - BILLING_FREE: approve, no grant; BILLING_ROAMING: approve, no grant, the offer's terms as
//    the reason (settled between providers later)
//  - prepaid, postpaid, time pass need an account: none named or found
//    REJECT_MORE_INFO_NEEDED, one named but unknown REJECT_UNKNOWN_ACCOUNT, disabled
//    REJECT_ACCOUNT_DISABLED; the account's kind decides the money rules (a time pass is a
//    prepaid account)
//  - prepaid: a new session with balance <= 0, or whose unreserved money buys nothing, is
//    REJECT_NO_FUNDS; an update gets a final grant instead. No rate that prices the session:
//    REJECT_OPTION_NOT_OFFERED (it could not be charged)
//  - a realm with an approval_url: AUTH_TEMPORARY for temporary_s (at least 1) while it decides;
//    updates meanwhile stay temporary; once it approved, approve; once it rejected (or did not
//    answer by temporary_until), REJECT_REMOTE, to every later request of the session too
//  - else approve. Prepaid approvals and temporaries carry a grant (size_grant), postpaid none
//    (no credit limit).
// Every answer carries the realm's outage policy, a prepaid account's balance, and a reason
// for people.
AuthOutcome authorise(const AuthContext& c);

// "approve", "temporary", or the reject reason's name ("no_funds"): the stats' outcome label.
std::string outcome_label(const gatemeter_AuthResponse& r);

}  // namespace gm::billing
