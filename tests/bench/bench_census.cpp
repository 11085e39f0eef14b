// Census benchmark: a load generator on this machine streams signed metering datagrams from
// many logged-in agents to gatemeter-server (a separate process, started here on 127.0.0.1
// over a fresh store) and counts what comes back acknowledged, which is what is durable.
//
//   A. records/s, 20 records per datagram, 1,024 datagrams in flight (closed loop)
//   B. datagrams/s, 1 record per datagram, 1,024 in flight
//   C. acknowledgement latency p50/p99 at half the goal load (open loop, 20 records/datagram):
//      150,000 records/s, half the 300,000 — or half of A's rate if A fell short of it
//
// Frames are sealed before each phase starts, so the load generator's CPU during a phase is
// sending and receiving only; the table says how much of the machine it used, and the server's.
// Last line: census_records_per_s=<N> p99_ack_ms=<L>. Nothing here asserts a timing: ctest
// runs it with --smoke only to show it works.
//
//   bench_census [--seconds=S] [--agents=N] [--census-threads=N] [--smoke] [--server=PATH]
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "host/store/credential_vault.h"
#include "host/store/usage_store.h"
#include "tests/support/frames.h"
#include "tests/support/test_agent.h"

using namespace gm;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  double seconds = 4;
  uint32_t agents = 64;
  uint32_t sessions_per_agent = 2000;
  uint32_t in_flight = 1024;
  uint32_t census_threads = 2;
  bool smoke = false;
  std::string server = GM_SERVER;
};

// Sealed frames in one buffer, in sending order.
struct FramePool {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offset, length, seq;
  std::vector<uint16_t> agent, records;
  size_t size() const { return offset.size(); }
};

struct Agent {
  std::unique_ptr<test::TestAgent> client;
  uint32_t frame_seq = 0;
  int sock = 0;  // index into the generator's sockets
};

struct Server {
  pid_t pid = -1;
  uint16_t login_port = 0, census_port = 0;
};

bool start_server(const Options& o, const std::string& dir, Server& out) {
  int fds[2];
  if (::pipe(fds) != 0) return false;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    const std::string state = "--state-dir=" + dir;
    const std::string threads = "--census-threads=" + std::to_string(o.census_threads);
    ::execl(o.server.c_str(), o.server.c_str(), state.c_str(), "--login-listen=127.0.0.1:0",
            "--census-listen=127.0.0.1:0", threads.c_str(), "--receive-buffer-bytes=16777216",
            static_cast<char*>(nullptr));
    std::perror("exec gatemeter-server");
    ::_exit(127);
  }
  ::close(fds[1]);
  FILE* f = ::fdopen(fds[0], "r");
  char line[512];
  while (std::fgets(line, sizeof line, f)) {
    unsigned lp = 0, cp = 0;
    if (std::sscanf(line, "ready login_port=%u census_port=%u", &lp, &cp) == 2) {
      out = {pid, static_cast<uint16_t>(lp), static_cast<uint16_t>(cp)};
      std::thread([f] {
        char sink[512];
        while (std::fgets(sink, sizeof sink, f)) {
        }
        std::fclose(f);
      }).detach();
      return true;
    }
  }
  std::fclose(f);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return false;
}

