#include "host/radius/radius_server.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <arpa/inet.h>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gatemeter.pb.h"
#include "host/billing/catalog_cache.h"
#include "host/billing/commit_rating.h"
#include "host/census/udp_io.h"
#include "host/settlement/raw_from_radius.h"
#include "host/store/store.h"

namespace gm::host {

namespace asio = boost::asio;
using asio::use_awaitable;
using asio::ip::udp;

namespace {

int64_t now_unix() { return static_cast<int64_t>(std::time(nullptr)); }

// RFC 5080 section 2.2.2: the same client address and port, Identifier and Request
// Authenticator is the same request. Fixed-size, so the cache allocates nothing per key.
struct RequestKey {
  uint32_t address = 0;
  uint16_t port = 0;
  uint8_t identifier = 0;
  radius::Authenticator authenticator{};
  bool operator==(const RequestKey&) const = default;
};
struct RequestKeyHash {
  size_t operator()(const RequestKey& k) const {
    // The authenticator is an MD5 over the request: its first octets are hash enough.
    uint64_t h;
    std::memcpy(&h, k.authenticator.data(), sizeof h);
    return static_cast<size_t>(h ^ (static_cast<uint64_t>(k.address) << 24) ^
                               (static_cast<uint64_t>(k.port) << 8) ^ k.identifier);
  }
};

RequestKey key_of(const udp::endpoint& from, const radius::Packet& p) {
  return {from.address().to_v4().to_uint(), from.port(), p.identifier, p.authenticator};
}

// A verified request on its way to the committer.
struct Taken {
  udp::endpoint from;
  const radius::RadiusClient* client = nullptr;
  uint8_t identifier = 0;
  radius::Authenticator authenticator{};
  radius::AccountingRecord record;
  RequestKey key;  // its duplicate-cache key
  std::vector<uint8_t> packet;  // routing server: the request as received, for the queue
};

// How long an answer stays in the duplicate cache: longer than a NAS's retries of one request
// (radclient's default is 3 tries 5 s apart), and at most so many answers (about 80 MB), the
// oldest forgotten first under a load that would hold more. Forgetting one early is safe: its
// request applied again changes nothing (newest wins), it only costs a commit.
constexpr auto duplicate_window = std::chrono::seconds(30);
constexpr size_t duplicate_capacity = 1'000'000;
constexpr size_t max_batch = 16384;

}  // namespace

struct RadiusServer::Impl {
  RadiusServer& owner;
  RadiusSettings& settings;
  RadiusStats& stats;

  asio::io_context io{1};
  udp::socket socket{io};
  std::thread io_thread;

  // Step 3's cache, the io thread's alone: a request's answer once committed, or none while it
  // is on its way (a resend meanwhile is dropped: the answer will go out).
  struct Seen {
    bool answered = false;
    radius::Authenticator answer{};  // the response's authenticator: the rest follows from the key
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<RequestKey, Seen, RequestKeyHash> seen;
  std::deque<std::pair<std::chrono::steady_clock::time_point, RequestKey>> seen_order;

  std::mutex queue_mutex;
  std::condition_variable queue_ready;
  std::deque<Taken> queue;
  bool stopping = false;
  std::thread committer;

  explicit Impl(RadiusServer& o) : owner(o), settings(o.settings_), stats(o.stats_) {}
  bool forwarding() const { return !settings.forward_ip.empty(); }

  // ---- steps 1-3: the io thread ----

