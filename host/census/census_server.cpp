#include "host/census/census_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "shared/frame/frame_codec.h"
#include "shared/proto/wire_limits.h"

namespace gm::host {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

const char* census_refusal_name(size_t reason) {
  if (reason < static_cast<size_t>(frame::Refusal::count_))
    return frame::refusal_name(static_cast<frame::Refusal>(reason));
  switch (static_cast<CensusRefusal>(reason)) {
    case CensusRefusal::invalid_record: return "invalid_record";
    case CensusRefusal::store_failed: return "store_failed";
    case CensusRefusal::login_closed: return "login_closed";
    case CensusRefusal::already_committed: return "already_committed";
    case CensusRefusal::count_: break;
  }
  return "invalid";
}

namespace {

constexpr unsigned batch_datagrams = 64;  // per recvmmsg call
constexpr unsigned drain_rounds = 8;      // recvmmsg calls before handing over to the committer
using wire::max_ack_commands;
using wire::max_ack_records;

// An acknowledgement owed once the records it names are committed.
struct PendingAck {
  int fd = -1;
  sockaddr_in to{};
  std::shared_ptr<LoginEntry> login;
  uint32_t seq = 0;
  pb_size_t count = 0;
  gatemeter_RecordAck records[max_ack_records];
};

// What one commit applies (commit.datagrams[i] is answered by acks[i] if accepted).
struct Work {
  CensusCommit commit;
  std::vector<PendingAck> acks;
  void clear() {
    commit.clear();
    acks.clear();
  }
  bool empty() const { return acks.empty(); }
};

using SteadyTime = std::chrono::steady_clock::time_point;

}  // namespace

struct CensusServer::Impl {
  struct Worker {
    asio::io_context io{1};
    asio::ip::udp::socket socket{io};
    std::thread thread;
    // Fixed receive buffers: one frame each, plus a byte to see that a datagram was larger.
    std::vector<std::array<uint8_t, frame::max_frame_size + 1>> buffers{batch_datagrams};
    std::array<mmsghdr, batch_datagrams> headers{};
    std::array<iovec, batch_datagrams> iov{};
    std::array<sockaddr_in, batch_datagrams> from{};
    gatemeter_MeteringBatch batch = gatemeter_MeteringBatch_init_zero;
    Work staged;
  };

  std::string store_spec;
  CensusSettings settings;
  CensusStats& stats;
  LoginRegistry& registry;
  std::vector<std::unique_ptr<Worker>> workers;

  std::mutex queue_mutex;
  std::condition_variable work_ready, space_ready;
  Work queue;
  bool stopping = false;
  std::thread committer, acker;

  // Committed acks wait here for the acker, which seals and sends them while the committer
  // already applies the next batch.
  struct AckJob {
    int fd = -1;
    sockaddr_in to{};
    std::shared_ptr<LoginEntry> login;
    gatemeter_Ack ack = gatemeter_Ack_init_zero;
  };
  std::mutex ack_mutex;
  std::condition_variable ack_ready;
  std::vector<AckJob> ack_queue;
  bool ack_stopping = false;

  Impl(std::string path, CensusSettings s, CensusStats& st, LoginRegistry& r)
      : store_spec(std::move(path)), settings(std::move(s)), stats(st), registry(r) {}

  void refuse(size_t reason, const sockaddr_in& from) {
    const uint64_t n = ++stats.refused[reason];
    // 1, 10, 100, ...: every reason shows in the log without a flood turning into one.
    for (uint64_t p = 1; p <= n; p *= 10)
      if (p == n) {
        char ip[INET_ADDRSTRLEN] = "?";
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
        std::fprintf(stderr, "census: refused %llu datagram(s) (%s), latest from %s:%u\n",
                     static_cast<unsigned long long>(n), census_refusal_name(reason), ip,
                     ntohs(from.sin_port));
        break;
      }
  }