double cpu_seconds_self() {
  rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> f;
  size_t i = close + 2;
  while (i < s.size()) {
    const size_t sp = s.find(' ', i);
    f.push_back(s.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
    if (sp == std::string::npos) break;
    i = sp + 1;
  }
  if (f.size() < 13) return 0;
  return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Seals `count` datagrams of `per` records, round-robin over the agents, sessions in
// [base, base + sessions_per_agent) per agent, each session's seq rising.
FramePool make_frames(std::vector<Agent>& agents, const Options& o, size_t count, uint32_t per,
                      uint64_t base) {
  FramePool p;
  p.bytes.reserve(count * (per == 1 ? 160 : 2600));
  std::vector<uint64_t> next_record(agents.size(), 0);
  gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
  for (size_t i = 0; i < count; ++i) {
    const size_t a = i % agents.size();
    b.records_count = static_cast<pb_size_t>(per);
    for (uint32_t j = 0; j < per; ++j) {
      const uint64_t k = next_record[a]++;
      const uint64_t session = base + k % o.sessions_per_agent;
      const uint32_t seq = static_cast<uint32_t>(k / o.sessions_per_agent + 1);
      b.records[j] = test::make_record(session, seq,
                                       seq == 1 ? gatemeter_RecordKind_RECORD_START
                                                : gatemeter_RecordKind_RECORD_INTERIM);
    }
    const uint32_t fseq = ++agents[a].frame_seq;
    const auto f = agents[a].client->seal(b, fseq);
    p.offset.push_back(static_cast<uint32_t>(p.bytes.size()));
    p.length.push_back(static_cast<uint32_t>(f.size()));
    p.bytes.insert(p.bytes.end(), f.begin(), f.end());
    p.seq.push_back(fseq);
    p.agent.push_back(static_cast<uint16_t>(a));
    p.records.push_back(static_cast<uint16_t>(per));
  }
  return p;
}

struct Result {
  double seconds = 0;
  uint64_t datagrams_sent = 0, datagrams_acked = 0, records_acked = 0, lost = 0;
  double gen_cpu = 0, server_cpu = 0;
  std::vector<double> latency_ms;
  double pct(double q) const {
    if (latency_ms.empty()) return 0;
    std::vector<double> v = latency_ms;
    const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * v.size()));
    std::nth_element(v.begin(), v.begin() + k, v.end());
    return v[k];
  }
};

class Generator {
 public:
  Generator(std::vector<Agent>& agents, const std::vector<int>& socks, const sockaddr_in& census)
      : agents_(agents), socks_(socks), census_(census) {
    for (size_t a = 0; a < agents.size(); ++a) by_login_[agents[a].client->login_session()] = a;
  }

  // Closed loop (rate_per_s == 0: keep `window` in flight) or open loop at rate_per_s.
  Result run(const FramePool& pool, double seconds, uint32_t window, double rate_per_s,
             pid_t server) {
    Result r;
    sent_at_.assign(pool.size(), Clock::time_point{});
    std::unordered_map<uint64_t, size_t> index;  // (agent, seq) -> frame
    index.reserve(pool.size() * 2);
    for (size_t i = 0; i < pool.size(); ++i) index[key(pool.agent[i], pool.seq[i])] = i;
    std::vector<uint8_t> done(pool.size(), 0);

    const double cpu0 = cpu_seconds_self(), scpu0 = cpu_seconds_of(server);
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(seconds));
    size_t next = 0, expired_scan = 0;
    uint64_t in_flight = 0;
    auto last_scan = start;
    std::vector<mmsghdr> hdr(64);
    std::vector<iovec> iov(64);
    std::vector<std::array<uint8_t, 256>> ack(64);

