#include "firmware/core/agent.h"

#include "firmware/core/meter.h"

#include <cstddef>

namespace gm::core {

namespace {
// Session ids are reserved in the journal this many at a time, so starting a session costs a
// flash write only once per block; a reboot skips the rest of a block, never reuses it.
constexpr uint64_t id_block = 32;
// 2: AgentSettings gained authorising_timeout_s at its end; a version 1 blob (all before it)
// is still read, so an upgrade keeps the operator's settings.
constexpr uint32_t settings_version = 2;
constexpr size_t settings_v1_size = 36;  // version u32, then AgentSettings up to track_usage, padded
// The most a renewal is started before the login's lifetime ends (see renewal_due).
constexpr uint64_t max_renew_margin_ms = 600'000;
// Logins for silence that bring no ack wait 2^n rounds of silence before the next, up to this n.
constexpr uint32_t max_silent_login_backoff = 5;

// When a login granted at granted_ms with this lifetime should be renewed; 0: never.
//
// The agent counts the lifetime from when it received the grant, a login round trip after the
// login service started counting, and the renewal itself takes a TLS login (seconds on a slow
// link) and perhaps retries at the board's backoff. So it starts well before the end: a
// quarter of the lifetime early, but never more than 10 minutes early (a day-long login renews
// after 23 h 50 min, which leaves room for a dozen retries or more). Renewing early costs one
// login; renewing late costs no record either (the census refuses the expired login's datagrams
// and they are sent again under the next one), only a delay. Within the first half of that
// margin the moment is spread by the login session id, which the login service draws at
// random: a fleet that logged in together (after a login service restart, say) does not come
// back all at once, and the agent needs no randomness of its own for it.
uint64_t renewal_due(uint64_t granted_ms, uint32_t lifetime_s, uint64_t login_session) {
  if (lifetime_s == 0) return 0;
  const uint64_t lifetime_ms = uint64_t{lifetime_s} * 1000;
  const uint64_t margin_ms =
      lifetime_ms / 4 < max_renew_margin_ms ? lifetime_ms / 4 : max_renew_margin_ms;
  const uint64_t spread_ms = login_session % (margin_ms / 2 + 1);
  return granted_ms + lifetime_ms - margin_ms + spread_ms;
}

struct StoredSettings {
  uint32_t version;
  AgentSettings settings;
};
static_assert(offsetof(StoredSettings, settings) + offsetof(AgentSettings, authorising_timeout_s) ==
                  settings_v1_size,
              "a version 1 settings blob ends where authorising_timeout_s begins");

uint16_t clamp16(uint32_t v) { return static_cast<uint16_t>(v > 0xFFFF ? 0xFFFF : v); }

uint64_t octets_of(const Session& s) {
  const uint64_t sum = s.octets_in + s.octets_out;
  return sum < s.octets_in ? ~uint64_t{0} : sum;
}
}  // namespace

Agent::Agent(hal::Clock& clock, store::RecordStore& journal, hal::Rng& rng, hal::Log& log)
    : clock_(clock),
      journal_(journal),
      rng_(rng),
      log_(log),
      outbox_(table_, applied_, journal, log),
      auth_(table_, log) {}

BootReport Agent::boot() {
  BootReport report;
  report.journal = journal_.mount();
  if (report.journal != store::JournalStatus::ok) {
    log_.write(hal::LogLevel::error, "agent.journal_mount_failed",
               static_cast<int64_t>(report.journal));
    return report;
  }

  StoredSettings stored{};
  const size_t stored_size = journal_.config(&stored, sizeof stored);
  if (stored_size == sizeof stored && stored.version == settings_version) {
    settings_ = stored.settings;
  } else if (stored_size == settings_v1_size && stored.version == 1) {
    settings_ = stored.settings;
    settings_.authorising_timeout_s = config::default_authorising_timeout_s;
  }
  apply_settings(settings_);

  store::Counters c = journal_.counters();
  // Every boot writes the counters, so boot_count 0 means this flash never booted an agent.
  if (c.boot_count == 0 && c.next_session <= 1) c.next_session = fresh_session_base();
  c.boot_count += 1;
  next_id_ = c.next_session;
  c.next_session += id_block;
  report.journal = journal_.put_counters(c);
  reserved_to_ = c.next_session;
  report.boot_count = c.boot_count;

  // Whatever the journal holds was unacknowledged when the power went. Sessions still open
  // then are closed at their last stored totals; their STOPs wait in the journal for a login.
  UsageRecord r;
  for (size_t i = 0; journal_.record_at(i, r); ++i) {
    ++report.records_recovered;
    if (r.kind == gatemeter_RecordKind_RECORD_STOP) continue;
    r.kind = gatemeter_RecordKind_RECORD_STOP;
    r.cause = gatemeter_StopCause_STOP_AGENT_RESTART;
    ++r.seq;
    if (journal_.put_record(r) == store::JournalStatus::ok) ++report.sessions_closed;
  }
  next_interval_ms_ = now_ms() + uint64_t{settings_.interval_s} * 1000;
  log_.write(hal::LogLevel::info, "agent.boot", report.boot_count, report.sessions_closed);
  return report;
}

void Agent::apply_settings(const AgentSettings& s) {
  settings_ = s;
  if (settings_.interval_s == 0) settings_.interval_s = config::default_interval_s;
  OutboxSettings o = outbox_.settings();
  o.copies = settings_.copies == 0 ? 1 : settings_.copies;
  o.retransmit_ms = settings_.retransmit_ms;
  o.persist_after_ms = settings_.persist_after_ms;
  // A power cut may cost one interval of usage (the invariant), so once a session's record is
  // in flash, rewriting it more often than once per interval buys nothing but wear.
  o.repersist_after_ms = settings_.interval_s * 1000 > settings_.persist_after_ms
                             ? settings_.interval_s * 1000
                             : settings_.persist_after_ms;
  outbox_.configure(o);
}

void Agent::save_settings() {
  const StoredSettings stored{settings_version, settings_};
  const store::JournalStatus st = journal_.put_config(&stored, sizeof stored);
  if (st != store::JournalStatus::ok)
    log_.write(hal::LogLevel::error, "agent.settings_not_saved", static_cast<int64_t>(st));
}

void Agent::on_login(const LoginGrant& grant, Uplink& uplink) {
  frame::derive_tag_key(grant.session_key, sizeof grant.session_key, tag_key_);
  const bool track = grant.track_usage;
  const uint32_t interval = grant.interval_s == 0 ? settings_.interval_s : grant.interval_s;
  if (interval != settings_.interval_s || track != (settings_.track_usage != 0)) {
    AgentSettings s = settings_;
    s.interval_s = interval;
    s.track_usage = track ? 1 : 0;
    apply_settings(s);
    save_settings();
    next_interval_ms_ = now_ms() + uint64_t{interval} * 1000;
  }
  uplink_ = &uplink;
  // A renewal is no different here: the sessions stay in the table, and attach() marks every
  // pending record to go again under the new login session (the table's records as they are,
  // the journal's at the next flush). Records the census committed under the old login come
  // back acknowledged as duplicates of (session, seq); none is counted twice.
  const uint64_t now = now_ms();
  outbox_.attach(grant.login_session, tag_key_, uplink, now);
  auth_.attach(grant, tag_key_, uplink, now);
  ++stats_.logins;
  login_reason_ = LoginReason::none;
  renew_at_ms_ = renewal_due(now, grant.lifetime_s, grant.login_session);
  silent_censuses_ = 0;
  silence_mark_ms_ = now;
  log_.write(hal::LogLevel::info, "agent.login", static_cast<int64_t>(grant.login_session),
             interval);
}

void Agent::on_uplink_lost() {
  uplink_ = nullptr;
  outbox_.detach();
  auth_.detach();
  login_reason_ = LoginReason::uplink_lost;
  log_.write(hal::LogLevel::warning, "agent.uplink_lost");
}

void Agent::set_login_due(LoginReason why) {
  if (login_reason_ != LoginReason::none) return;  // already due: the first reason stands
  login_reason_ = why;
  if (why == LoginReason::lifetime) ++stats_.logins_for_lifetime;
  if (why == LoginReason::census_silent) ++stats_.logins_for_silence;
  log_.write(why == LoginReason::census_silent ? hal::LogLevel::warning : hal::LogLevel::info,
             "agent.login_due", static_cast<int64_t>(why));
}

// The census keys sessions by (agent, session id) and keeps the newest seq it saw; a counter
// that restarted at 1 on new flash would send seqs it already holds for those ids, and the new
// usage would be acknowledged and dropped. A random epoch (never 0) in the high 32 bits keeps
// the ids of each flash apart: two flashes of one agent meet with odds 2^-32.
uint64_t Agent::fresh_session_base() {
  uint8_t b[4] = {};
  uint32_t epoch = 0;
  if (rng_.fill(b, sizeof b))
    epoch = uint32_t{b[0]} | uint32_t{b[1]} << 8 | uint32_t{b[2]} << 16 | uint32_t{b[3]} << 24;
  else
    log_.write(hal::LogLevel::error, "agent.rng_failed");
  // Without randomness the clocks are the best there is; still never 0 (ids from before).
  if (epoch == 0) epoch = static_cast<uint32_t>(clock_.wall_unix() ^ (clock_.monotonic_ms() << 7));
  if (epoch == 0) epoch = 1;
  return uint64_t{epoch} << 32 | 1;
}

bool Agent::next_session_id(uint64_t& id) {
  if (next_id_ >= reserved_to_) {
    store::Counters c = journal_.counters();
    c.next_session = next_id_ + id_block;
    if (journal_.put_counters(c) != store::JournalStatus::ok) return false;
    reserved_to_ = c.next_session;
  }
  id = next_id_++;
  return true;
}

StartResult Agent::start_session(const char* subscriber, const char* service, uint8_t billing,
                                 uint64_t& id) {
  if (!valid_identity(subscriber)) return StartResult::bad_identity;
  const int service_index = table_.intern_service(service);
  if (service_index < 0) return StartResult::unknown_service;
  Session* s = table_.allocate();
  if (s == nullptr) {
    // A stopped session waiting for its acknowledgement can make room by going to flash.
    for (Session& old : table_)
      if (old.state == SessionState::stopping && outbox_.persist(old)) break;
    s = table_.allocate();
  }
  if (s == nullptr) {
    ++stats_.sessions_refused_full;
    log_.write(hal::LogLevel::warning, "agent.session_table_full", SessionTable::capacity);
    return StartResult::table_full;
  }
  if (!next_session_id(id)) return StartResult::table_full;

  const uint64_t now = now_ms();
  *s = Session{};
  s->id = id;
  s->state = SessionState::authorising;
  // An option the wire does not know would make every record of the session one the census
  // refuses (from_wire): it is recorded as unspecified instead.
  s->billing = billing < _gatemeter_BillingOption_ARRAYSIZE
                   ? billing
                   : static_cast<uint8_t>(gatemeter_BillingOption_BILLING_UNSPECIFIED);
  // Until billing answers for the subscriber's realm, the gateway realm's policy (the login's).
  s->set_outage_policy(auth_.outage_policy());
  if (settings_.authorising_timeout_s != 0)
    s->deadline_s = static_cast<uint32_t>(now / 1000) + settings_.authorising_timeout_s;
  s->service = static_cast<uint8_t>(service_index);
  s->metered_to_ms = now;
  s->start_unix = static_cast<uint32_t>(clock_.wall_unix());
  s->last_activity_s = static_cast<uint32_t>(now / 1000);
  s->idle_timeout_s = static_cast<uint16_t>(settings_.idle_timeout_s > 0xFFFF ? 0xFFFF : settings_.idle_timeout_s);
  copy_text(s->subscriber, sizeof s->subscriber, subscriber);
  ++stats_.sessions_started;
  if (settings_.track_usage) outbox_.emit(*s, gatemeter_RecordKind_RECORD_START, now);
  return StartResult::ok;
}

bool Agent::authorise(uint64_t id, int32_t decision, uint32_t temporary_s,
                      uint32_t session_timeout_s, uint32_t idle_timeout_s) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return false;
  const uint64_t now = now_ms();
  meter_time(*s, now);  // time until now was spent authorising: free
  if (decision == gatemeter_AuthDecision_AUTH_REJECT) {
    stop(*s, gatemeter_StopCause_STOP_AUTH_REJECTED, now);
    return true;
  }
  return approve(*s, decision, temporary_s, session_timeout_s, idle_timeout_s);
}