  // Step 2: everything that needs no store write. Fills w.staged.
  void verify(Worker& w, const uint8_t* data, size_t len, const sockaddr_in& from) {
    ++stats.datagrams;
    frame::Header h;
    frame::Refusal r = frame::peek(data, len, h);
    if (r != frame::Refusal::none) return refuse(static_cast<size_t>(r), from);
    std::shared_ptr<LoginEntry> login = registry.find(h.login_session);
    if (!login) return refuse(static_cast<size_t>(frame::Refusal::unknown_session), from);
    w.batch = gatemeter_MeteringBatch_init_zero;
    {
      std::lock_guard lock(login->window_mutex);
      r = frame::open(data, len, h, login->key, login->window, frame::FrameKind::metering_batch,
                      &w.batch);
    }
    if (r != frame::Refusal::none) return refuse(static_cast<size_t>(r), from);

    const auto index = static_cast<uint32_t>(w.staged.acks.size());
    PendingAck& ack = w.staged.acks.emplace_back();
    ack.fd = w.socket.native_handle();
    ack.to = from;
    ack.seq = h.seq;
    w.staged.commit.datagrams.push_back({login->agent, login->id, h.seq});
    for (pb_size_t i = 0; i < w.batch.records_count; ++i) {
      VerifiedRecord v;
      if (!from_wire(w.batch.records[i], v.record)) {
        refuse(static_cast<size_t>(CensusRefusal::invalid_record), from);
        continue;
      }
      v.agent = login->agent;
      v.login_session = login->id;
      v.datagram = index;
      ack.records[ack.count++] = {v.record.session_id, v.record.seq};
      w.staged.commit.records.push_back(v);
    }
    // An id that is not a command of this agent matches nothing in the store.
    for (pb_size_t i = 0; i < w.batch.confirmed_commands_count; ++i)
      w.staged.commit.confirmations.push_back(
          {index, static_cast<int64_t>(w.batch.confirmed_commands[i])});
    ack.login = std::move(login);
    ++stats.datagrams_accepted;
  }

