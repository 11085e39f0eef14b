// The agent: the event-driven core a board drives (as lwIP's raw API is driven): boot() once,
// then on_login / start_session / authorise / on_traffic / stop_session / on_datagram as things
// happen, and tick() periodically (every second is plenty). It never blocks and never
// allocates; every table has a fixed capacity (firmware/gatemeter_config.h).
//
// Authorisation. Without billing servers in the login the board decides each session
// (authorise()). With them (LoginGrant::billing), the board names what the subscriber chose
// (request_authorisation()) and the agent asks the billing servers (auth_client.h), applies their
// answer, enforces the grant they give (limits on charged time and octets: it asks for more
// before they run out and ends the session, or moves it to the walled garden, at a final one),
// follows the outage policy when none answers, and tells the board what it must act on through
// on_billing() (approved: open the data plane; rejected: ask again or stop; walled garden: send
// the subscriber to the top-up page; low balance: tell the subscriber). Sessions that end, for
// whatever reason, still come through on_session_end().
//
// The agent decides when to log in; the board does the logging in. Whenever login_due(), the
// board runs a login (with login_continues() as LoginRequest.continuing) and hands the grant to
// on_login(); a failed attempt is retried with the board's backoff, and the agent goes on
// metering and keeping its records meanwhile. A login while running (renewal) changes only the
// login session and its key: every subscriber session and every unacknowledged record stays,
// and what is pending goes again under the new login (the census dedupes by session and seq).
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/applied_commands.h"
#include "firmware/core/auth_client.h"
#include "firmware/core/outbox.h"
#include "firmware/core/session_table.h"
#include "firmware/hal/clock.h"
#include "firmware/hal/log.h"
#include "firmware/hal/rng.h"
#include "firmware/store/record_store.h"

namespace gm::core {

// What the operator or the login service sets; kept in the journal's config blob.
struct AgentSettings {
  uint32_t interval_s = config::default_interval_s;
  uint32_t copies = config::default_copies;
  uint32_t retransmit_ms = config::default_retransmit_ms;
  uint32_t persist_after_ms = config::default_persist_after_ms;
  uint32_t idle_timeout_s = 0;     // default for sessions; 0 = none
  uint32_t session_timeout_s = 0;  // default for sessions; 0 = none
  uint32_t failover_after_ms = 10000;  // move to the next census after this long without acks
  uint8_t track_usage = 1;         // 0: authorise sessions but send no records
  // A session still authorising this long after it started ends (nobody decided it, or a
  // reject was never followed by another request); 0: never.
  uint32_t authorising_timeout_s = config::default_authorising_timeout_s;
};

// What a successful login hands the agent (from gatemeter_LoginResponse).
struct LoginGrant {
  uint64_t login_session = 0;
  uint8_t session_key[32] = {};
  uint32_t interval_s = 0;  // 0: keep the current interval
  bool track_usage = true;
  uint32_t lifetime_s = 0;  // the login session ends this long after the grant; 0: no limit told
  // Billing servers ("host:port", primary first) for the board to give the uplink
  // (Uplink::send_billing); none: the board decides every session alone (Agent::authorise).
  char billing[wire::max_billing][wire::max_billing_address + 1] = {};
  size_t billing_count = 0;
  // The gateway's own realm, what it offers (a captive portal shows them before anyone asks) and
  // what to do when no billing server answers (gatemeter_OutagePolicy).
  char realm[wire::max_realm + 1] = {};
  gatemeter_Offer offers[wire::max_offers] = {};
  size_t offer_count = 0;
  int32_t outage_policy = gatemeter_OutagePolicy_OUTAGE_TERMINATE;
};

// What the board is told of a session's authorisation (Agent::on_billing).
enum class BillingEvent : uint8_t {
  approved,          // billing approved it (or a COMMAND_GRANT took it out of the walled
                     // garden or a temporary approval): charged from now on, open the data plane
  approved_temporarily,  // allowed for now while a remote system decides
  approved_locally,  // no billing server answered and the outage policy lets it go on
                     // (OUTAGE_CONTINUE); its records say billing_outage
  rejected,          // still authorising (free, walled garden): ask again with another option or
                     // account (request_authorisation), or stop it (STOP_AUTH_REJECTED); a
                     // running session that billing rejects ends instead (on_session_end follows)
  walled_garden,     // its final grant ran out with final_redirect: time is free, keep the
                     // subscriber in the walled garden (top-up page) until a COMMAND_GRANT
  low_balance,       // COMMAND_LOW_BALANCE: tell the subscriber
  held,              // its grant ran out before the update's answer came: time is free, keep the
                     // subscriber in the walled garden until a grant comes (released) or the
                     // outage policy decides
  released,          // held no more: a grant came (charged again), or the policy let it go on
};

struct BillingNotice {
  BillingEvent event = BillingEvent::approved;
  int32_t reject = gatemeter_RejectReason_REJECT_NONE;  // rejected: gatemeter_RejectReason
  const char* reason = "";                                // rejected: text for the portal
  int64_t balance_micros = 0;  // the account's balance, when billing said it
};

// Why a login is due (Agent::login_reason()).
enum class LoginReason : uint8_t {
  none,           // the current login is good
  boot,           // no login since boot
  uplink_lost,    // the board lost the uplink (on_uplink_lost)
  lifetime,       // the login session nears the end of its lifetime
  census_silent,  // no census answered, on any address: none of them knows this login any more
};

struct BootReport {
  store::JournalStatus journal = store::JournalStatus::ok;
  uint32_t boot_count = 0;
  uint32_t sessions_closed = 0;  // open before the reboot, closed now with "agent restart"
  uint32_t records_recovered = 0;
};

struct AgentStats {
  uint64_t sessions_started = 0;
  uint64_t sessions_refused_full = 0;
  uint64_t sessions_stopped[_gatemeter_StopCause_ARRAYSIZE] = {};
  uint64_t commands = 0;           // applied (each id once)
  uint64_t commands_repeated = 0;  // arrived again after being applied: confirmed, not applied
  uint64_t commands_deferred = 0;  // no room to remember them: not applied yet, the census resends
  uint64_t updates_announced = 0;
  uint64_t failovers = 0;
  uint64_t logins = 0;               // grants taken (on_login), the first after boot included
  uint64_t logins_for_lifetime = 0;  // logins became due because the lifetime neared its end
  uint64_t logins_for_silence = 0;   // ... because every census went silent
  uint64_t heartbeats = 0;           // empty batches sent because no session had a record
  uint64_t auth_updates = 0;         // requests for more of a grant (request 2, 3, ...)
  uint64_t auth_unreachable = 0;     // requests no allowed billing server answered
  uint64_t grants = 0;               // grants applied (AuthResponse or COMMAND_GRANT)
  uint64_t walled_gardens = 0;       // sessions moved to the walled garden at a final grant
  uint64_t holds = 0;                // held at a grant's limit, its update not answered yet
};

class Agent {
 public:
  // rng is used once in the agent's life: to draw the session-id epoch on blank flash.
  Agent(hal::Clock& clock, store::RecordStore& journal, hal::Rng& rng, hal::Log& log);

