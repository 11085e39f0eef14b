#include "host/billing/billing_server.h"

#include <pb_decode.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "host/billing/approval_client.h"
#include "host/billing/low_balance.h"
#include "host/billing/billing_api_server.h"
#include "host/billing/session_authoriser.h"
#include "host/billing/stale_sweep.h"
#include "host/census/login_registry.h"
#include "host/census/udp_io.h"
#include "shared/frame/frame_codec.h"
#include "shared/proto/wire_names.h"
#include "shared/record/usage_record.h"

namespace gm::host {

namespace asio = boost::asio;
using asio::use_awaitable;
using asio::ip::udp;

namespace {

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

// A verified request, waiting for a decision thread.
struct Request {
  frame::FrameKind kind = frame::FrameKind::auth_request;
  std::shared_ptr<LoginEntry> login;
  uint32_t seq = 0;  // the request frame's: the answer's frame carries it
  udp::endpoint from;
  gatemeter_AuthRequest auth = gatemeter_AuthRequest_init_zero;
  gatemeter_OfferRequest offer = gatemeter_OfferRequest_init_zero;
  std::chrono::steady_clock::time_point received;
};

// Step 2: the header, the login, the tag and the window, the payload as its kind. On none the
// window has marked the frame's sequence. A login the registry does not hold is looked up in
// the store, a bounded number per second (LoginRegistry), as the census's receivers do.
frame::Refusal verify(const uint8_t* data, size_t n, LoginRegistry& logins, Request& out) {
  frame::Header h;
  frame::Refusal r = frame::peek(data, n, h);
  if (r != frame::Refusal::none) return r;
  std::shared_ptr<LoginEntry> login = logins.find(h.login_session);
  if (!login) return frame::Refusal::unknown_session;
  const frame::FrameKind expected = h.kind == frame::FrameKind::offer_request
                                        ? frame::FrameKind::offer_request
                                        : frame::FrameKind::auth_request;
  void* message = expected == frame::FrameKind::offer_request ? static_cast<void*>(&out.offer)
                                                              : static_cast<void*>(&out.auth);
  {
    std::lock_guard lock(login->window_mutex);
    r = frame::open(data, n, h, login->key, login->window, expected, message);
  }
  if (r != frame::Refusal::none) return r;
  out.kind = expected;
  out.login = std::move(login);
  out.seq = h.seq;
  return frame::Refusal::none;
}

sockaddr_in v4(const udp::endpoint& e) {
  sockaddr_in a{};
  std::memcpy(&a, e.data(), std::min(sizeof a, static_cast<size_t>(e.size())));
  return a;
}

billing::AuthorisationSettings authorisation_settings(const BillingSettings& s,
                                                      const RefusedRealms* refused) {
  billing::AuthorisationSettings a;
  a.refused = refused;
  a.terms.grant_intervals = s.grant_intervals;
  a.terms.interval_s = s.metering_interval_s;
  a.terms.interval_octets = s.interval_octets;
  a.terms.validity_s = s.grant_validity_s;
  a.zoneinfo = s.zoneinfo;
  return a;
}

billing::SweepRules sweep_rules(const BillingSettings& s) {
  billing::SweepRules r;
  r.stale_intervals = s.stale_intervals;
  r.interval_s = s.metering_interval_s;
  r.presence_slack_s = presence_every_s;
  r.track_usage = s.track_usage;
  return r;
}

// As the census's sockets (census_server.h): a batch's worth of requests arriving while the io
// thread seals and sends the one before fits, rather than being dropped and resent.
constexpr int receive_buffer_bytes = 8 << 20;

// Sessions read per sweep: more than any real backlog of quiet sessions, so the ones the sweep
// leaves open (a gateway never heard, a deaf census) cannot hide the rest.
constexpr size_t sweep_read_limit = 200'000;
// Closes per transaction: each holds its sessions' rows only briefly.
constexpr size_t closes_per_write = 256;

std::string hex16(uint64_t v) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(v));
  return out;
}

}  // namespace

struct BillingServer::Impl {
  BillingServer& owner;
  const BillingSettings& settings;
  BillingStats& stats;
  std::unique_ptr<LoginRegistry> registry;

  asio::io_context io{1};
  udp::socket socket{io};
  std::thread io_thread;

  std::mutex queue_mutex;
  std::condition_variable queue_ready;
  std::deque<Request> queue;
  bool deciders_stopping = false;
  std::vector<std::thread> deciders;