// Moves a session to what an approval says (the board's authorise(), billing's answer, a
// COMMAND_GRANT), with its deadline: the session timeout, or the end of a temporary approval.
bool Agent::approve(Session& s, int32_t decision, uint32_t temporary_s,
                    uint32_t session_timeout_s, uint32_t idle_timeout_s) {
  const uint32_t now_sec = now_s();
  const uint32_t timeout = session_timeout_s != 0 ? session_timeout_s : settings_.session_timeout_s;
  if (idle_timeout_s != 0) s.idle_timeout_s = clamp16(idle_timeout_s);
  switch (decision) {
    case gatemeter_AuthDecision_AUTH_APPROVE:
      s.state = SessionState::active;
      s.deadline_s = timeout != 0 ? now_sec + timeout : 0;
      return true;
    case gatemeter_AuthDecision_AUTH_TEMPORARY:
      s.state = SessionState::temporary;
      s.deadline_s = now_sec + (temporary_s != 0 ? temporary_s : 60);
      return true;
    default:
      return false;
  }
}

AuthRequestResult Agent::request_authorisation(uint64_t id, uint8_t billing, const char* account,
                                               const char* subscriber_address) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return AuthRequestResult::unknown_session;
  if (!auth_.enabled()) return AuthRequestResult::no_billing;
  if (s->state != SessionState::authorising) return AuthRequestResult::not_authorising;
  const uint8_t before = s->billing;
  s->billing = billing < _gatemeter_BillingOption_ARRAYSIZE ? billing : before;
  // 65535 requests for one session: it cannot be numbered further, so billing cannot answer it.
  if (s->request == 0xFFFF) return AuthRequestResult::table_full;
  ++s->request;
  const AuthRequestResult r =
      auth_.ask(*s, account, subscriber_address, now_ms(), settings_.retransmit_ms);
  if (r != AuthRequestResult::sent) {
    --s->request;
    s->billing = before;
    return r;
  }
  s->auth = static_cast<uint8_t>(s->auth & ~(auth_rejected | auth_silent));
  return r;
}

