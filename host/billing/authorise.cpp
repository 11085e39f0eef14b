#include "host/billing/authorise.h"

#include <algorithm>

#include "shared/proto/wire_names.h"
#include "shared/record/usage_record.h"

namespace gm::billing {

namespace {

void say(gatemeter_AuthResponse& r, const std::string& text) {
  copy_text(r.reason, sizeof r.reason, text.c_str());
}

AuthOutcome& reject(AuthOutcome& o, gatemeter_RejectReason why, const std::string& text) {
  o.response.decision = gatemeter_AuthDecision_AUTH_REJECT;
  o.response.reject = why;
  o.response.has_grant = false;
  o.response.grant = gatemeter_Grant_init_zero;
  o.response.temporary_s = 0;
  o.live = false;
  o.granted_micros = 0;
  o.start_inquiry = false;
  o.remote = RemoteState::none;
  o.temporary_until_unix = 0;
  say(o.response, text);
  return o;
}

std::string realm_of(const char* subscriber) {
  const std::string s = subscriber;
  const auto at = s.find('@');
  return at == std::string::npos ? "" : s.substr(at + 1);
}

bool stands_approved(const PriorAuthorisation& p) {
  return p.decision == gatemeter_AuthDecision_AUTH_APPROVE ||
         p.decision == gatemeter_AuthDecision_AUTH_TEMPORARY;
}

}  // namespace

std::string outcome_label(const gatemeter_AuthResponse& r) {
  switch (wire_enum(r.decision)) {
    case gatemeter_AuthDecision_AUTH_APPROVE: return "approve";
    case gatemeter_AuthDecision_AUTH_TEMPORARY: return "temporary";
    case gatemeter_AuthDecision_AUTH_REJECT:
      return wire::reject_reason_name(wire_enum(r.reject)).c_str();
    default: return "pending";
  }
}

AuthOutcome authorise(const AuthContext& c) {
  AuthOutcome o;
  gatemeter_AuthResponse& r = o.response;
  r.session_id = c.request.session_id;
  r.request = c.request.request;
  if (c.realm == nullptr)
    return reject(o, gatemeter_RejectReason_REJECT_UNKNOWN_REALM,
                  "unknown realm " + realm_of(c.request.subscriber));
  const host::RealmRow& realm = *c.realm;
  r.outage_policy = static_cast<gatemeter_OutagePolicy>(realm.outage_policy);
  if (c.provider_refused)
    return reject(o, gatemeter_RejectReason_REJECT_PROVIDER_REFUSED,
                  "provider refused service: over its credit line");

  const int32_t option = wire_enum(c.request.billing);
  const auto offer = std::find_if(c.offers.begin(), c.offers.end(),
                                  [&](const host::OfferRow& x) { return x.option == option; });
  if (offer == c.offers.end())
    return reject(o, gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED,
                  std::string(wire::billing_name(option).c_str()) + " is not offered here");

  // An update (request 2, 3, ...) of a session that stands approved or temporary; anything
  // else (a first request, or one after a reject) is decided afresh.
  const bool update = c.prior != nullptr && c.prior->live && stands_approved(*c.prior);
  if (c.prior != nullptr && !c.prior->live && stands_approved(*c.prior))
    return reject(o, gatemeter_RejectReason_REJECT_SESSION_ENDED, "the session has ended");
  if (c.prior != nullptr && c.prior->remote == RemoteState::rejected) {
    // The realm's system said no (or nothing in time): asking again does not ask it again.
    reject(o, gatemeter_RejectReason_REJECT_REMOTE, "rejected by the approval");
    o.remote = RemoteState::rejected;
    return o;
  }

  if (option == gatemeter_BillingOption_BILLING_FREE) {
    r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
    o.live = true;
    say(r, "free access");
    return o;
  }
  if (option == gatemeter_BillingOption_BILLING_ROAMING) {
    // Usage is metered and settled with the home provider afterwards: no money here.
    r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
    o.live = true;
    say(r, offer->terms.empty() ? "roaming via " + realm.provider : offer->terms);
    return o;
  }

  if (c.account == nullptr)
    return c.account_named
               ? reject(o, gatemeter_RejectReason_REJECT_UNKNOWN_ACCOUNT, "unknown account")
               : reject(o, gatemeter_RejectReason_REJECT_MORE_INFO_NEEDED, "an account is needed");
  const host::AccountRow& account = *c.account;
  o.account = account.id;
  if (!account.enabled)
    return reject(o, gatemeter_RejectReason_REJECT_ACCOUNT_DISABLED, "the account is disabled");
  const bool prepaid = account.kind == host::AccountKind::prepaid;
  if (prepaid) r.balance_micros = account.balance_micros;
  if (prepaid && !update && account.balance_micros <= 0)
    return reject(o, gatemeter_RejectReason_REJECT_NO_FUNDS, "no funds");

  // The decision: remote approval first, then approve.
  int64_t temporary_left = 0;
  if (update && c.prior->remote == RemoteState::asking) {
    if (c.now_unix >= c.prior->temporary_until_unix) {
      reject(o, gatemeter_RejectReason_REJECT_REMOTE, "no answer from the approval");
      o.remote = RemoteState::rejected;
      return o;
    }
    temporary_left = c.prior->temporary_until_unix - c.now_unix;
    o.remote = RemoteState::asking;
    o.temporary_until_unix = c.prior->temporary_until_unix;
  } else if (update) {
    o.remote = c.prior->remote;  // none or approved
  } else if (!realm.approval_url.empty()) {
    temporary_left = std::max<int64_t>(1, realm.temporary_s);
    o.remote = RemoteState::asking;
    o.temporary_until_unix = c.now_unix + temporary_left;
    o.start_inquiry = true;
  }
  if (o.remote == RemoteState::asking) {
    r.decision = gatemeter_AuthDecision_AUTH_TEMPORARY;
    r.temporary_s = static_cast<uint32_t>(std::min<int64_t>(temporary_left, UINT32_MAX));
    say(r, "awaiting approval");
  } else {
    r.decision = gatemeter_AuthDecision_AUTH_APPROVE;
    say(r, offer->label.empty() ? "approved" : offer->label);
  }
  o.live = true;
  if (!prepaid) return o;  // postpaid: invoiced later, no limit

  if (c.rate == nullptr)
    return reject(o, gatemeter_RejectReason_REJECT_OPTION_NOT_OFFERED,
                  "no rate prices this service here");
  uint32_t validity =
      grant_validity(c.terms.validity_s, c.now_unix, c.band_changes_at, c.rate_changes_at);
  if (temporary_left > 0)
    validity = static_cast<uint32_t>(std::min<int64_t>(validity, temporary_left));
  const SizedGrant g =
      size_grant(*c.rate, c.usage, unreserved(account.balance_micros, c.others), c.terms, validity,
                 account.at_zero == host::AtZero::walled_garden);
  if (g.grant.final && !update)
    return reject(o, gatemeter_RejectReason_REJECT_NO_FUNDS,
                  "the balance is held by other sessions");
  r.has_grant = true;
  r.grant = g.grant;
  o.granted_micros = g.granted_micros;
  if (g.grant.final) say(r, "balance exhausted");
  return o;
}

}  // namespace gm::billing