  std::unique_ptr<billing::FeedDelivery> feed;
  std::unique_ptr<billing::BillingApiServer> api;

  std::mutex follow_mutex;
  std::condition_variable follow_wake;
  bool follow_stopping = false, follow_due = false;
  std::thread follower;
  std::chrono::steady_clock::time_point started{}, next_sweep{};
  billing::SweepMemory sweep_memory;  // the follow-up thread's

  explicit Impl(BillingServer& o) : owner(o), settings(o.settings_), stats(o.stats_) {}
  std::unique_ptr<RefusedRealms> refused;  // settlement_refusals: read by every authoriser

  // ---- steps 1 and 2: the io thread ----

  asio::awaitable<void> receive() {
    std::array<uint8_t, frame::max_frame_size + 1> buffer;
    udp::endpoint from;
    for (;;) {
      boost::system::error_code ec;
      const size_t n = co_await socket.async_receive_from(asio::buffer(buffer), from,
                                                          asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      ++stats.frames;
      Request request;
      frame::Refusal r = verify(buffer.data(), n, *registry, request);
      if (r == frame::Refusal::none && request.kind == frame::FrameKind::auth_request &&
          (request.auth.session_id == 0 || request.auth.subscriber[0] == '\0'))
        r = frame::Refusal::undecodable;  // authentic, but names no session to decide for
      if (r != frame::Refusal::none) {
        count_billing_refusal(stats, static_cast<size_t>(r), v4(from));
        continue;
      }
      request.from = from;
      request.received = std::chrono::steady_clock::now();
      if (!hand_over(std::move(request)))
        count_billing_refusal(stats, static_cast<size_t>(BillingRefusal::overloaded), v4(from));
    }
  }

  bool hand_over(Request&& r) {
    {
      std::lock_guard lock(queue_mutex);
      if (deciders_stopping || queue.size() >= settings.max_queued_requests) return false;
      queue.push_back(std::move(r));
      ++stats.queued;
    }
    queue_ready.notify_one();
    return true;
  }

  // A batch's answers, sealed, in the order decided.
  struct Outgoing {
    std::vector<uint8_t> bytes;  // the frames back to back
    std::vector<std::pair<size_t, udp::endpoint>> frames;  // each one's end in bytes, its agent
  };

  // Step 4's sending half, on the io thread, which owns the socket: a batch in one hand-over.
  void send(Outgoing&& out) {
    if (out.frames.empty()) return;
    asio::post(io, [this, o = std::move(out)] {
      size_t begin = 0;
      for (const auto& [end, to] : o.frames) {
        boost::system::error_code ec;
        socket.send_to(asio::buffer(o.bytes.data() + begin, end - begin), to, 0, ec);
        if (!ec) ++stats.answers_sent;  // a full buffer: the agent resends and is answered then
        begin = end;
      }
    });
  }

  template <typename Message>
  void answer(const Request& r, frame::FrameKind kind, const Message& m, Outgoing& out) {
    const size_t at = out.bytes.size();
    out.bytes.resize(at + frame::max_frame_size);
    // The request's own sequence: unique per login while the agent's sequence rises, so the
    // agent's replay window takes it beside the census's acks without shared state.
    const size_t n = frame::seal({kind, r.login->id, r.seq}, &m, r.login->key,
                                 out.bytes.data() + at, frame::max_frame_size);
    out.bytes.resize(at + n);
    if (n != 0) out.frames.push_back({at + n, r.from});
  }

  // ---- step 3: a decision thread ----

  // Whatever waits when a thread is free is decided together and committed in one
  // transaction (group commit: one fsync for the batch), so a busy service commits larger
  // batches rather than queueing behind one fsync per request.
  static constexpr size_t max_batch = 512;

  void decide_loop() {
    std::unique_ptr<Store> store;
    std::unique_ptr<billing::SessionAuthoriser> authoriser;
    std::vector<Request> batch;
    for (;;) {
      batch.clear();
      {
        std::unique_lock lock(queue_mutex);
        queue_ready.wait(lock, [&] { return deciders_stopping || !queue.empty(); });
        if (queue.empty()) return;
        while (!queue.empty() && batch.size() < max_batch) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
          --stats.queued;
        }
      }
      try {
        if (!store) {
          store = open_store(owner.store_spec_);
          authoriser = std::make_unique<billing::SessionAuthoriser>(
              *store, authorisation_settings(settings, refused.get()));
        }
        decide(*authoriser, batch);
      } catch (const std::exception& e) {
        // Not answered: the agents resend. A connection that failed is opened anew.
        for (const Request& r : batch)
          count_billing_refusal(stats, static_cast<size_t>(BillingRefusal::store_failed),
                                v4(r.from));
        std::fprintf(stderr, "billing: %zu requests not answered: %s\n", batch.size(), e.what());
        authoriser.reset();
        store.reset();
      }
    }
  }

