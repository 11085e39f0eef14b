#include "tests/bench/census_load.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <thread>

#include "tests/bench/server_process.h"

namespace gm::bench {

size_t FramePool::bytes() const {
  size_t n = 0;
  for (const auto& c : chunks) n += c.size();
  return n;
}

FramePool seal_frames(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                      const PhaseRecords& phase, size_t count, unsigned threads) {
  threads = std::max(1u, threads);
  FramePool pool;
  pool.chunks.resize(threads);
  pool.data.resize(count);
  pool.length.resize(count);
  std::vector<size_t> offset(count);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      const size_t from = count * t / threads, to = count * (t + 1) / threads;
      std::vector<uint8_t>& out = pool.chunks[t];
      out.reserve((to - from) * (phase.per * 80 + frame::overhead + 16));
      auto batch = std::make_unique<gatemeter_MeteringBatch>();
      std::array<uint8_t, frame::max_frame_size> buf;
      for (size_t i = from; i < to; ++i) {
        *batch = gatemeter_MeteringBatch_init_zero;
        batch->records_count = static_cast<pb_size_t>(phase.per);
        for (uint32_t j = 0; j < phase.per; ++j) {
          const auto rec = phase.record(i, j);
          batch->records[j] = wire_record(rec.session(), rec.seq, gatemeter_RecordKind_RECORD_INTERIM);
        }
        batch->agent_time_unix = 1'790'000'060ull;
        const test::TestAgent& agent = *agents[phase.agent_of(i)];
        const size_t len = frame::seal(
            {frame::FrameKind::metering_batch, agent.login_session(), phase.frame_seq(i)},
            batch.get(), agent.tag_key(), buf.data(), buf.size());
        offset[i] = out.size();
        pool.length[i] = static_cast<uint16_t>(len);
        out.insert(out.end(), buf.begin(), buf.begin() + len);
      }
    });
  for (auto& w : workers) w.join();
  for (unsigned t = 0; t < threads; ++t)
    for (size_t i = count * t / threads; i < count * (t + 1) / threads; ++i)
      pool.data[i] = pool.chunks[t].data() + offset[i];
  return pool;
}

LoadGenerator::LoadGenerator(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                             const std::vector<int>& sockets, const sockaddr_in& census)
    : LoadGenerator(agents, sockets, std::vector<sockaddr_in>{census}) {}

LoadGenerator::LoadGenerator(const std::vector<std::unique_ptr<test::TestAgent>>& agents,
                             const std::vector<int>& sockets,
                             const std::vector<sockaddr_in>& censuses)
    : agents_(agents), sockets_(sockets), census_(censuses) {}

void LoadGenerator::drain() {
  uint8_t buf[frame::max_frame_size + 1];
  for (int fd : sockets_)
    while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
}