  // Steps 1 and 2, then the hand-over to the committer (steps 3-5).
  awaitable<void> receive(Worker& w) {
    const int fd = w.socket.native_handle();
    for (;;) {
      co_await w.socket.async_wait(asio::ip::udp::socket::wait_read, use_awaitable);
      for (unsigned round = 0; round < drain_rounds; ++round) {
        for (unsigned i = 0; i < batch_datagrams; ++i) {
          w.iov[i] = {w.buffers[i].data(), w.buffers[i].size()};
          w.headers[i] = {};
          w.headers[i].msg_hdr.msg_iov = &w.iov[i];
          w.headers[i].msg_hdr.msg_iovlen = 1;
          w.headers[i].msg_hdr.msg_name = &w.from[i];
          w.headers[i].msg_hdr.msg_namelen = sizeof w.from[i];
        }
        const int n = ::recvmmsg(fd, w.headers.data(), batch_datagrams, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;
        for (int i = 0; i < n; ++i) verify(w, w.buffers[i].data(), w.headers[i].msg_len, w.from[i]);
        if (static_cast<unsigned>(n) < batch_datagrams) break;
      }
      if (w.staged.empty()) continue;
      std::unique_lock lock(queue_mutex);
      // Bounded: wait for the committer rather than queue without limit. Meanwhile the
      // kernel's receive buffer holds (or drops) datagrams; agents resend what is not acked.
      space_ready.wait(lock, [&] {
        return stopping || queue.commit.records.empty() ||
               queue.commit.records.size() + w.staged.commit.records.size() <=
                   settings.max_queued_records;
      });
      if (stopping) co_return;
      // Datagram indexes move up past what the other threads queued.
      const auto base = static_cast<uint32_t>(queue.acks.size());
      for (VerifiedRecord& v : w.staged.commit.records) v.datagram += base;
      for (CommandConfirmation& c : w.staged.commit.confirmations) c.datagram += base;
      CensusCommit& q = queue.commit;
      q.datagrams.insert(q.datagrams.end(), w.staged.commit.datagrams.begin(),
                         w.staged.commit.datagrams.end());
      q.records.insert(q.records.end(), w.staged.commit.records.begin(),
                       w.staged.commit.records.end());
      q.confirmations.insert(q.confirmations.end(), w.staged.commit.confirmations.begin(),
                             w.staged.commit.confirmations.end());
      queue.acks.insert(queue.acks.end(), std::make_move_iterator(w.staged.acks.begin()),
                        std::make_move_iterator(w.staged.acks.end()));
      w.staged.clear();
      stats.queued_records = q.records.size();
      lock.unlock();
      work_ready.notify_one();
    }
  }

  // Steps 3-5, on one thread with its own store connection.
  void commit_loop() {
    std::unique_ptr<Store> store;
    try {
      store = open_store(store_spec, {.busy_writer = true});
    } catch (const StoreError& e) {
      std::fprintf(stderr, "census: committer cannot open the store: %s\n", e.what());
    }
    Work work;
    std::array<uint64_t, census_refusal_reasons> flushed{};
    // Each agent's unconfirmed commands in id order, as last read from the store (and less
    // what this node has seen confirmed since), and when this node last put each into an ack.
    std::map<int64_t, std::vector<PendingCommand>> commands;
    std::unordered_map<int64_t, SteadyTime> last_sent;
    auto next_command_poll = std::chrono::steady_clock::now();

    for (;;) {
      bool last = false;
      {
        std::unique_lock lock(queue_mutex);
        work_ready.wait_for(lock, std::chrono::milliseconds(settings.command_poll_ms),
                            [&] { return stopping || !queue.empty(); });
        std::swap(work, queue);
        stats.queued_records = 0;
        last = stopping;
      }
      space_ready.notify_all();

      std::vector<RefusalCount>& refusals = work.commit.refusals;
      std::array<uint64_t, census_refusal_reasons> now_counts{};
      for (size_t i = 0; i < census_refusal_reasons; ++i) {
        now_counts[i] = stats.refused[i].load();
        if (now_counts[i] > flushed[i])
          refusals.push_back({census_refusal_name(i), now_counts[i] - flushed[i]});
      }

      if (!work.empty() || !refusals.empty()) {
        try {
          if (!store) throw StoreError("store not open");
          // In key order the upserts walk the session B-tree front to back, touching each
          // page once; the order of a session's own records does not matter (newest wins).
          std::sort(work.commit.records.begin(), work.commit.records.end(),
                    [](const VerifiedRecord& a, const VerifiedRecord& b) {
                      return a.agent != b.agent ? a.agent < b.agent
                                                : static_cast<int64_t>(a.record.session_id) <
                                                      static_cast<int64_t>(b.record.session_id);
                    });
          // Refuses, in the store, every datagram at or below the highest seq committed for
          // its login session (replays after a restart, or through another node); applies the
          // rest with their confirmations.
          const auto began = std::chrono::steady_clock::now();
          store->commit_datagrams(work.commit, std::time(nullptr));
          stats.observe_commit(std::chrono::steady_clock::now() - began);
          // Committed and fsynced (synchronous=FULL): from here the acks may go out.
          flushed = now_counts;
          ++stats.commits;
          for (size_t k = 0; k < work.acks.size(); ++k) {
            switch (work.commit.datagrams[k].verdict) {
              case DatagramVerdict::accepted:
                stats.records_committed += work.acks[k].count;
                break;
              case DatagramVerdict::login_closed:
                refuse(static_cast<size_t>(CensusRefusal::login_closed), work.acks[k].to);
                break;
              default:
                refuse(static_cast<size_t>(CensusRefusal::already_committed), work.acks[k].to);
            }
          }
          // Confirmed commands are delivered now: never resend them from this node.
          for (const CommandConfirmation& c : work.commit.confirmations) {
            const VerifiedDatagram& d = work.commit.datagrams[c.datagram];
            if (!d.accepted()) continue;
            ++stats.confirmations;
            auto it = commands.find(d.agent);
            if (it != commands.end() && std::erase_if(it->second, [&](const PendingCommand& p) {
                  return p.id == c.command;
                }))
              last_sent.erase(c.command);
          }
        } catch (const StoreError& e) {
          std::fprintf(stderr, "census: commit failed, %zu datagrams not acknowledged: %s\n",
                       work.acks.size(), e.what());
          stats.refused[static_cast<size_t>(CensusRefusal::store_failed)] += work.acks.size();
          work.clear();
          if (last) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
      }

      if (store && std::chrono::steady_clock::now() >= next_command_poll) {
        next_command_poll = std::chrono::steady_clock::now() +
                            std::chrono::milliseconds(settings.command_poll_ms);
        // Closed logins leave the registry (their datagrams are refused at commit already).
        registry.poll();
        try {
          commands.clear();
          std::unordered_map<int64_t, SteadyTime> still_pending;
          for (PendingCommand& c : store->pending_commands(1024)) {
            if (auto it = last_sent.find(c.id); it != last_sent.end()) still_pending.insert(*it);
            commands[c.agent].push_back(c);
          }
          last_sent.swap(still_pending);
        } catch (const StoreError& e) {
          std::fprintf(stderr, "census: cannot read pending commands: %s\n", e.what());
        }
      }

      send_acks(work, commands, last_sent);
      work.clear();
      if (last) return;
    }
  }

  // Attaches pending commands to the acks of accepted datagrams and hands them to the acker
  // (step 5). A refused datagram (replayed) is not answered at all.
  //
  // The resend rule: a command stays pending until its agent confirms it (commit_datagrams
  // marks it delivered). An ack to the agent carries the agent's first max_ack_commands pending
  // commands, in id order, when any of them has not been sent by this node for
  // command_resend_ms (or ever); the other acks of a burst carry none. So each command goes out
  // at most once per resend interval per node, and always with every older unconfirmed one
  // before it, which keeps the agent applying them in the order they were queued.
  void send_acks(Work& work, std::map<int64_t, std::vector<PendingCommand>>& commands,
                 std::unordered_map<int64_t, SteadyTime>& last_sent) {
    if (work.acks.empty()) return;
    const SteadyTime now = std::chrono::steady_clock::now();
    const auto resend_after = std::chrono::milliseconds(settings.command_resend_ms);
    std::vector<AckJob> jobs;
    jobs.reserve(work.acks.size());
    for (size_t k = 0; k < work.acks.size(); ++k) {
      if (!work.commit.datagrams[k].accepted()) continue;
      PendingAck& p = work.acks[k];
      AckJob& j = jobs.emplace_back();
      j.fd = p.fd;
      j.to = p.to;
      j.login = std::move(p.login);
      j.ack.datagram_seq = p.seq;
      j.ack.records_count = p.count;
      std::memcpy(j.ack.records, p.records, sizeof(gatemeter_RecordAck) * p.count);
      auto it = commands.find(j.login->agent);
      if (it == commands.end()) continue;
      const std::vector<PendingCommand>& pending = it->second;
      const size_t n = std::min(pending.size(), max_ack_commands);
      bool due = false;
      for (size_t i = 0; i < n && !due; ++i) {
        const auto sent = last_sent.find(pending[i].id);
        due = sent == last_sent.end() || now - sent->second >= resend_after;
      }
      if (!due) continue;
      for (size_t i = 0; i < n; ++i) {
        j.ack.commands[j.ack.commands_count++] = pending[i].command;
        last_sent[pending[i].id] = now;
      }
      stats.commands_sent += n;
    }
    if (jobs.empty()) return;
    {
      std::lock_guard lock(ack_mutex);
      ack_queue.insert(ack_queue.end(), std::make_move_iterator(jobs.begin()),
                       std::make_move_iterator(jobs.end()));
    }
    ack_ready.notify_one();
  }

  // Seals and sends acks, 64 per sendmmsg per socket.
  void ack_loop() {
    constexpr size_t chunk = 64;
    std::vector<std::array<uint8_t, frame::max_frame_size>> frames(chunk);
    std::array<mmsghdr, chunk> headers{};
    std::array<iovec, chunk> iov{};
    std::vector<AckJob> jobs;
    for (;;) {
      {
        std::unique_lock lock(ack_mutex);
        ack_ready.wait(lock, [&] { return ack_stopping || !ack_queue.empty(); });
        if (ack_queue.empty() && ack_stopping) return;
        std::swap(jobs, ack_queue);
      }
      size_t n = 0;
      int fd = -1;
      auto flush = [&] {
        for (size_t done = 0; done < n;) {
          const int sent_now =
              ::sendmmsg(fd, headers.data() + done, static_cast<unsigned>(n - done), 0);
          if (sent_now <= 0) break;  // a full socket buffer: those agents resend and get acked then
          done += static_cast<size_t>(sent_now);
          stats.acks_sent += static_cast<uint64_t>(sent_now);
        }
        n = 0;
      };
      for (AckJob& j : jobs) {
        if (j.fd != fd || n == chunk) {
          if (n > 0) flush();
          fd = j.fd;
        }
        // The ack's frame sequence is the acknowledged datagram's: unique per login session
        // while the agent's sequence rises, and still rising after a census restart, so the
        // agent's replay window accepts acks from any census node without shared state.
        const size_t len = frame::seal({frame::FrameKind::ack, j.login->id, j.ack.datagram_seq},
                                       &j.ack, j.login->key, frames[n].data(), frames[n].size());
        if (len == 0) continue;
        iov[n] = {frames[n].data(), len};
        headers[n] = {};
        headers[n].msg_hdr.msg_iov = &iov[n];
        headers[n].msg_hdr.msg_iovlen = 1;
        headers[n].msg_hdr.msg_name = &j.to;
        headers[n].msg_hdr.msg_namelen = sizeof j.to;
        ++n;
      }
      if (n > 0) flush();
      jobs.clear();
    }
  }
};

CensusServer::CensusServer(std::string store, const CredentialVault& vault,
                           CensusSettings settings)
    : registry_(std::make_unique<LoginRegistry>(store, vault)) {
  impl_ = std::make_unique<Impl>(std::move(store), std::move(settings), stats_, *registry_);
}

CensusServer::~CensusServer() { stop(); }

void CensusServer::start() {
  Impl& m = *impl_;
  unsigned threads = m.settings.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, m.settings.listen_ip.c_str(), &addr.sin_addr) != 1)
    throw std::runtime_error("census_listen: '" + m.settings.listen_ip +
                             "' is not an IPv4 address");
  addr.sin_port = htons(m.settings.port);
  for (unsigned i = 0; i < threads; ++i) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int one = 1;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      throw std::runtime_error("census: cannot create a UDP socket: " +
                               std::string(std::strerror(errno)));
    // A burst from many agents must fit while the committer holds the workers back.
    // SO_RCVBUFFORCE passes net.core.rmem_max when the server may (CAP_NET_ADMIN); otherwise
    // SO_RCVBUF gets what the system allows.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &m.settings.receive_buffer_bytes,
                     sizeof m.settings.receive_buffer_bytes) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m.settings.receive_buffer_bytes,
                   sizeof m.settings.receive_buffer_bytes);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("census_listen: cannot bind " + m.settings.listen_ip + ":" +
                               std::to_string(ntohs(addr.sin_port)) + ": " + why);
    }
    if (i == 0) {  // port 0: the others join whatever port the first one got
      socklen_t len = sizeof addr;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
      port_ = ntohs(addr.sin_port);
    }
    auto w = std::make_unique<Impl::Worker>();
    w->socket.assign(asio::ip::udp::v4(), fd);
    m.workers.push_back(std::move(w));
  }
  m.acker = std::thread([&m] { m.ack_loop(); });
  m.committer = std::thread([&m] { m.commit_loop(); });
  for (auto& w : m.workers) {
    Impl::Worker& wr = *w;
    asio::co_spawn(wr.io, m.receive(wr), asio::detached);
    wr.thread = std::thread([&wr] { wr.io.run(); });
  }
}

void CensusServer::stop() {
  if (!impl_) return;
  Impl& m = *impl_;
  for (auto& w : m.workers) w->io.stop();
  {
    std::lock_guard lock(m.queue_mutex);
    m.stopping = true;
  }
  m.space_ready.notify_all();
  m.work_ready.notify_all();
  for (auto& w : m.workers)
    if (w->thread.joinable()) w->thread.join();
  if (m.committer.joinable()) m.committer.join();  // its last acks are queued by now
  {
    std::lock_guard lock(m.ack_mutex);
    m.ack_stopping = true;
  }
  m.ack_ready.notify_all();
  if (m.acker.joinable()) m.acker.join();
  m.workers.clear();
}

}  // namespace gm::host