  void decide(billing::SessionAuthoriser& authoriser, const std::vector<Request>& batch) {
    Outgoing out;
    decide(authoriser, batch, out);
    send(std::move(out));
  }

  void decide(billing::SessionAuthoriser& authoriser, const std::vector<Request>& batch,
              Outgoing& out) {
    std::vector<billing::AuthAsked> asked;
    std::vector<const Request*> auths;
    for (const Request& r : batch) {
      if (r.kind == frame::FrameKind::offer_request) {
        ++stats.offer_requests;
        answer(r, frame::FrameKind::offer_response, authoriser.offers(r.offer.realm), out);
        stats.observe_decision(std::chrono::steady_clock::now() - r.received);
        continue;
      }
      ++stats.auth_requests;
      asked.push_back({r.login->agent, r.login->id, &r.auth, r.login->agent_id});
      auths.push_back(&r);
    }
    if (asked.empty()) return;
    // Durable before it is told: answer_all() commits the decisions (or found them committed).
    const std::vector<billing::AuthAnswer> answers = authoriser.answer_all(asked, now_unix());
    bool inquiry = false;
    for (size_t i = 0; i < answers.size(); ++i) {
      const billing::AuthAnswer& a = answers[i];
      const Request& r = *auths[i];
      stats.observe_decision(std::chrono::steady_clock::now() - r.received);
      if (a.kind == billing::AuthAnswer::Kind::stale) {
        ++stats.stale;
        continue;
      }
      gatemeter_AuthResponse response = gatemeter_AuthResponse_init_zero;
      pb_istream_t in = pb_istream_from_buffer(a.response.data(), a.response.size());
      if (!pb_decode(&in, gatemeter_AuthResponse_fields, &response)) {
        std::fprintf(stderr, "billing: a stored AuthResponse does not decode (session %s)\n",
                     hex16(r.auth.session_id).c_str());
        continue;
      }
      if (a.kind == billing::AuthAnswer::Kind::repeated)
        ++stats.repeated;
      else
        ++stats.outcomes[outcome_index(response)];
      // Encoded again from what it decoded to: nanopb writes the same bytes.
      answer(r, frame::FrameKind::auth_response, response, out);
      inquiry |= a.start_inquiry;
    }
    if (inquiry) wake_follower();
  }

  // ---- the follow-up thread: remote inquiries, top-ups, the sweep ----

  void wake_follower() {
    {
      std::lock_guard lock(follow_mutex);
      follow_due = true;
    }
    follow_wake.notify_one();
  }

  struct Backoff {
    std::chrono::steady_clock::time_point next{};
    std::chrono::milliseconds delay{0};
  };