bool Agent::request_offers(const char* realm) { return auth_.request_offers(realm); }

bool Agent::on_traffic(uint64_t id, uint64_t octets_in, uint64_t octets_out) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return false;
  meter_traffic(*s, octets_in, octets_out, now_s());
  return true;
}

bool Agent::stop_session(uint64_t id, int32_t cause) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return false;
  stop(*s, cause, now_ms());
  return true;
}

bool Agent::set_free_period(uint64_t id, uint32_t seconds) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return false;
  const uint64_t now = now_ms();
  meter_time(*s, now);
  core::set_free_period(*s, static_cast<uint32_t>(now / 1000), seconds);
  return true;
}

void Agent::stop(Session& s, int32_t cause, uint64_t now) {
  meter_time(s, now);
  s.state = SessionState::stopping;
  auth_.cancel(s.id);
  s.cause = static_cast<uint8_t>(cause);
  if (cause >= 0 && cause < _gatemeter_StopCause_ARRAYSIZE) ++stats_.sessions_stopped[cause];
  log_.write(hal::LogLevel::info, "agent.session_stop", static_cast<int64_t>(s.id), cause);
  if (session_ended_ != nullptr) session_ended_(session_ended_context_, s);
  if (settings_.track_usage)
    outbox_.emit(s, gatemeter_RecordKind_RECORD_STOP, now);
  else
    table_.release(s);
}