size_t LoadGenerator::receive(const PhaseRecords& phase, LoadRun& r, std::vector<uint8_t>& state,
                              uint64_t& in_flight, uint64_t& answered) {
  constexpr unsigned n_max = 64;
  static thread_local std::array<std::array<uint8_t, frame::max_frame_size + 1>, n_max> buf;
  std::array<mmsghdr, n_max> hdr;
  std::array<iovec, n_max> iov;
  size_t total = 0;
  for (int fd : sockets_) {
    for (;;) {
      for (unsigned k = 0; k < n_max; ++k) {
        iov[k] = {buf[k].data(), buf[k].size()};
        hdr[k] = {};
        hdr[k].msg_hdr.msg_iov = &iov[k];
        hdr[k].msg_hdr.msg_iovlen = 1;
      }
      const int n = ::recvmmsg(fd, hdr.data(), n_max, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;
      const auto t = Clock::now();
      total += static_cast<size_t>(n);
      for (int k = 0; k < n; ++k) {
        const size_t len = hdr[k].msg_len;
        r.acks.entries.push_back({r.acks.bytes.size(), static_cast<uint16_t>(len), t});
        r.acks.bytes.insert(r.acks.bytes.end(), buf[k].data(), buf[k].data() + len);
        // Flow control only: the header says which datagram this answers. ack_audit.h decides
        // later whether it is an ack at all.
        frame::Header h;
        if (frame::peek(buf[k].data(), len, h) != frame::Refusal::none || h.seq == 0) continue;
        const auto a = std::lower_bound(by_login_.begin(), by_login_.end(),
                                        std::make_pair(h.login_session, 0u));
        if (a == by_login_.end() || a->first != h.login_session) continue;
        const size_t i = phase.frame_of(a->second, h.seq);
        if (i >= r.frames_sent) continue;
        if (state[i] == 0) {
          state[i] = 1;
          --in_flight;
          ++answered;
        } else if (state[i] == 2) {
          state[i] = 3;
          ++answered;
        }
      }
      if (static_cast<unsigned>(n) < n_max) break;
    }
  }
  return total;
}

LoadRun LoadGenerator::run(const PhaseRecords& phase, const FramePool& pool, double seconds,
                           uint32_t window, double rate_per_s, std::chrono::milliseconds grace,
                           const std::function<double()>& server_cpu) {
  by_login_.clear();
  for (uint32_t a = 0; a < agents_.size(); ++a)
    by_login_.emplace_back(agents_[a]->login_session(), a);
  std::sort(by_login_.begin(), by_login_.end());

  LoadRun r;
  r.sent_at.assign(pool.size(), Clock::time_point{});
  r.acks.entries.reserve(pool.size());
  r.acks.bytes.reserve(pool.size() * (phase.per * 13 + frame::overhead + 8));
  // 0 in flight, 1 answered, 2 unanswered after 500 ms (slot freed), 3 answered after that
  std::vector<uint8_t> state(pool.size(), 0);
  uint64_t in_flight = 0, answered = 0;
  constexpr size_t n_max = 64;
  std::array<mmsghdr, n_max> hdr;
  std::array<iovec, n_max> iov;
  std::vector<pollfd> polls;
  for (int fd : sockets_) polls.push_back({fd, POLLIN, 0});

  const double cpu0 = cpu_seconds_self(), server_cpu0 = server_cpu();
  r.start = Clock::now();
  const auto end = r.start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(seconds));
  size_t expired_scan = 0;
  auto last_scan = r.start;
  for (auto now = r.start; now < end && (r.frames_sent < pool.size() || in_flight > 0);
       now = Clock::now()) {
    size_t allowed;
    if (rate_per_s > 0) {
      const double due = std::chrono::duration<double>(now - r.start).count() * rate_per_s;
      allowed = due > r.frames_sent ? static_cast<size_t>(due) - r.frames_sent : 0;
    } else {
      allowed = in_flight < window ? window - in_flight : 0;
    }
    allowed = std::min(allowed, pool.size() - r.frames_sent);
    // Runs of consecutive frames from one socket go out in one sendmmsg.
    while (allowed > 0) {
      const size_t next = r.frames_sent;
      const int s = static_cast<int>(phase.agent_of(next) % sockets_.size());
      size_t n = 0;
      while (n < n_max && n < allowed &&
             static_cast<int>(phase.agent_of(next + n) % sockets_.size()) == s) {
        iov[n] = {const_cast<uint8_t*>(pool.data[next + n]), pool.length[next + n]};
        hdr[n] = {};
        hdr[n].msg_hdr.msg_iov = &iov[n];
        hdr[n].msg_hdr.msg_iovlen = 1;
        hdr[n].msg_hdr.msg_name = &census_[phase.agent_of(next + n) % census_.size()];
        hdr[n].msg_hdr.msg_namelen = sizeof(sockaddr_in);
        ++n;
      }
      const int sent = ::sendmmsg(sockets_[s], hdr.data(), static_cast<unsigned>(n), 0);
      if (sent <= 0) break;
      const auto t = Clock::now();
      for (int k = 0; k < sent; ++k) r.sent_at[next + k] = t;
      r.frames_sent += static_cast<size_t>(sent);
      allowed -= static_cast<size_t>(sent);
      in_flight += static_cast<uint64_t>(sent);
    }
    const size_t got = receive(phase, r, state, in_flight, answered);
    // A datagram the kernel dropped is never answered: after 500 ms it stops holding a slot.
    if (now - last_scan > std::chrono::milliseconds(100)) {
      last_scan = now;
      for (; expired_scan < r.frames_sent &&
             now - r.sent_at[expired_scan] > std::chrono::milliseconds(500);
           ++expired_scan)
        if (state[expired_scan] == 0) {
          state[expired_scan] = 2;
          --in_flight;
        }
    }
    if (got == 0) {
      ::poll(polls.data(), polls.size(), rate_per_s > 0 ? 0 : 1);
      if (rate_per_s > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  r.end = Clock::now();
  r.seconds = std::chrono::duration<double>(r.end - r.start).count();
  r.loadgen_cpu = cpu_seconds_self() - cpu0;
  r.server_cpu = server_cpu() - server_cpu0;
  // Late acks: they count in the latency tail, not in the phase's rate.
  while (answered < r.frames_sent && Clock::now() < r.end + grace)
    if (receive(phase, r, state, in_flight, answered) == 0) ::poll(polls.data(), polls.size(), 1);
  return r;
}

}  // namespace gm::bench