  // Mounts the journal, counts the boot, reserves session ids, and turns every record left
  // from before the reboot into a STOP with cause "agent restart" (sent after the next login).
  // On blank flash (new, wiped, or a replacement unit with the same credential) session ids
  // start at a random 32-bit epoch in the high half, so they never meet ids the census already
  // holds for this agent from an earlier flash.
  BootReport boot();

  // A login succeeded. Again while running (a renewal): sessions and outbox stay as they are,
  // and everything unacknowledged is sent again under the new login session and key.
  void on_login(const LoginGrant& grant, Uplink& uplink);
  void on_uplink_lost();

  // Whether the board should log in now (and why): evaluated by tick() and on_login().
  bool login_due() const { return login_reason_ != LoginReason::none; }
  LoginReason login_reason() const { return login_reason_; }
  // LoginRequest.continuing for the next login: false only for the first login after a boot,
  // which lets the login service close the sessions the agent held before it (agent restart).
  bool login_continues() const { return stats_.logins != 0; }
  // When (monotonic ms) the current login becomes due for renewal; 0: never (no lifetime).
  uint64_t renew_at_ms() const { return renew_at_ms_; }

  // A subscriber connects: the session waits in `authorising` (time free) until authorise().
  StartResult start_session(const char* subscriber, const char* service, uint8_t billing,
                            uint64_t& id);
  // The host's decision (gatemeter_AuthDecision). Reject stops the session.
  bool authorise(uint64_t id, int32_t decision, uint32_t temporary_s = 0,
                 uint32_t session_timeout_s = 0, uint32_t idle_timeout_s = 0);
  // With billing servers: asks them to authorise an authorising session, with the option the
  // subscriber chose (gatemeter_BillingOption), the account or pass it named ("" none) and its
  // address at the gateway (IP or MAC). Again after a reject: a new request, the old answer's
  // request number is stale. The answer comes through on_billing (or on_session_end).
  AuthRequestResult request_authorisation(uint64_t id, uint8_t billing, const char* account,
                                          const char* subscriber_address);
  // The offers of another realm (a roaming subscriber's home realm): the answer comes through
  // on_offers. The gateway's own realm's offers came with the login (auth().offers()).
  bool request_offers(const char* realm);
  bool billing_enabled() const { return auth_.enabled(); }
  bool on_traffic(uint64_t id, uint64_t octets_in, uint64_t octets_out);
  bool stop_session(uint64_t id, int32_t cause);
  bool set_free_period(uint64_t id, uint32_t seconds);

  // Meters every session, applies timeouts, emits interval records, flushes the outbox.
  void tick();
  // A datagram from the census (acknowledgement with commands). Each command is applied once
  // per id and confirmed in the following datagrams (applied_commands.h).
  frame::Refusal on_datagram(const uint8_t* data, size_t length);