void Agent::apply_timeouts(Session& s, uint32_t now_sec) {
  if (s.state == SessionState::authorising) {
    // Nobody decided it in time: after billing's reject, that reject stands.
    if (s.deadline_s != 0 && now_sec >= s.deadline_s)
      stop(s, (s.auth & auth_rejected) ? gatemeter_StopCause_STOP_AUTH_REJECTED
                                       : gatemeter_StopCause_STOP_SESSION_TIMEOUT,
           now_ms());
    return;
  }
  if (!s.metering() && s.state != SessionState::walled_garden) return;
  if (s.deadline_s != 0 && now_sec >= s.deadline_s) {
    stop(s, gatemeter_StopCause_STOP_SESSION_TIMEOUT, now_ms());
  } else if (s.idle_timeout_s != 0 && now_sec - s.last_activity_s >= s.idle_timeout_s) {
    stop(s, gatemeter_StopCause_STOP_IDLE_TIMEOUT, now_ms());
  }
}

void Agent::tick() {
  const uint64_t now = now_ms();
  const uint32_t now_sec = static_cast<uint32_t>(now / 1000);
  const bool interval_due = now >= next_interval_ms_;
  if (interval_due) next_interval_ms_ = now + uint64_t{settings_.interval_s} * 1000;
  // Billing first: a request whose last try just went unanswered is known silent before its
  // session's grant is checked below, so a limit reached this second is met on time.
  uint64_t silent[AuthClient::capacity];
  const size_t n = auth_.flush(now, settings_.retransmit_ms, silent);
  for (size_t i = 0; i < n; ++i) billing_silent(silent[i]);
  for (Session& s : table_) {
    if (!s.in_use() || s.state == SessionState::stopping) continue;
    meter_time(s, now);
    apply_timeouts(s, now_sec);
    enforce_grant(s, now_sec, interval_due);
    if (interval_due && s.state != SessionState::stopping && settings_.track_usage)
      outbox_.emit(s, gatemeter_RecordKind_RECORD_INTERIM, now);
  }
  outbox_.set_agent_time(clock_.wall_unix());
  outbox_.flush(now);
  // Nothing else tells the census (and billing, which reads its presence from the census) that
  // this agent is there while no session has a record to send; the ack may carry commands.
  if (interval_due && uplink_ != nullptr && (table_.in_use() == 0 || !settings_.track_usage)) {
    outbox_.heartbeat();
    ++stats_.heartbeats;
  }
  if (renew_at_ms_ != 0 && now >= renew_at_ms_ && uplink_ != nullptr)
    set_login_due(LoginReason::lifetime);
  watch_census(now);
}