    while (Clock::now() < end && (next < pool.size() || in_flight > 0)) {
      const auto now = Clock::now();
      size_t allowed;
      if (rate_per_s > 0) {
        const double due = std::chrono::duration<double>(now - start).count() * rate_per_s;
        allowed = due > next ? static_cast<size_t>(due) - next : 0;
      } else {
        allowed = in_flight < window ? window - in_flight : 0;
      }
      allowed = std::min(allowed, pool.size() - next);
      // Send in runs per socket with sendmmsg.
      while (allowed > 0) {
        const int s = agents_[pool.agent[next]].sock;
        size_t n = 0;
        while (n < 64 && n < allowed && agents_[pool.agent[next + n]].sock == s) {
          const size_t i = next + n;
          iov[n] = {const_cast<uint8_t*>(pool.bytes.data() + pool.offset[i]), pool.length[i]};
          hdr[n] = {};
          hdr[n].msg_hdr.msg_iov = &iov[n];
          hdr[n].msg_hdr.msg_iovlen = 1;
          hdr[n].msg_hdr.msg_name = const_cast<sockaddr_in*>(&census_);
          hdr[n].msg_hdr.msg_namelen = sizeof census_;
          ++n;
        }
        const int sent = ::sendmmsg(socks_[s], hdr.data(), static_cast<unsigned>(n), 0);
        if (sent <= 0) break;
        const auto t = Clock::now();
        for (int k = 0; k < sent; ++k) sent_at_[next + k] = t;
        next += static_cast<size_t>(sent);
        allowed -= static_cast<size_t>(sent);
        in_flight += static_cast<uint64_t>(sent);
        r.datagrams_sent += static_cast<uint64_t>(sent);
      }

      // Receive acks from every socket.
      bool got = false;
      for (int fd : socks_) {
        for (;;) {
          for (size_t k = 0; k < 64; ++k) {
            iov[k] = {ack[k].data(), ack[k].size()};
            hdr[k] = {};
            hdr[k].msg_hdr.msg_iov = &iov[k];
            hdr[k].msg_hdr.msg_iovlen = 1;
          }
          const int n = ::recvmmsg(fd, hdr.data(), 64, MSG_DONTWAIT, nullptr);
          if (n <= 0) break;
          got = true;
          const auto t = Clock::now();
          for (int k = 0; k < n; ++k) {
            frame::Header h;
            if (frame::peek(ack[k].data(), hdr[k].msg_len, h) != frame::Refusal::none) continue;
            auto a = by_login_.find(h.login_session);
            if (a == by_login_.end()) continue;
            auto it = index.find(key(a->second, h.seq));
            if (it == index.end() || done[it->second]) continue;
            done[it->second] = 1;
            --in_flight;
            ++r.datagrams_acked;
            r.records_acked += pool.records[it->second];
            r.latency_ms.push_back(
                std::chrono::duration<double, std::milli>(t - sent_at_[it->second]).count());
          }
          if (n < 64) break;
        }
      }
      // A datagram the kernel dropped is never acked: after 500 ms it no longer holds a slot.
      if (now - last_scan > std::chrono::milliseconds(100)) {
        last_scan = now;
        for (; expired_scan < next && now - sent_at_[expired_scan] > std::chrono::milliseconds(500);
             ++expired_scan)
          if (!done[expired_scan]) {
            done[expired_scan] = 2;
            --in_flight;
            ++r.lost;
          }
      }
      if (!got) {
        std::vector<pollfd> p;
        for (int fd : socks_) p.push_back({fd, POLLIN, 0});
        ::poll(p.data(), p.size(), rate_per_s > 0 ? 0 : 1);
        if (rate_per_s > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.gen_cpu = cpu_seconds_self() - cpu0;
    r.server_cpu = cpu_seconds_of(server) - scpu0;
    // Let stragglers arrive so they do not land in the next phase.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int fd : socks_)
      while (::recv(fd, ack[0].data(), ack[0].size(), MSG_DONTWAIT) > 0) {
      }
    return r;
  }

 private:
  static uint64_t key(size_t agent, uint32_t seq) { return static_cast<uint64_t>(agent) << 32 | seq; }
  std::vector<Agent>& agents_;
  const std::vector<int>& socks_;
  sockaddr_in census_;
  std::unordered_map<uint64_t, size_t> by_login_;
  std::vector<Clock::time_point> sent_at_;
};

uint32_t flag(int argc, char** argv, const char* name, uint32_t fallback) {
  const size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i)
    if (!std::strncmp(argv[i], name, n) && argv[i][n] == '=') return std::stoul(argv[i] + n + 1);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--smoke")) o.smoke = true;
    if (!std::strncmp(argv[i], "--server=", 9)) o.server = argv[i] + 9;
    if (!std::strncmp(argv[i], "--seconds=", 10)) o.seconds = std::stod(argv[i] + 10);
  }
  o.agents = flag(argc, argv, "--agents", o.agents);
  o.census_threads = flag(argc, argv, "--census-threads", o.census_threads);
  if (o.smoke) o.seconds = 0.3, o.agents = 4, o.sessions_per_agent = 200;
  ::signal(SIGPIPE, SIG_IGN);

  char tmpl[] = "/tmp/gm-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 2;
  const std::string dir = tmpl;
  std::vector<host::CredentialVault::Credential> creds(o.agents);
  {
    auto store = host::open_sqlite_store(dir + "/usage.db");
    auto vault = host::CredentialVault::open_or_create(dir + "/vault.key");
    for (uint32_t a = 0; a < o.agents; ++a) {
      creds[a] = host::CredentialVault::generate();
      const std::string id = "bench-" + std::to_string(a);
      store->add_agent(id, vault.seal(creds[a], id), 1);
    }
  }
  Server server;
  if (!start_server(o, dir, server)) {
    std::fprintf(stderr, "bench_census: gatemeter-server (%s) did not start\n", o.server.c_str());
    return 1;
  }
  std::string pin_hex;
  std::ifstream(dir + "/login-pin.sha256") >> pin_hex;
  const auto pin = test::parse_hex32(pin_hex);