  void follow_loop() {
    std::unique_ptr<Store> store;
    std::unique_ptr<billing::SessionAuthoriser> authoriser;
    std::map<std::pair<int64_t, uint64_t>, Backoff> backoff;
    for (;;) {
      {
        std::unique_lock lock(follow_mutex);
        follow_wake.wait_for(lock, std::chrono::milliseconds(settings.follow_up_ms),
                             [&] { return follow_stopping || follow_due; });
        if (follow_stopping) return;
        follow_due = false;
      }
      registry->poll();
      try {
        if (!store) {
          store = open_store(owner.store_spec_, {.roaming = settings.settlement});
          authoriser = std::make_unique<billing::SessionAuthoriser>(
              *store, authorisation_settings(settings, refused.get()));
        }
        inquire(*store, *authoriser, backoff);
        extend_final_grants(*store, *authoriser);
        sweep(*store);
        warn_low_balances(*store);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "billing: follow-up failed, again in %u ms: %s\n",
                     settings.follow_up_ms, e.what());
        authoriser.reset();
        store.reset();
      }
    }
  }

  void told(const std::optional<billing::SessionCommand>& c) {
    if (!c) return;
    if (wire_enum(c->command.kind) == gatemeter_CommandKind_COMMAND_GRANT)
      ++stats.commands_grant;
    else
      ++stats.commands_end_session;
  }

  // Each temporary approval still asking: past its period, a reject; else, when its backoff
  // allows, one POST to its realm's approval_url, and an answer recorded with its command.
  void inquire(Store& store, billing::SessionAuthoriser& authoriser,
               std::map<std::pair<int64_t, uint64_t>, Backoff>& backoff) {
    const auto asking = store.authorisations().pending_inquiries(64);
    if (asking.empty()) {
      backoff.clear();
      return;
    }
    std::map<int64_t, std::string> agents, accounts;
    for (const Agent& a : store.list_agents()) agents[a.id] = a.agent_id;
    for (const AccountRow& a : store.account_book().list_accounts()) accounts[a.id] = a.name;
    for (const StoredAuthorisation& a : asking) {
      const auto key = std::make_pair(a.agent, a.session_id);
      if (now_unix() >= a.temporary_until_unix) {
        told(authoriser.remote_answered(a.agent, a.session_id, false, now_unix()));
        ++stats.remote_timed_out;
        backoff.erase(key);
        continue;
      }
      Backoff& b = backoff[key];
      if (std::chrono::steady_clock::now() < b.next) continue;
      const auto at = a.subscriber.find('@');
      const host::RealmRow* realm =
          authoriser.catalog().realm(at == std::string::npos ? "" : a.subscriber.substr(at + 1));
      if (realm == nullptr || realm->approval_url.empty()) continue;  // rejected at its deadline
      billing::ApprovalInquiry q{hex16(a.session_id), agents[a.agent], a.subscriber,
                                 wire::billing_name(a.option).c_str(), accounts[a.account]};
      ++stats.inquiries_sent;
      const billing::ApprovalReply reply =
          billing::post_inquiry(realm->approval_url, billing::inquiry_json(q),
                                std::chrono::milliseconds(1000ull * settings.approval_timeout_s));
      if (reply.kind == billing::ApprovalReply::Kind::no_answer) {
        if (++stats.inquiries_failed == 1 || b.delay.count() == 0)
          std::fprintf(stderr, "billing: no answer from %s for session %s: %s (retrying)\n",
                       realm->approval_url.c_str(), q.session.c_str(), reply.reason.c_str());
        b.delay = std::min(std::chrono::milliseconds(8000),
                           b.delay.count() == 0 ? std::chrono::milliseconds(250) : 2 * b.delay);
        b.next = std::chrono::steady_clock::now() + b.delay;
        continue;
      }
      const bool approved = reply.kind == billing::ApprovalReply::Kind::approve;
      told(authoriser.remote_answered(a.agent, a.session_id, approved, now_unix()));
      ++(approved ? stats.remote_approved : stats.remote_rejected);
      backoff.erase(key);
    }
  }

  // A top-up, or money another session released: sessions that were told "final" hear more.
  void extend_final_grants(Store& store, billing::SessionAuthoriser& authoriser) {
    for (const StoredAuthorisation& a : store.authorisations().final_grants()) {
      if (!billing::SessionAuthoriser::holds_final_grant(a)) continue;
      const auto c = authoriser.extend(a.agent, a.session_id, now_unix());
      if (c) ++stats.grants_extended;
      told(c);
    }
  }

  // Once per metering interval (a scan of the open sessions): sessions nobody reports are
  // closed at their last reported totals, silent gateways' sessions as lost carrier, each with
  // its feed row and COMMAND_END_SESSION in the transaction that closes it (stale_sweep.h).
  void sweep(Store& store) {
    const billing::SweepRules rules = sweep_rules(settings);
    if (rules.stale_intervals == 0 || rules.interval_s == 0) return;
    const auto steady = std::chrono::steady_clock::now();
    if (steady < next_sweep) return;
    next_sweep = steady + std::chrono::seconds(rules.interval_s);
    // A census started with this service has had the time to hear every gateway only now.
    const bool judge_silence =
        steady - started >=
        std::chrono::seconds(billing::stale_window_s(rules) + rules.presence_slack_s);
    const int64_t now = now_unix();
    const host::SweepRead read =
        store.sweep().quiet_sessions(billing::quiet_before(rules, now), sweep_read_limit);
    const host::SweepWrite plan =
        billing::plan_sweep(rules, read, now, judge_silence, sweep_memory);
    size_t swept = 0, lost = 0, gateways = 0;
    for (size_t from = 0;; from += closes_per_write) {
      const size_t to = std::min(plan.close.size(), from + closes_per_write);
      const bool last = to == plan.close.size();
      host::SweepWrite w;
      w.heard_after_unix = plan.heard_after_unix;
      w.close.assign(plan.close.begin() + static_cast<ptrdiff_t>(from),
                     plan.close.begin() + static_cast<ptrdiff_t>(to));
      if (last) w.lost = plan.lost;  // after the gateways' sessions
      if (!w.close.empty() || !w.lost.empty()) {
        const host::SweepDone done = store.sweep().close_sessions(w, now);
        for (const host::SessionClose& c : done.closed)
          ++(c.cause == gatemeter_StopCause_STOP_LOST_CARRIER ? lost : swept);
        gateways += done.gateways_lost;
      }
      if (last) break;
    }
    stats.sessions_swept += swept;
    stats.lost_carrier += lost;
    stats.commands_end_session += swept + lost;
    stats.gateways_lost += gateways;
    if (swept + lost + gateways != 0)
      std::fprintf(stderr,
                   "billing: sweep closed %zu stale session(s), %zu as lost carrier; %zu "
                   "gateway(s) lost\n",
                   swept, lost, gateways);
  }

  // Every round: live prepaid sessions whose account fell to its threshold are warned, once
  // per crossing (low_balance.h).
  void warn_low_balances(Store& store) {
    const auto candidates = store.sweep().low_balance_candidates(settings.low_balance_micros);
    if (candidates.empty()) return;
    const host::LowBalanceWrite w = billing::plan_low_balance(candidates, settings.low_balance_micros);
    if (w.warn.empty() && w.rearm.empty()) return;
    stats.low_balance_sent += store.sweep().warn_low_balance(w, now_unix()).warned;
  }
};

