#include "host/billing/session_authoriser.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include "host/billing/offers.h"
#include "host/store/store_types.h"
#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"

namespace gm::billing {

namespace {

std::vector<uint8_t> encode(const gatemeter_AuthResponse& r) {
  std::vector<uint8_t> out(gatemeter_AuthResponse_size);
  pb_ostream_t s = pb_ostream_from_buffer(out.data(), out.size());
  if (!pb_encode(&s, gatemeter_AuthResponse_fields, &r))
    throw host::StoreError("an AuthResponse does not encode");
  out.resize(s.bytes_written);
  return out;
}

bool decode(const std::vector<uint8_t>& bytes, gatemeter_AuthResponse& r) {
  r = gatemeter_AuthResponse_init_zero;
  pb_istream_t s = pb_istream_from_buffer(bytes.data(), bytes.size());
  return pb_decode(&s, gatemeter_AuthResponse_fields, &r);
}

std::string realm_of(const std::string& subscriber) {
  const auto at = subscriber.find('@');
  return at == std::string::npos ? "" : subscriber.substr(at + 1);
}

PriorAuthorisation prior_of(const host::StoredAuthorisation& s) {
  PriorAuthorisation p;
  p.request = s.request;
  p.decision = s.decision;
  p.remote = static_cast<RemoteState>(s.remote);
  p.temporary_until_unix = s.temporary_until_unix;
  p.live = s.live;
  p.account = s.account;
  return p;
}

// What the agent is told of a decision it did not ask for.
gatemeter_Command command_for(const gatemeter_AuthResponse& r) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.session_id = r.session_id;
  const int32_t decision = wire_enum(r.decision);
  if (decision == gatemeter_AuthDecision_AUTH_APPROVE ||
      decision == gatemeter_AuthDecision_AUTH_TEMPORARY) {
    c.kind = gatemeter_CommandKind_COMMAND_GRANT;
    c.decision = r.decision;
    c.has_grant = r.has_grant;
    c.grant = r.grant;
    c.balance_micros = r.balance_micros;
  } else {
    c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
    c.cause = gatemeter_StopCause_STOP_AUTH_REJECTED;
  }
  return c;
}

}  // namespace

gatemeter_AuthRequest request_of(const host::StoredAuthorisation& a, const std::string& service) {
  gatemeter_AuthRequest r = gatemeter_AuthRequest_init_zero;
  r.session_id = a.session_id;
  copy_text(r.subscriber, sizeof r.subscriber, a.subscriber.c_str());
  copy_text(r.service, sizeof r.service, service.c_str());
  r.billing = static_cast<gatemeter_BillingOption>(a.option);
  copy_text(r.subscriber_address, sizeof r.subscriber_address, a.address.c_str());
  r.request = a.request;
  return r;
}