// Whatever comes next for a held session (a grant, none, the outage policy's go-on) ends the
// hold; a limit still reached holds it again at the next check. Called after the time before
// it was metered, so the seconds held stay free.
void Agent::release(Session& s) {
  if (!(s.auth & auth_held)) return;
  s.auth = static_cast<uint8_t>(s.auth & ~auth_held);
  BillingNotice n;
  n.event = BillingEvent::released;
  notify(s, n);
}

// A grant's limits are cumulative since the session started, so applying the same answer twice
// (a resend answered twice, a COMMAND_GRANT after a reboot of the census) changes nothing.
//
// When to ask for more is fixed here, when the grant comes, from what is known then: the larger
// of a tenth of what this grant adds and one interval's use (time: charged seconds grow at most
// one a second, so the interval, or less in a young session; octets: the session's average per
// interval so far), and for time at least as long as every server the outage policy allows
// takes to be tried, so the policy is never applied before they all were; but never more than
// half of what the grant adds, so a small grant is not asked for again at once. The margins
// cost 4 bytes of Session where the limits' own increments would cost 12.
void Agent::apply_grant(Session& s, const gatemeter_Grant* g) {
  release(s);
  s.auth = static_cast<uint8_t>(s.auth & ~(auth_final | auth_redirect));
  s.grant_s = s.grant_kib = s.grant_until_s = 0;
  s.ask_margin_s = s.ask_margin_64k = 0;
  if (g == nullptr) return;  // none: unlimited (RFC 4006: no Granted-Service-Unit)
  ++stats_.grants;
  const uint32_t interval = settings_.interval_s;
  s.grant_s = g->charged_s;
  if (g->charged_s > s.charged_s) {
    const uint32_t adds = g->charged_s - s.charged_s;
    const uint32_t used = s.charged_s < interval ? s.charged_s : interval;
    uint32_t margin = adds / 10 > used ? adds / 10 : used;
    const uint32_t servers =
        s.outage_policy() == gatemeter_OutagePolicy_OUTAGE_TERMINATE ? 1 : auth_.servers();
    const uint32_t tries_s = servers * config::auth_tries_per_server * settings_.retransmit_ms / 1000;
    if (margin < tries_s) margin = tries_s;
    if (margin > adds / 2) margin = adds / 2;
    s.ask_margin_s = clamp16(margin);
  }
  if (g->octets != 0) {
    const uint64_t kib = g->octets >> 10;
    // A limit under 1 KiB is 1 KiB (0 would mean none); above 4 TiB it is no limit in practice.
    s.grant_kib = kib == 0 ? 1 : kib > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(kib);
    const uint64_t used = octets_of(s);
    if (g->octets > used) {
      const uint64_t adds = g->octets - used;
      const uint64_t connect_s = uint64_t{s.charged_s} + s.free_s;
      const uint64_t per_interval = connect_s == 0 ? 0 : used / connect_s * interval;
      uint64_t margin = adds / 10 > per_interval ? adds / 10 : per_interval;
      if (margin > adds / 2) margin = adds / 2;
      s.ask_margin_64k = static_cast<uint16_t>((margin >> 16) > 0xFFFF ? 0xFFFF : margin >> 16);
    }
  }
  if (g->validity_s != 0) s.grant_until_s = now_s() + g->validity_s;
  if (g->final) s.auth |= auth_final;
  if (g->final_redirect) s.auth |= auth_redirect;
}