  asio::awaitable<void> receive() {
    std::array<uint8_t, radius::max_packet_size> buffer;
    udp::endpoint from;
    for (;;) {
      boost::system::error_code ec;
      const size_t n = co_await socket.async_receive_from(asio::buffer(buffer), from,
                                                          asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      ++stats.requests;
      forget_old();
      radius::Packet p;
      radius::Refusal r = radius::parse(buffer.data(), n, p);
      const radius::RadiusClient* client =
          r == radius::Refusal::none ? settings.clients.find(from.address().to_v4().to_uint())
                                     : nullptr;
      if (r == radius::Refusal::none && client == nullptr) r = radius::Refusal::unknown_client;
      if (r == radius::Refusal::none && p.code != radius::Code::accounting_request)
        r = radius::Refusal::not_accounting;
      if (r == radius::Refusal::none && !radius::request_authentic(p, client->secret))
        r = radius::Refusal::bad_authenticator;
      if (r != radius::Refusal::none) {
        ++stats.refused[static_cast<size_t>(r)];
        continue;
      }
      const RequestKey key = key_of(from, p);
      if (const auto it = seen.find(key); it != seen.end()) {
        if (!it->second.answered) {
          ++stats.duplicates_dropped;  // its commit is under way; its answer will go out
        } else {
          ++stats.duplicates_answered;
          const auto answer = response(key.identifier, it->second.answer);
          boost::system::error_code ignored;
          socket.send_to(asio::buffer(answer), from, 0, ignored);
        }
        continue;
      }
      Taken t;
      const radius::AccountingRefusal a = radius::read_accounting(p, now_unix(), t.record);
      if (a != radius::AccountingRefusal::none) {
        ++stats.unusable[static_cast<size_t>(a)];
        continue;
      }
      if (forwarding()) {
        // Only what the central server takes is queued, or the queue would hold it for ever.
        const radius::UsageRefusal u = radius::usable(t.record, client->realm);
        if (u != radius::UsageRefusal::none) {
          ++stats.not_stored[static_cast<size_t>(u)];
          continue;
        }
        t.packet.assign(buffer.data(), buffer.data() + p.length);
      }
      t.from = from;
      t.client = client;
      t.identifier = p.identifier;
      t.authenticator = p.authenticator;
      t.key = key;
      if (!hand_over(std::move(t))) {
        ++stats.overloaded;  // not answered: the NAS resends
        continue;
      }
      const auto now = std::chrono::steady_clock::now();
      seen[key] = Seen{false, {}, now};
      seen_order.emplace_back(now, key);
    }
  }

  void forget_old() {
    const auto now = std::chrono::steady_clock::now();
    while (!seen_order.empty() && (now - seen_order.front().first > duplicate_window ||
                                   seen_order.size() > duplicate_capacity)) {
      const auto it = seen.find(seen_order.front().second);
      if (it != seen.end() && it->second.at == seen_order.front().first) seen.erase(it);
      seen_order.pop_front();
    }
  }

  static std::array<uint8_t, radius::header_size> response(uint8_t identifier,
                                                           const radius::Authenticator& a) {
    std::array<uint8_t, radius::header_size> out{
        static_cast<uint8_t>(radius::Code::accounting_response), identifier, 0,
        radius::header_size};
    std::memcpy(out.data() + 4, a.data(), a.size());
    return out;
  }

  bool hand_over(Taken&& t) {
    {
      std::lock_guard lock(queue_mutex);
      if (stopping || queue.size() >= settings.max_queued) return false;
      queue.push_back(std::move(t));
    }
    queue_ready.notify_one();
    return true;
  }

  // Step 5's sending half, on the io thread: answers sent and cached; requests not committed
  // forgotten, so their resends are taken afresh.
  struct Outcome {
    std::vector<std::pair<Taken, std::array<uint8_t, radius::header_size>>> answered;
    std::vector<RequestKey> failed;
  };
  void finish(Outcome&& o) {
    asio::post(io, [this, o = std::move(o)]() mutable {
      send_all(o.answered);
      for (auto& [t, answer] : o.answered) {
        const auto it = seen.find(t.key);
        if (it != seen.end()) {
          it->second.answered = true;
          std::memcpy(it->second.answer.data(), answer.data() + 4, it->second.answer.size());
        }
      }
      for (const RequestKey& key : o.failed) seen.erase(key);
    });
  }

  // One sendmmsg per 1,024 answers. A full socket buffer drops the rest: their NASes resend
  // and are answered from the cache.
  void send_all(std::vector<std::pair<Taken, std::array<uint8_t, radius::header_size>>>& answers) {
    constexpr size_t chunk = 1024;
    std::vector<mmsghdr> msgs(std::min(answers.size(), chunk));
    std::vector<iovec> iov(msgs.size());
    for (size_t at = 0; at < answers.size(); at += chunk) {
      const size_t n = std::min(chunk, answers.size() - at);
      for (size_t i = 0; i < n; ++i) {
        auto& [t, answer] = answers[at + i];
        iov[i] = {answer.data(), answer.size()};
        msgs[i] = {};
        msgs[i].msg_hdr.msg_name = t.from.data();
        msgs[i].msg_hdr.msg_namelen = static_cast<socklen_t>(t.from.size());
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      const int sent = ::sendmmsg(socket.native_handle(), msgs.data(), static_cast<unsigned>(n), 0);
      if (sent > 0) stats.answered += static_cast<uint64_t>(sent);
    }
  }

  // ---- step 4: the committer ----

  std::unique_ptr<Store> store;
  std::unique_ptr<billing::CatalogCache> catalog;
  std::unique_ptr<billing::CatalogRater> rater;
  std::optional<billing::TimeZone> settlement_zone;  // set when settlement keeps raw records
  std::chrono::steady_clock::time_point next_refresh{};
  std::map<std::string, int64_t> nas_agents;
  // (agent, Acct-Session-Id, start) already named: a session's later records need no lookup.
  std::map<std::tuple<int64_t, std::string, int64_t>, uint64_t> named;

  void commit_loop() {
    std::vector<Taken> batch;
    for (;;) {
      batch.clear();
      {
        std::unique_lock lock(queue_mutex);
        queue_ready.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        while (!queue.empty() && batch.size() < max_batch) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        }
      }
      Outcome out;
      try {
        if (!store) open();
        commit(batch, out);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "radius: %zu requests not answered (their NAS resends): %s\n",
                     batch.size(), e.what());
        stats.store_failed += batch.size();
        out.answered.clear();
        out.failed.clear();
        for (Taken& t : batch) out.failed.push_back(t.key);
        store.reset();
        nas_agents.clear();
        named.clear();
      }
      finish(std::move(out));
    }
  }