  // Several source sockets, so SO_REUSEPORT spreads the agents over the census's sockets.
  constexpr int source_sockets = 8;
  std::vector<int> socks;
  for (int i = 0; i < source_sockets; ++i) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int buf = 8 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    socks.push_back(fd);
  }
  std::vector<Agent> agents(o.agents);
  for (uint32_t a = 0; a < o.agents; ++a) {
    agents[a].client = std::make_unique<test::TestAgent>("bench-" + std::to_string(a), creds[a]);
    agents[a].sock = static_cast<int>(a % source_sockets);
    if (!pin || !agents[a].client->login("127.0.0.1", server.login_port, *pin)) {
      std::fprintf(stderr, "bench_census: login of agent %u failed: %s\n", a,
                   agents[a].client->error().c_str());
      ::kill(server.pid, SIGKILL);
      return 1;
    }
  }
  sockaddr_in census{};
  test::parse_endpoint("127.0.0.1:" + std::to_string(server.census_port), census);
  Generator gen(agents, socks, census);

  const double ceiling_a = o.smoke ? 20'000 : 600'000;  // records/s the pool is sized for
  const double ceiling_b = o.smoke ? 5'000 : 250'000;   // datagrams/s
  std::printf("bench_census: %u agents, %u census threads, %.1f s per phase, %u in flight\n",
              o.agents, o.census_threads, o.seconds, o.in_flight);
  std::fflush(stdout);

  auto pool_a = make_frames(agents, o, static_cast<size_t>(ceiling_a / 20 * o.seconds), 20, 1'000'000);
  const Result a = gen.run(pool_a, o.seconds, o.in_flight, 0, server.pid);
  pool_a = {};
  auto pool_b = make_frames(agents, o, static_cast<size_t>(ceiling_b * o.seconds), 1, 2'000'000);
  const Result b = gen.run(pool_b, o.seconds, o.in_flight, 0, server.pid);
  pool_b = {};
  // Half the goal (300,000 records/s = 15,000 datagrams/s of 20), or of what A reached.
  const double half_rate =
      std::max(1.0, std::min(7500.0, a.datagrams_acked / a.seconds / 2));  // datagrams/s
  auto pool_c = make_frames(agents, o, static_cast<size_t>(half_rate * o.seconds) + 1, 20, 3'000'000);
  const Result c = gen.run(pool_c, o.seconds, 0, half_rate, server.pid);

  ::kill(server.pid, SIGTERM);
  ::waitpid(server.pid, nullptr, 0);
  std::filesystem::remove_all(dir);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto row = [&](const char* name, const Result& r, double rate, const char* unit) {
    std::printf("%-34s %12.0f %-12s %8.2f %8.2f %7.0f%% %7.0f%% %6llu\n", name, rate, unit,
                r.pct(0.50), r.pct(0.99), 100 * r.gen_cpu / r.seconds / cores,
                100 * r.server_cpu / r.seconds / cores, static_cast<unsigned long long>(r.lost));
  };
  std::printf("\n%-34s %12s %-12s %8s %8s %8s %8s %6s\n", "phase", "durable", "", "p50 ms",
              "p99 ms", "loadgen", "server", "lost");
  std::printf("%-34s %12s %-12s %8s %8s %8s %8s %6s\n", "", "", "", "", "", "(machine)",
              "(machine)", "");
  row("A: 20 records/datagram, 1024 infl", a, a.records_acked / a.seconds, "records/s");
  row("B: 1 record/datagram, 1024 infl", b, b.datagrams_acked / b.seconds, "datagrams/s");
  row("C: 20 rec/dgram at half load", c, c.records_acked / c.seconds, "records/s");
  std::printf("(CPU shares are of the whole %u-core machine, over each phase; 'lost' = never "
              "acknowledged within 500 ms)\n",
              cores);
  std::printf("census_records_per_s=%.0f p99_ack_ms=%.2f\n", a.records_acked / a.seconds, c.pct(0.99));
  return 0;
}