// Before a grant runs out the agent asks for more (an update, the next request number); at a
// final grant's limit the session ends (zero balance) or goes to the walled garden; at any other
// limit it is held in the walled garden (time free) for the update's answer while a billing
// server may still give one, then follows the outage policy.
void Agent::enforce_grant(Session& s, uint32_t now_sec, bool interval_due) {
  if (!s.metering()) return;
  const uint64_t used_kib = octets_of(s) >> 10;
  const bool at_limit = (s.grant_s != 0 && s.charged_s >= s.grant_s) ||
                        (s.grant_kib != 0 && used_kib >= s.grant_kib);
  if (at_limit) {
    if (s.auth & auth_final) {
      if (!(s.auth & auth_redirect)) {
        stop(s, gatemeter_StopCause_STOP_ZERO_BALANCE, now_ms());
        return;
      }
      s.state = SessionState::walled_garden;
      apply_grant(s, nullptr);
      ++stats_.walled_gardens;
      log_.write(hal::LogLevel::info, "agent.walled_garden", static_cast<int64_t>(s.id));
      BillingNotice n;
      n.event = BillingEvent::walled_garden;
      notify(s, n);
      return;
    }
    if (s.auth & auth_silent) {
      if (s.outage_policy() == gatemeter_OutagePolicy_OUTAGE_CONTINUE)
        go_on_without_grant(s);
      else
        stop(s, gatemeter_StopCause_STOP_BILLING_UNREACHABLE, now_ms());
      return;
    }
    // Held, not charged, while the answer is awaited: a grant is the money billing set aside,
    // and time past it would be paid from money another session may hold (under loss and
    // load the answer can take several seconds, every one of them charged before).
    if (!(s.auth & auth_held)) {
      s.auth |= auth_held;
      ++stats_.holds;
      BillingNotice n;
      n.event = BillingEvent::held;
      notify(s, n);
    }
    if (!auth_.waiting(s.id)) ask_update(s);
    return;
  }
  if (s.auth & auth_final) return;  // nothing more to ask for
  // The validity is asked about early enough for one server's tries to be answered in time.
  const uint32_t lead = config::auth_tries_per_server * settings_.retransmit_ms / 1000 + 1;
  const bool near = (s.grant_s != 0 && uint64_t{s.charged_s} + s.ask_margin_s >= s.grant_s) ||
                    (s.grant_kib != 0 && used_kib + uint64_t{s.ask_margin_64k} * 64 >= s.grant_kib) ||
                    (s.grant_until_s != 0 && uint64_t{now_sec} + lead >= s.grant_until_s);
  // After every server stayed silent, asking again waits for the next interval: an outage of
  // billing must not turn into a request per session per retransmit interval.
  if (near && !auth_.waiting(s.id) && (!(s.auth & auth_silent) || interval_due)) ask_update(s);
}

void Agent::ask_update(Session& s) {
  // Nobody to ask (no billing servers, or 65535 requests used): silence, as far as the outage
  // policy is concerned.
  if (!auth_.enabled() || s.request == 0xFFFF) {
    s.auth |= auth_silent;
    return;
  }
  ++s.request;
  if (auth_.ask(s, "", "", now_ms(), settings_.retransmit_ms) != AuthRequestResult::sent) {
    --s.request;  // the table is full: asked again at the next tick
    return;
  }
  ++stats_.auth_updates;
}

// Every billing server the outage policy allows stayed silent on the session's newest request.
void Agent::billing_silent(uint64_t id) {
  Session* s = table_.find(id);
  if (s == nullptr || s->state == SessionState::stopping) return;
  ++stats_.auth_unreachable;
  s->auth |= auth_silent;
  if (s->state != SessionState::authorising) return;  // running: its grant's limit decides
  if (s->outage_policy() == gatemeter_OutagePolicy_OUTAGE_CONTINUE) {
    meter_time(*s, now_ms());  // free until now
    approve(*s, gatemeter_AuthDecision_AUTH_APPROVE, 0, 0, 0);
    go_on_without_grant(*s);
  } else {
    stop(*s, gatemeter_StopCause_STOP_BILLING_UNREACHABLE, now_ms());
  }
}

// OUTAGE_CONTINUE: the session goes on with no limit, and every record from now on says so
// (billing rates it from its records afterwards); the flag stays for the session's life, since
// billing never saw the usage of the outage live.
void Agent::go_on_without_grant(Session& s) {
  apply_grant(s, nullptr);
  s.auth |= auth_outage;
  log_.write(hal::LogLevel::warning, "agent.billing_outage", static_cast<int64_t>(s.id));
  BillingNotice n;
  n.event = BillingEvent::approved_locally;
  notify(s, n);
}

void Agent::notify(const Session& s, const BillingNotice& n) {
  if (billing_notified_ != nullptr) billing_notified_(billing_notified_context_, s, n);
}

// Records are waiting and this census has been silent too long: try the next one. The records
// themselves need nothing: they are resent under the same login session.
//
// Silence counts only while something waits for an answer: from the last ack, or from when
// records began to wait after a quiet spell (an interval longer than failover_after is not
// silence), or from the last move to another census.
//
// Once every census address has been silent in turn, no census knows this login any more (the
// agent was disabled, the login expired, or a census lost its state), or none can be reached;
// either way only a new login can help, so one is due. A census never answers datagrams of a
// login it does not hold, so this silence is all the agent ever learns of it. A login for
// silence that brings no ack makes the next one wait twice as many rounds (up to 32), so that
// an outage of every census does not turn into a login storm of the whole fleet.
void Agent::watch_census(uint64_t now) {
  if (uplink_ == nullptr) return;
  if (outbox_.pending() == 0) {
    silence_mark_ms_ = now;
    return;
  }
  const uint64_t since =
      outbox_.last_ack_ms() > silence_mark_ms_ ? outbox_.last_ack_ms() : silence_mark_ms_;
  if (now - since < settings_.failover_after_ms) return;
  silence_mark_ms_ = now;
  ++silent_censuses_;
  const size_t census = uplink_->census_count() == 0 ? 1 : uplink_->census_count();
  const uint32_t shift =
      silent_logins_ < max_silent_login_backoff ? silent_logins_ : max_silent_login_backoff;
  if (silent_censuses_ >= census << shift && login_reason_ == LoginReason::none) {
    ++silent_logins_;
    set_login_due(LoginReason::census_silent);
  }
  if (uplink_->fail_over()) {
    ++stats_.failovers;
    outbox_.resend_all(now);
    log_.write(hal::LogLevel::warning, "agent.census_failover", static_cast<int64_t>(stats_.failovers));
  }
}