  void open() {
    store = open_store(owner.store_, {.busy_writer = true});
    if (settings.settlement && !settlement_zone)
      settlement_zone = billing::TimeZone::load(settings.settlement_time_zone);
    if (settings.rating && !forwarding()) {
      catalog = std::make_unique<billing::CatalogCache>();
      rater = std::make_unique<billing::CatalogRater>(*catalog);
      catalog->refresh(*store);
    }
  }

  int64_t agent_of(const std::string& nas) {
    auto it = nas_agents.find(nas);
    if (it == nas_agents.end())
      it = nas_agents.emplace(nas, store->radius().nas_agent(nas, now_unix())).first;
    return it->second;
  }

  // In arrival order, split at each Accounting-On / -Off so that what a NAS said before its
  // reboot is committed before its sessions end, and what it said after, after.
  void commit(std::vector<Taken>& batch, Outcome& out) {
    if (forwarding()) {
      enqueue(batch, out);
      return;
    }
    std::vector<size_t> part;
    for (size_t i = 0; i < batch.size(); ++i) {
      const radius::Status s = batch[i].record.status;
      if (s != radius::Status::accounting_on && s != radius::Status::accounting_off) {
        part.push_back(i);
        continue;
      }
      commit_records(batch, part, out);
      part.clear();
      const int64_t agent = agent_of(batch[i].record.nas());
      stats.sessions_ended +=
          store->radius().end_nas_sessions(agent, gatemeter_StopCause_STOP_AGENT_RESTART, now_unix());
      ++stats.nas_reboots;
      answer(batch[i], out);
    }
    commit_records(batch, part, out);
  }

  // Routing server: the batch appended to the queue in one transaction, then answered.
  void enqueue(std::vector<Taken>& batch, Outcome& out) {
    std::vector<std::vector<uint8_t>> packets;
    for (const Taken& t : batch) packets.push_back(with_operator_name(t.packet, t.client->realm));
    store->radius().enqueue(packets, now_unix());
    stats.queued += packets.size();
    ++stats.commits;
    for (Taken& t : batch) answer(t, out);
    if (owner.forwarder_) owner.forwarder_->wake();
  }