BillingServer::BillingServer(std::string store, const CredentialVault& vault,
                             BillingSettings settings)
    : store_spec_(std::move(store)), vault_(vault), settings_(std::move(settings)) {}

BillingServer::~BillingServer() {
  stop();
}

size_t BillingServer::logins_held() const {
  return impl_ && impl_->registry ? impl_->registry->size() : 0;
}

void BillingServer::start() {
  impl_ = std::make_unique<Impl>(*this);
  Impl& m = *impl_;
  // Its own registry, so its own replay windows: a frame the census saw is new here.
  m.registry = std::make_unique<LoginRegistry>(store_spec_, vault_);
  // One connection opened now, so a store that cannot be opened fails the start, not a request.
  const bool one_writer = open_store(store_spec_)->serialised_writers();
  bind_udp(m.socket, "billing_listen", settings_.listen_ip, settings_.port, receive_buffer_bytes);
  port_ = m.socket.local_endpoint().port();

  // From the end of the line to its start.
  m.started = std::chrono::steady_clock::now();
  if (settings_.settlement_refusals) {
    m.refused = std::make_unique<RefusedRealms>(store_spec_, settings_.refusal_refresh_s);
    m.refused->start();
  }
  m.feed = std::make_unique<billing::FeedDelivery>(store_spec_, settings_.feed, stats_.feed);
  m.feed->start();
  if (!settings_.api_ip.empty()) {
    m.api = std::make_unique<billing::BillingApiServer>(store_spec_, settings_.api_ip,
                                                        settings_.api_port);
    m.api->start();
    api_port_ = m.api->port();
  }
  m.follower = std::thread([&m] { m.follow_loop(); });
  const unsigned deciders =
      settings_.decision_threads != 0 ? settings_.decision_threads : (one_writer ? 1u : 2u);
  for (unsigned i = 0; i < deciders; ++i)
    m.deciders.emplace_back([&m] { m.decide_loop(); });
  asio::co_spawn(m.io, m.receive(), asio::detached);
  m.io_thread = std::thread([&m] { m.io.run(); });
}

void BillingServer::stop() {
  if (!impl_ || !impl_->io_thread.joinable()) return;
  Impl& m = *impl_;
  // 1. Nothing more is received.
  stop_receiving(m.io, m.socket);
  // 2. What was taken is decided and its answers handed to the io thread.
  {
    std::lock_guard lock(m.queue_mutex);
    m.deciders_stopping = true;
  }
  m.queue_ready.notify_all();
  for (auto& t : m.deciders) t.join();
  m.deciders.clear();
  {
    std::lock_guard lock(m.follow_mutex);
    m.follow_stopping = true;
  }
  m.follow_wake.notify_all();
  if (m.follower.joinable()) m.follower.join();
  m.feed->stop();
  if (m.api) m.api->stop();
  if (m.refused) m.refused->stop();
  // 3. The answers go out (posted before this), then the io thread ends.
  end_io(m.io, m.io_thread);
}

}  // namespace gm::host