SessionAuthoriser::SessionAuthoriser(host::Store& store, AuthorisationSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      catalog_(settings_.zoneinfo, CatalogCache::Accounts::not_held) {}

bool SessionAuthoriser::holds_final_grant(const host::StoredAuthorisation& a) {
  gatemeter_AuthResponse r;
  return a.live && a.decision == gatemeter_AuthDecision_AUTH_APPROVE && decode(a.response, r) &&
         r.has_grant && r.grant.final;
}

AuthOutcome SessionAuthoriser::decide(int64_t agent, const host::AuthorisationRead& read,
                                      const gatemeter_AuthRequest& request,
                                      const PriorAuthorisation* prior, int64_t now) {
  // The catalog as refreshed before the transaction (answer(), follow_up()); the account, its
  // balance and the other sessions come from the transaction itself.
  CatalogCache& cat = catalog_;
  const std::string realm = realm_of(request.subscriber);
  AuthContext c;
  c.request = request;
  c.now_unix = now;
  c.realm = cat.realm(realm);
  c.offers = offers_applying(cat.offers(), realm, read.agent_id);
  c.account = read.account ? &*read.account : nullptr;
  c.account_named = request.account[0] != '\0';
  c.prior = prior;
  for (const host::LiveReservation& o : read.others)
    c.others.push_back({o.granted_micros, o.amount_micros});
  c.usage = {read.usage.charged_s, read.usage.octets, read.usage.amount_micros,
             read.usage.line_rate, read.usage.line_units,
             read.stored && read.stored->live ? read.stored->granted_micros : 0};
  c.terms = settings_.terms;
  c.provider_refused = settings_.refused != nullptr && settings_.refused->contains(realm);
  if (c.account != nullptr) {
    // The same question the census's rater asks of the same copy: the grant ends where the
    // rating would change.
    const TimeZone& zone = cat.time_zone(c.account->time_zone);
    RateQuery q;
    q.plan = c.account->plan;
    q.service_type = cat.service_type(request.service);
    q.band = band_at(cat.bands(), zone, now);
    q.zone = cat.zone_of(agent);
    q.provider = cat.provider_of(realm);
    q.at_unix = now;
    c.rate = cat.rates().find(q);
    c.band_changes_at = band_changes_after(cat.bands(), zone, now);
    c.rate_changes_at = cat.rates().next_change_after(q, now);
  }
  return authorise(c);
}

host::AuthorisationWrite SessionAuthoriser::record(const host::AuthorisationRead& read,
                                                   const gatemeter_AuthRequest& request,
                                                   uint64_t login_session, const AuthOutcome& o,
                                                   int64_t agent, int64_t now) {
  host::AuthorisationWrite w;
  host::StoredAuthorisation& a = w.authorisation;
  a.agent = agent;
  a.session_id = request.session_id;
  a.account = o.account != 0 ? o.account : (read.stored ? read.stored->account : 0);
  a.subscriber = request.subscriber;
  a.option = wire_enum(request.billing);
  a.address = request.subscriber_address;
  a.request = request.request;
  a.response = encode(o.response);
  a.decision = wire_enum(o.response.decision);
  a.granted_micros = o.granted_micros;
  a.remote = static_cast<int32_t>(o.remote);
  a.temporary_until_unix = o.temporary_until_unix;
  // A session whose end committed first (its STOP overtook the request) holds no money: that
  // commit found no authorisation to end.
  const bool live = o.live && !read.usage.ended;
  a.live = live;
  a.final_grant = live && a.decision == gatemeter_AuthDecision_AUTH_APPROVE &&
                  o.response.has_grant && o.response.grant.final;
  if (live && o.account != 0)
    w.link = host::SessionLink{agent,
                               request.session_id,
                               login_session,
                               o.account,
                               request.subscriber,
                               request.service,
                               a.option,
                               now};
  return w;
}

std::optional<host::AuthorisationWrite> SessionAuthoriser::answer_from(
    int64_t agent, uint64_t login_session, const gatemeter_AuthRequest& request,
    const host::AuthorisationRead& read, int64_t now, AuthAnswer& out) {
  out = {};
  if (read.stored && read.stored->request == request.request) {
    // Answered already (the agent did not hear it): the same bytes again.
    out.kind = AuthAnswer::Kind::repeated;
    out.response = read.stored->response;
    return std::nullopt;
  }
  if (read.stored && read.stored->request > request.request) return std::nullopt;  // stale
  const PriorAuthorisation prior = read.stored ? prior_of(*read.stored) : PriorAuthorisation{};
  const AuthOutcome o = decide(agent, read, request, read.stored ? &prior : nullptr, now);
  host::AuthorisationWrite w = record(read, request, login_session, o, agent, now);
  out.kind = AuthAnswer::Kind::decided;
  out.response = w.authorisation.response;
  out.outcome = outcome_label(o.response);
  out.start_inquiry = o.start_inquiry;
  return w;
}

namespace {

gatemeter_AuthRequest numbered(const gatemeter_AuthRequest& asked) {
  gatemeter_AuthRequest r = asked;
  if (r.request == 0) r.request = 1;  // an agent that does not number: its first
  return r;
}

}  // namespace

AuthAnswer SessionAuthoriser::answer(int64_t agent, uint64_t login_session,
                                     const gatemeter_AuthRequest& asked, int64_t now) {
  const gatemeter_AuthRequest request = numbered(asked);
  catalog_.refresh(store_);  // outside the transaction: its locks are held shorter
  AuthAnswer out;
  store_.authorisations().authorise(
      {agent, request.session_id, request.account, request.subscriber, ""},
      [&](const host::AuthorisationRead& read) {
        return answer_from(agent, login_session, request, read, now, out);
      },
      now);
  return out;
}

gatemeter_AuthResponse SessionAuthoriser::decide_only(const std::string& agent_id,
                                                      const gatemeter_AuthRequest& asked,
                                                      int64_t now) {
  const gatemeter_AuthRequest request = numbered(asked);
  catalog_.refresh(store_);
  gatemeter_AuthResponse out = gatemeter_AuthResponse_init_zero;
  // Agent 0, session 0: no stored answer or usage is read, as for a session never seen.
  store_.authorisations().authorise(
      {0, 0, request.account, request.subscriber, agent_id},
      [&](const host::AuthorisationRead& read) -> std::optional<host::AuthorisationWrite> {
        gatemeter_AuthRequest r = request;
        if (wire_enum(r.billing) == gatemeter_BillingOption_BILLING_UNSPECIFIED && read.account)
          r.billing = read.account->kind == host::AccountKind::postpaid
                          ? gatemeter_BillingOption_BILLING_POSTPAID
                          : gatemeter_BillingOption_BILLING_PREPAID;
        out = decide(0, read, r, nullptr, now).response;
        return std::nullopt;
      },
      now);
  return out;
}

std::vector<AuthAnswer> SessionAuthoriser::answer_all(const std::vector<AuthAsked>& asked,
                                                      int64_t now) {
  std::vector<gatemeter_AuthRequest> requests;
  std::vector<host::AuthorisationLookup> lookups;
  for (const AuthAsked& a : asked) {
    requests.push_back(numbered(*a.request));
    const gatemeter_AuthRequest& r = requests.back();
    lookups.push_back({a.agent, r.session_id, r.account, r.subscriber, a.agent_id});
  }
  catalog_.refresh(store_);
  std::vector<AuthAnswer> out(asked.size());
  store_.authorisations().authorise_all(
      lookups,
      [&](size_t i, const host::AuthorisationRead& read) {
        return answer_from(asked[i].agent, asked[i].login_session, requests[i], read, now, out[i]);
      },
      now);
  return out;
}

std::optional<SessionCommand> SessionAuthoriser::follow_up(int64_t agent, uint64_t session_id,
                                                           int64_t now, bool remote,
                                                           bool approved) {
  catalog_.refresh(store_);
  std::optional<SessionCommand> out;
  store_.authorisations().authorise(
      {agent, session_id, "", "", ""},
      [&](const host::AuthorisationRead& read) -> std::optional<host::AuthorisationWrite> {
        out.reset();
        if (!read.stored) return std::nullopt;
        const host::StoredAuthorisation& s = *read.stored;
        PriorAuthorisation prior = prior_of(s);
        if (remote) {
          if (prior.remote != RemoteState::asking) return std::nullopt;
          prior.remote = approved ? RemoteState::approved : RemoteState::rejected;
        } else if (!holds_final_grant(s)) {
          return std::nullopt;
        }
        const gatemeter_AuthRequest request = request_of(s, read.usage.service);
        const AuthOutcome o = decide(agent, read, request, &prior, now);
        const bool grants_more =
            wire_enum(o.response.decision) == gatemeter_AuthDecision_AUTH_APPROVE &&
            o.response.has_grant && !o.response.grant.final;
        if (!remote && !grants_more) return std::nullopt;  // nothing new to tell the agent
        out = SessionCommand{agent, command_for(o.response)};
        // The stored answer to the session's latest request becomes these terms (a late resend
        // of that request gets what the command says), and the command is queued with it.
        host::AuthorisationWrite w = record(read, request, 0, o, agent, now);
        w.command = out->command;
        return w;
      },
      now);
  return out;
}

std::optional<SessionCommand> SessionAuthoriser::remote_answered(int64_t agent, uint64_t session_id,
                                                                 bool approved, int64_t now) {
  return follow_up(agent, session_id, now, true, approved);
}

std::optional<SessionCommand> SessionAuthoriser::extend(int64_t agent, uint64_t session_id,
                                                        int64_t now) {
  return follow_up(agent, session_id, now, false, false);
}

gatemeter_OfferResponse SessionAuthoriser::offers(const std::string& realm) {
  catalog_.refresh(store_);
  gatemeter_OfferResponse r = gatemeter_OfferResponse_init_zero;
  copy_text(r.realm, sizeof r.realm, realm.c_str());
  const host::RealmRow* known = catalog_.realm(realm);
  if (known == nullptr) return r;
  r.outage_policy = static_cast<gatemeter_OutagePolicy>(known->outage_policy);
  for (const host::OfferRow& o : offers_of(catalog_.offers(), realm)) {
    if (r.offers_count == std::size(r.offers)) break;
    gatemeter_Offer& x = r.offers[r.offers_count++];
    x.option = static_cast<gatemeter_BillingOption>(o.option);
    copy_text(x.label, sizeof x.label, o.label.c_str());
    copy_text(x.terms, sizeof x.terms, o.terms.c_str());
  }
  return r;
}

}  // namespace gm::billing