  // The central settlement server (`settlement`): each committed request as a raw record, in a
  // transaction of its own after the usage's and before the answers. A crash between the two
  // leaves the NAS unanswered: its resend changes no usage (newest wins) and writes the raw
  // record then; a crash after both, a raw record twice, which cleaning takes as the retry it
  // is (host/settlement/cleaning.h).
  void keep_for_settlement(const std::vector<Taken>& batch, const std::vector<size_t>& committed) {
    std::vector<settlement::RawRecord> raw;
    raw.reserve(committed.size());
    for (size_t i : committed) {
      const Taken& t = batch[i];
      const std::string& op = t.record.operator_name;
      // Operator-Name's namespace '1' is a realm; without one, the client's own realm, else its
      // address.
      const std::string local = !op.empty() && op[0] == '1' ? op.substr(1)
                                : !t.client->realm.empty() ? t.client->realm
                                                           : t.from.address().to_string();
      raw.push_back(settlement::raw_from_accounting(t.record, local, *settlement_zone, now_unix()));
    }
    store->settlement().append_raw(raw, now_unix());
    stats.settlement_records += raw.size();
  }

  void answer(Taken& t, Outcome& out) {
    std::array<uint8_t, radius::header_size> bytes;
    radius::accounting_response(t.identifier, t.authenticator, t.client->secret, bytes.data(),
                                bytes.size());
    out.answered.emplace_back(std::move(t), bytes);
  }