frame::Refusal Agent::on_datagram(const uint8_t* data, size_t length) {
  // Billing servers answer in frames of their own kinds; everything else is the census's (the
  // outbox refuses what is not an ack). Each has its own replay window (auth_client.h).
  frame::Header h;
  if (frame::peek(data, length, h) == frame::Refusal::none &&
      (h.kind == frame::FrameKind::auth_response || h.kind == frame::FrameKind::offer_response))
    return on_billing_datagram(data, length);
  const frame::Refusal r = outbox_.on_datagram(data, length, ack_, now_ms());
  if (r != frame::Refusal::none) {
    log_.write(hal::LogLevel::warning, "agent.datagram_refused", static_cast<int64_t>(r));
    return r;
  }
  // A census knows this login after all: a login wanted only for the silence is not needed.
  silent_censuses_ = 0;
  silent_logins_ = 0;
  if (login_reason_ == LoginReason::census_silent) login_reason_ = LoginReason::none;
  // The census lists an agent's unconfirmed commands in the order they were queued. One that
  // finds no room is not applied, and neither is any after it, so a resend brings them back in
  // that order (two SET_INTERVALs must not swap).
  const uint64_t now = now_ms();
  for (pb_size_t i = 0; i < ack_.commands_count; ++i) {
    const gatemeter_Command& c = ack_.commands[i];
    const AppliedCommands::Arrival a = applied_.arrive(c.id, now);
    if (a == AppliedCommands::Arrival::repeat) {
      ++stats_.commands_repeated;
    } else if (a == AppliedCommands::Arrival::full) {
      stats_.commands_deferred += ack_.commands_count - i;
      log_.write(hal::LogLevel::warning, "agent.commands_deferred",
                 static_cast<int64_t>(ack_.commands_count - i), static_cast<int64_t>(c.id));
      break;
    } else {
      run_command(c);
    }
  }
  return r;
}

frame::Refusal Agent::on_billing_datagram(const uint8_t* data, size_t length) {
  AuthClient::Answer answer;
  const frame::Refusal r = auth_.on_datagram(data, length, answer);
  if (r != frame::Refusal::none) {
    log_.write(hal::LogLevel::warning, "agent.billing_datagram_refused", static_cast<int64_t>(r));
    return r;
  }
  if (answer == AuthClient::Answer::auth) apply_answer(auth_.response());
  if (answer == AuthClient::Answer::offers && offers_received_ != nullptr)
    offers_received_(offers_received_context_, auth_.offer_response());
  return r;
}