  // Told of every session that ends, whatever the cause, with its final totals: the board
  // cuts the subscriber off the data plane (a host command or zero balance ends a session here).
  using SessionEnded = void (*)(void* context, const Session& s);
  void on_session_end(SessionEnded fn, void* context) {
    session_ended_ = fn;
    session_ended_context_ = context;
  }
  // Told of every host command as it is applied (once per id), after the agent acted on it: a
  // board may fetch an announced update, or log what the host asked for.
  using CommandApplied = void (*)(void* context, const gatemeter_Command& c);
  void on_command(CommandApplied fn, void* context) {
    command_applied_ = fn;
    command_applied_context_ = context;
  }
  // Told of what the board must act on in a session's authorisation (BillingEvent). The
  // callback may call back into the agent (request_authorisation, stop_session) at once.
  using BillingNotified = void (*)(void* context, const Session& s, const BillingNotice& n);
  void on_billing(BillingNotified fn, void* context) {
    billing_notified_ = fn;
    billing_notified_context_ = context;
  }
  // Told of every OfferResponse (request_offers): offers_count 0 means the realm is unknown.
  using OffersReceived = void (*)(void* context, const gatemeter_OfferResponse& r);
  void on_offers(OffersReceived fn, void* context) {
    offers_received_ = fn;
    offers_received_context_ = context;
  }

  void apply_settings(const AgentSettings& s);
  // A deliberate outbox bug (OutboxFault), for the simulator's negative controls only.
  void inject_fault(OutboxFault f) {
    OutboxSettings o = outbox_.settings();
    o.fault = f;
    outbox_.configure(o);
  }
  const AgentSettings& settings() const { return settings_; }
  const SessionTable& sessions() const { return table_; }
  const Session* session(uint64_t id) const { return table_.find(id); }
  const Outbox& outbox() const { return outbox_; }
  const AppliedCommands& applied_commands() const { return applied_; }
  const AuthClient& auth() const { return auth_; }
  const AgentStats& stats() const { return stats_; }
  bool update_available() const { return update_version_ != 0; }

 private:
  uint64_t now_ms() { return clock_.monotonic_ms(); }
  uint32_t now_s() { return static_cast<uint32_t>(now_ms() / 1000); }
  bool next_session_id(uint64_t& id);
  uint64_t fresh_session_base();
  void stop(Session& s, int32_t cause, uint64_t now);
  void apply_timeouts(Session& s, uint32_t now_s);
  void run_command(const gatemeter_Command& c);
  void notify(const Session& s, const BillingNotice& n);
  // Billing: applying answers and grants, asking for more, and what silence means.
  frame::Refusal on_billing_datagram(const uint8_t* data, size_t length);
  void apply_answer(const gatemeter_AuthResponse& r);
  void apply_grant(Session& s, const gatemeter_Grant* g);
  void release(Session& s);
  bool approve(Session& s, int32_t decision, uint32_t temporary_s, uint32_t session_timeout_s,
               uint32_t idle_timeout_s);
  void enforce_grant(Session& s, uint32_t now_sec, bool interval_due);
  void ask_update(Session& s);
  void billing_silent(uint64_t id);
  void go_on_without_grant(Session& s);
  void save_settings();
  void watch_census(uint64_t now);
  void set_login_due(LoginReason why);

  hal::Clock& clock_;
  store::RecordStore& journal_;
  hal::Rng& rng_;
  hal::Log& log_;
  Uplink* uplink_ = nullptr;
  SessionTable table_;
  AppliedCommands applied_;
  Outbox outbox_;
  AuthClient auth_;
  AgentSettings settings_;
  AgentStats stats_;

  uint64_t next_id_ = 0;       // next session id to hand out
  uint64_t reserved_to_ = 0;   // ids below this are covered by the journal's counter
  uint64_t next_interval_ms_ = 0;
  uint32_t update_version_ = 0;
  LoginReason login_reason_ = LoginReason::boot;
  uint64_t renew_at_ms_ = 0;      // 0: the login has no lifetime
  uint64_t silence_mark_ms_ = 0;  // a census's silence is measured from here or its last ack
  uint32_t silent_censuses_ = 0;  // censuses found silent in turn since the last ack
  uint32_t silent_logins_ = 0;    // logins for silence since the last ack (their backoff)
  frame::TagKey tag_key_{};
  SessionEnded session_ended_ = nullptr;
  void* session_ended_context_ = nullptr;
  CommandApplied command_applied_ = nullptr;
  void* command_applied_context_ = nullptr;
  BillingNotified billing_notified_ = nullptr;
  void* billing_notified_context_ = nullptr;
  OffersReceived offers_received_ = nullptr;
  void* offers_received_context_ = nullptr;
  gatemeter_Ack ack_ = gatemeter_Ack_init_zero;
};

}  // namespace gm::core