  void commit_records(std::vector<Taken>& batch, const std::vector<size_t>& part, Outcome& out) {
    if (part.empty()) return;
    // Each session's name: from this node's memory, else one transaction for all the new ones.
    std::vector<RadiusSessionKey> keys;
    std::vector<size_t> asking;
    std::vector<uint64_t> session(part.size(), 0);
    std::vector<int64_t> agent(part.size(), 0);
    for (size_t j = 0; j < part.size(); ++j) {
      const radius::AccountingRecord& r = batch[part[j]].record;
      agent[j] = agent_of(r.nas());
      const auto it = named.find({agent[j], r.session_id, r.start_unix});
      if (it != named.end()) {
        session[j] = it->second;
      } else {
        keys.push_back({agent[j], r.session_id, r.start_unix,
                        r.user_name.empty() ? "" : radius::subscriber_of(r, batch[part[j]].client->realm)});
        asking.push_back(j);
      }
    }
    if (!keys.empty()) {
      const std::vector<uint64_t> ids =
          store->radius().sessions_of(keys, settings.start_tolerance_s, now_unix());
      if (named.size() > 1'000'000) named.clear();  // bounded; the store remembers
      for (size_t k = 0; k < keys.size(); ++k) {
        session[asking[k]] = ids[k];
        named[{keys[k].agent, keys[k].acct_session_id, keys[k].start_unix}] = ids[k];
      }
    }
    CensusCommit c;
    std::vector<size_t> committed;
    for (size_t j = 0; j < part.size(); ++j) {
      Taken& t = batch[part[j]];
      VerifiedRecord v;
      const radius::UsageRefusal u =
          radius::to_usage(t.record, agent[j], session[j], t.client->realm, v);
      if (u != radius::UsageRefusal::none) {
        ++stats.not_stored[static_cast<size_t>(u)];
        out.failed.push_back(t.key);  // not answered, and a resend is judged again
        continue;
      }
      v.datagram = static_cast<uint32_t>(c.datagrams.size());
      c.datagrams.push_back({agent[j], 0, 0, DatagramVerdict::none});
      c.records.push_back(v);
      committed.push_back(part[j]);
    }
    if (c.records.empty()) return;
    if (rater && std::chrono::steady_clock::now() >= next_refresh) {
      next_refresh = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      catalog->refresh(*store);
    }
    // In key order the commit walks the session B-tree front to back, as the census's does.
    std::sort(c.records.begin(), c.records.end(), [](const VerifiedRecord& a, const VerifiedRecord& b) {
      return a.agent != b.agent ? a.agent < b.agent
                                : static_cast<int64_t>(a.record.session_id) <
                                      static_cast<int64_t>(b.record.session_id);
    });
    CommitDebits debits;
    c.rater = rater.get();
    c.debits = &debits;
    store->commit_records(c, now_unix());
    if (settlement_zone) keep_for_settlement(batch, committed);
    // Committed and durable (usage_ledger.h): from here the answers may go.
    ++stats.commits;
    stats.records_committed += c.records.size();
    for (size_t i : committed) answer(batch[i], out);
  }
};

RadiusServer::RadiusServer(std::string store, RadiusSettings settings)
    : store_(std::move(store)), settings_(std::move(settings)) {}

RadiusServer::~RadiusServer() { stop(); }

void RadiusServer::start() {
  if (!settings_.clients_file.empty())
    settings_.clients = radius::RadiusClients::load(settings_.clients_file);
  if (settings_.clients.size() == 0)
    throw std::runtime_error("radius_clients: no clients: every request would be refused (name "
                             "a file of 'address secret [realm]' lines)");
  if (!settings_.forward_ip.empty()) {
    in_addr a{};
    const radius::RadiusClient* central =
        inet_pton(AF_INET, settings_.forward_ip.c_str(), &a) == 1
            ? settings_.clients.find(ntohl(a.s_addr))
            : nullptr;
    if (central == nullptr)
      throw std::runtime_error("radius_forward: " + settings_.forward_ip +
                               " is not in radius_clients (its line gives the central server's "
                               "shared secret)");
    forwarder_ = std::make_unique<RadiusForwarder>(store_, settings_.listen_ip,
                                                   settings_.forward_ip, settings_.forward_port,
                                                   central->secret, stats_.forward);
  }
  impl_ = std::make_unique<Impl>(*this);
  Impl& m = *impl_;
  m.open();  // a store that cannot be opened fails the start, not a request
  bind_udp(m.socket, "radius_listen", settings_.listen_ip, settings_.port, 8 << 20);
  port_ = m.socket.local_endpoint().port();
  if (forwarder_) forwarder_->start();
  if (settings_.local.on) {
    local_ = std::make_unique<LocalAccess>(store_, settings_.local);
    local_->start();
  }
  if (!settings_.route_via_ip.empty()) {
    in_addr a{};
    const radius::RadiusClient* routing =
        inet_pton(AF_INET, settings_.route_via_ip.c_str(), &a) == 1
            ? settings_.clients.find(ntohl(a.s_addr))
            : nullptr;
    if (routing == nullptr)
      throw std::runtime_error("radius_route_via: " + settings_.route_via_ip +
                               " is not in radius_clients (its line gives the routing server's "
                               "shared secret)");
    settings_.access.route_via_address = ntohl(a.s_addr);
    settings_.access.route_via_port = settings_.route_via_port;
    settings_.access.route_via_secret = routing->secret;
  }
  if (!settings_.access.realms_file.empty() || !settings_.access.realms.empty() || local_ ||
      settings_.access.routing || settings_.access.route_via_address != 0) {
    if (settings_.settlement_refusals) {
      refused_ = std::make_unique<RefusedRealms>(store_, settings_.refusal_refresh_s);
      refused_->start();
    }
    access_ = std::make_unique<AccessProxy>(settings_.access, settings_.clients, local_.get(),
                                            refused_.get());
    access_->start();
  }
  m.committer = std::thread([&m] { m.commit_loop(); });
  asio::co_spawn(m.io, m.receive(), asio::detached);
  m.io_thread = std::thread([&m] { m.io.run(); });
}

void RadiusServer::stop() {
  if (!impl_ || !impl_->io_thread.joinable()) return;
  Impl& m = *impl_;
  // 1. Nothing more is received.
  stop_receiving(m.io, m.socket);
  // 2. What was taken is committed and its answers handed to the io thread.
  {
    std::lock_guard lock(m.queue_mutex);
    m.stopping = true;
  }
  m.queue_ready.notify_all();
  m.committer.join();
  // 3. The answers go out (posted before this), then the io thread ends.
  end_io(m.io, m.io_thread);
  // 4. A routing server's forwarder last: what it has not sent stays queued for the next start.
  if (forwarder_) forwarder_->stop();
  if (access_) access_->stop();
  if (refused_) refused_->stop();
  if (local_) local_->stop();
}

}  // namespace gm::host