// An answer to the session's newest request (the auth client matched session and number).
void Agent::apply_answer(const gatemeter_AuthResponse& r) {
  Session* s = table_.find(r.session_id);
  if (s == nullptr || s->state == SessionState::stopping) return;
  const uint64_t now = now_ms();
  meter_time(*s, now);  // what went before the answer is metered as it was then
  s->auth = static_cast<uint8_t>(s->auth & ~auth_silent);
  const int32_t policy = wire_enum(r.outage_policy);
  if (policy >= 0 && policy < _gatemeter_OutagePolicy_ARRAYSIZE) s->set_outage_policy(policy);
  BillingNotice n;
  n.balance_micros = r.balance_micros;
  const int32_t decision = wire_enum(r.decision);
  switch (decision) {
    case gatemeter_AuthDecision_AUTH_APPROVE:
    case gatemeter_AuthDecision_AUTH_TEMPORARY: {
      // An update's approval leaves the state (and deadline) as they are; a first one moves it.
      bool moved = false;
      if (decision == gatemeter_AuthDecision_AUTH_APPROVE && s->state != SessionState::active) {
        if (s->state == SessionState::walled_garden)
          s->state = SessionState::active;
        else
          approve(*s, decision, 0, r.session_timeout_s, r.idle_timeout_s);
        moved = true;
      } else if (decision == gatemeter_AuthDecision_AUTH_TEMPORARY &&
                 s->state == SessionState::authorising) {
        approve(*s, decision, r.temporary_s, r.session_timeout_s, r.idle_timeout_s);
        moved = true;
      }
      s->auth = static_cast<uint8_t>(s->auth & ~auth_rejected);
      apply_grant(*s, r.has_grant ? &r.grant : nullptr);
      if (moved) {
        n.event = decision == gatemeter_AuthDecision_AUTH_APPROVE ? BillingEvent::approved
                                                                  : BillingEvent::approved_temporarily;
        notify(*s, n);
      }
      break;
    }
    case gatemeter_AuthDecision_AUTH_REJECT:
      n.event = BillingEvent::rejected;
      n.reject = wire_enum(r.reject);
      n.reason = r.reason;
      log_.write(hal::LogLevel::info, "agent.auth_rejected", static_cast<int64_t>(s->id), n.reject);
      if (s->state == SessionState::authorising) {
        // Still in the walled garden: the board may ask again with another option or account.
        s->auth |= auth_rejected;
        notify(*s, n);
      } else {
        notify(*s, n);
        // The board may have ended it from the callback already (or the slot is gone).
        Session* again = table_.find(r.session_id);
        if (again != nullptr && again->state != SessionState::stopping)
          stop(*again, gatemeter_StopCause_STOP_AUTH_REJECTED, now);
      }
      break;
    default:
      log_.write(hal::LogLevel::warning, "agent.auth_undecided", static_cast<int64_t>(s->id),
                 decision);
      break;
  }
}

void Agent::run_command(const gatemeter_Command& c) {
  ++stats_.commands;
  switch (wire_enum(c.kind)) {
    case gatemeter_CommandKind_COMMAND_END_SESSION: {
      const int32_t cause = wire_enum(c.cause);
      stop_session(c.session_id,
                   cause > 0 && cause < _gatemeter_StopCause_ARRAYSIZE
                       ? cause
                       : static_cast<int32_t>(gatemeter_StopCause_STOP_HOST_COMMAND));
      break;
    }
    case gatemeter_CommandKind_COMMAND_SET_INTERVAL:
      if (c.interval_s >= 1 && c.interval_s != settings_.interval_s) {
        AgentSettings s = settings_;
        s.interval_s = c.interval_s;
        apply_settings(s);
        save_settings();
        next_interval_ms_ = now_ms() + uint64_t{c.interval_s} * 1000;
      }
      break;
    case gatemeter_CommandKind_COMMAND_UPDATE_AVAILABLE:
      ++stats_.updates_announced;
      update_version_ = c.version;
      log_.write(hal::LogLevel::info, "agent.update_available", c.version);
      break;
    case gatemeter_CommandKind_COMMAND_SET_FREE_PERIOD:
      set_free_period(c.session_id, c.free_s);
      break;
    case gatemeter_CommandKind_COMMAND_GRANT: {
      // New terms for a running session: a temporary approval made final, a top-up extending a
      // grant, a walled-garden session charged again. The grant replaces the one it had.
      Session* s = table_.find(c.session_id);
      if (s == nullptr || s->state == SessionState::stopping) break;
      meter_time(*s, now_ms());
      bool moved = false;
      if (wire_enum(c.decision) == gatemeter_AuthDecision_AUTH_APPROVE &&
          s->state != SessionState::active) {
        if (s->state == SessionState::walled_garden)
          s->state = SessionState::active;  // its session timeout stands
        else
          approve(*s, gatemeter_AuthDecision_AUTH_APPROVE, 0, 0, 0);
        moved = true;
      }
      s->auth = static_cast<uint8_t>(s->auth & ~(auth_silent | auth_rejected));
      apply_grant(*s, c.has_grant ? &c.grant : nullptr);
      if (moved) {
        BillingNotice n;
        n.event = BillingEvent::approved;
        n.balance_micros = c.balance_micros;
        notify(*s, n);
      }
      break;
    }
    case gatemeter_CommandKind_COMMAND_LOW_BALANCE: {
      const Session* s = table_.find(c.session_id);
      if (s == nullptr || s->state == SessionState::stopping) break;
      BillingNotice n;
      n.event = BillingEvent::low_balance;
      n.balance_micros = c.balance_micros;
      notify(*s, n);
      break;
    }
    default:
      log_.write(hal::LogLevel::warning, "agent.unknown_command", wire_enum(c.kind));
      break;
  }
  if (command_applied_ != nullptr) command_applied_(command_applied_context_, c);
}

}  // namespace gm::core
