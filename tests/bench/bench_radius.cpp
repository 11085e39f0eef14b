// RADIUS accounting benchmark: gatemeter-server with the radius service (a separate process on
// 127.0.0.1, its own fresh SQLite store) and this load generator, which stands in for many NASes
// (Debian's radclient cannot push this much: it is the bottleneck, TOOLCHAIN-NOTES).
//
//   N. names: one Start for each of the sessions (8 NASes x 12,500 = 100,000), closed loop: each
//      names a new session in the store before it is answered
//   T. throughput: Interim-Updates of those sessions, round after round (each round 60 s more
//      session time and octets), one record per request, 64 senders with up to 16,384 requests
//      unanswered in all (closed loop), for --seconds (20)
//   L. latency at half T's rate, open loop, for --latency-seconds (10): send to answer
//
// An answer counts only if its Response Authenticator is right for the request it names
// (radius_packet.h); the server answers only after the commit, so every counted answer is
// durable. After the phases the store is read back: every session must hold at least the
// newest session time an answer acknowledged, and none more than was sent (FAIL otherwise).
// Timing goals are printed, not asserted; ctest runs --smoke. Last line:
// radius_acct_per_s=<T> radius_p99_ms=<L's p99>.
//
//   bench_radius [--seconds=S] [--latency-seconds=S] [--sessions=N] [--in-flight=N] [--smoke]
//                [--server=PATH]
#include <arpa/inet.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "host/radius/accounting_record.h"
#include "host/radius/radius_packet.h"
#include "tests/bench/server_process.h"
#include "tests/support/radius_request.h"

using namespace gm;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* secret = "bench-secret";
constexpr int nases = 8;
constexpr int senders = 64;  // NAS sockets: up to 256 outstanding each (RADIUS's Identifier)
constexpr int64_t base = 1'796'032'800;

struct Options {
  double seconds = 20, latency_seconds = 10;
  uint32_t sessions = 100'000;
  uint32_t in_flight = senders * 256;  // every sender's Identifiers in use
  bool smoke = false;
  std::string server = GM_SERVER;
};

struct Phase {
  double seconds = 0;
  uint64_t sent = 0, answered = 0, bad = 0, resent = 0;
  double loadgen_cpu = 0;  // % of the machine
  std::vector<float> latency_ms;
  double rate() const { return seconds > 0 ? answered / seconds : 0; }
  double latency(double q) const {
    if (latency_ms.empty()) return 0;
    return latency_ms[std::min(latency_ms.size() - 1, static_cast<size_t>(q * latency_ms.size()))];
  }
};

// The load: request r is session r % sessions at round r / sessions (0: its Start).
class Load {
 public:
  Load(uint16_t port, uint32_t sessions) : sessions_(sessions), acked_(sessions, 0) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int& fd : fds_) {
      fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      const int size = 4 << 20;
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
      ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    }
    for (auto& s : slots_) s.fill(Slot{});
  }
  ~Load() {
    for (int fd : fds_) ::close(fd);
  }

  // Requests [first, last): closed loop with `in_flight` unanswered, or open loop at
  // `per_second`; until all are answered or `seconds` have passed (then 2 s of grace).
  Phase run(uint64_t first, uint64_t last, double seconds, uint32_t in_flight, double per_second) {
    Phase p;
    const double cpu0 = bench::cpu_seconds_self();
    uint64_t next = first;
    size_t unanswered = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(seconds));
    auto done_at = end + std::chrono::seconds(2);
    for (;;) {
      const auto now = Clock::now();
      if (now >= done_at || (unanswered == 0 && (next >= last || now >= end))) break;
      // Send what is due.
      for (int tries = 0; tries < 256 && now < end && next < last; ++tries) {
        if (per_second > 0 ? now - start < std::chrono::duration<double>((next - first) / per_second)
                           : unanswered >= in_flight)
          break;
        // The next free Identifier of the next sender that has one.
        Slot* slot = nullptr;
        int used = 0;
        uint8_t id = 0;
        for (int k = 0; k < senders && slot == nullptr; ++k) {
          const int s = (sender + k) % senders;
          for (int j = 0; j < 256; ++j) {
            const uint8_t candidate = static_cast<uint8_t>(next_id_[s] + j);
            if (!slots_[s][candidate].busy) {
              slot = &slots_[s][candidate];
              used = s;
              id = candidate;
              break;
            }
          }
        }
        if (slot == nullptr) break;  // every Identifier of every sender is waiting
        next_id_[used] = static_cast<uint8_t>(id + 1);
        sender = (used + 1) % senders;
        fill(*slot, next, id);
        ::send(fds_[used], slot->bytes.data(), slot->bytes.size(), 0);
        slot->busy = true;
        slot->sent = Clock::now();
        ++next, ++unanswered, ++p.sent;
      }
      // Read what came back.
      bool got = false;
      for (int s = 0; s < senders; ++s) {
        uint8_t buf[64];
        ssize_t n;
        while ((n = ::recv(fds_[s], buf, sizeof buf, 0)) > 0) {
          got = true;
          radius::Packet reply;
          if (radius::parse(buf, static_cast<size_t>(n), reply) != radius::Refusal::none) {
            ++p.bad;
            continue;
          }
          Slot& slot = slots_[s][reply.identifier];
          if (!slot.busy) continue;  // answered already (a resend's second answer)
          uint8_t expect[radius::header_size];
          radius::accounting_response(reply.identifier, slot.authenticator, secret, expect,
                                      sizeof expect);
          if (std::memcmp(expect, buf, radius::header_size) != 0) {
            ++p.bad;
            continue;
          }
          slot.busy = false;
          --unanswered;
          const auto at = Clock::now();
          if (at <= end) ++p.answered;
          p.latency_ms.push_back(
              static_cast<float>(std::chrono::duration<double, std::milli>(at - slot.sent).count()));
          uint32_t& a = acked_[slot.session];
          a = std::max(a, slot.time);
        }
      }
      // A NAS resends what is not answered within a second (the same octets).
      if (!got) {
        const auto t = Clock::now();
        for (int s = 0; s < senders; ++s)
          for (Slot& slot : slots_[s])
            if (slot.busy && t - slot.sent > std::chrono::seconds(1)) {
              ::send(fds_[s], slot.bytes.data(), slot.bytes.size(), 0);
              slot.sent = t;
              ++p.resent;
            }
        pollfd polls[senders];
        for (int s = 0; s < senders; ++s) polls[s] = {fds_[s], POLLIN, 0};
        ::poll(polls, senders, 1);
      }
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    p.loadgen_cpu = took > 0 ? 100 * (bench::cpu_seconds_self() - cpu0) / took /
                                   std::max(1u, std::thread::hardware_concurrency())
                             : 0;
    p.seconds = std::chrono::duration<double>(std::min(Clock::now(), end) - start).count();
    std::sort(p.latency_ms.begin(), p.latency_ms.end());
    return p;
  }

  uint32_t sessions() const { return sessions_; }
  const std::vector<uint32_t>& acknowledged() const { return acked_; }
  uint32_t sent_time(uint64_t highest_request, uint32_t session) const {
    // The newest round of this session sent: requests session, session + N, ...
    if (highest_request < session) return 0;
    return 60 * static_cast<uint32_t>((highest_request - session) / sessions_);
  }

 private:
  struct Slot {
    bool busy = false;
    Clock::time_point sent{};
    uint32_t session = 0, time = 0;
    radius::Authenticator authenticator{};
    std::vector<uint8_t> bytes;
  };
  void fill(Slot& slot, uint64_t r, uint8_t id) {
    const uint32_t session = static_cast<uint32_t>(r % sessions_);
    const uint32_t round = static_cast<uint32_t>(r / sessions_);
    const uint32_t time = 60 * round;
    char name[32];
    std::snprintf(name, sizeof name, "s%u", session);
    char user[48];
    std::snprintf(user, sizeof user, "u%u@bench.example", session);
    const uint64_t octets = 1'000ull * time;
    slot.bytes = test::RadiusRequest(id)
                     .integer(radius::attr::acct_status_type, round == 0 ? 1 : 3)
                     .text(radius::attr::acct_session_id, name)
                     .text(radius::attr::user_name, user)
                     .text(radius::attr::nas_identifier, "nas-" + std::to_string(session % nases))
                     .integer(radius::attr::event_timestamp, static_cast<uint32_t>(base + time))
                     .integer(radius::attr::acct_session_time, time)
                     .integer(radius::attr::acct_input_octets, static_cast<uint32_t>(octets))
                     .integer(radius::attr::acct_output_octets, time)
                     .sealed(secret);
    std::copy(slot.bytes.begin() + 4, slot.bytes.begin() + 20, slot.authenticator.begin());
    slot.session = session;
    slot.time = time;
  }

  uint32_t sessions_;
  std::array<int, senders> fds_{};
  std::array<std::array<Slot, 256>, senders> slots_{};
  std::array<uint8_t, senders> next_id_{};
  int sender = 0;  // where the next request looks first
  std::vector<uint32_t> acked_;  // per session: the newest session time an answer acknowledged
};

std::optional<std::string> value(const std::string& arg, const std::string& name) {
  if (arg.rfind(name + "=", 0) != 0) return std::nullopt;
  return arg.substr(name.size() + 1);
}

void row(const char* name, const Phase& p, const char* unit, double server_cpu) {
  std::printf("%-44s %9.0f %-11s %7.2f %7.2f %8.2f %7.1f %8llu %6llu %6.0f%% %5.0f%%\n", name,
              p.rate(), unit, p.latency(0.50), p.latency(0.99), p.latency(0.999), p.latency(1.0),
              static_cast<unsigned long long>(p.sent), static_cast<unsigned long long>(p.resent),
              p.loadgen_cpu, server_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (auto v = value(a, "--seconds")) o.seconds = std::stod(*v);
    else if (auto v = value(a, "--latency-seconds")) o.latency_seconds = std::stod(*v);
    else if (auto v = value(a, "--sessions")) o.sessions = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--in-flight"))
      o.in_flight = std::clamp<uint32_t>(static_cast<uint32_t>(std::stoul(*v)), 1, senders * 256);
    else if (auto v = value(a, "--server")) o.server = *v;
    else if (a == "--smoke") o.smoke = true;
    else {
      std::fprintf(stderr, "bench_radius: unknown argument %s (see the top of bench_radius.cpp)\n",
                   a.c_str());
      return 2;
    }
  }
  if (o.smoke) o.seconds = 1, o.latency_seconds = 1, o.sessions = 2'000;
  const auto run_start = Clock::now();
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("gm-bench-radius-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir + "/state");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  std::filesystem::permissions(dir + "/state", std::filesystem::perms::owner_all);
  struct Remove {
    std::string d;
    ~Remove() { std::filesystem::remove_all(d); }
  } remove{dir};
  const std::string clients = dir + "/clients";
  std::ofstream(clients) << "127.0.0.1 " << secret << " bench.example\n";
  std::filesystem::permissions(clients, std::filesystem::perms::owner_read |
                                            std::filesystem::perms::owner_write);

  bench::ServerProcess server;
  if (!server.start(o.server, dir + "/state", 1,
                    {"--services=radius", "--radius-listen=127.0.0.1:0",
                     "--radius_clients=" + clients}) ||
      server.radius_port() == 0) {
    std::printf("FAIL: the server did not start with the radius service\n");
    return 1;
  }
  Load load(server.radius_port(), o.sessions);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  auto cpu_share = [&](double before, double seconds) {
    return seconds > 0 ? 100 * (server.cpu_seconds() - before) / seconds / cores : 0;
  };

  std::printf("N: a Start for each of %u sessions of %d NASes\n", o.sessions, nases);
  std::fflush(stdout);
  double cpu = server.cpu_seconds();
  const Phase n = load.run(0, o.sessions, 600, o.in_flight, 0);
  const double n_cpu = cpu_share(cpu, n.seconds);
  std::printf("T: Interim-Updates, %u in flight, %.0f s\n", o.in_flight, o.seconds);
  std::fflush(stdout);
  cpu = server.cpu_seconds();
  const uint64_t t_first = o.sessions;
  const Phase t = load.run(t_first, UINT64_MAX / 2, o.seconds, o.in_flight, 0);
  const double t_cpu = cpu_share(cpu, t.seconds);
  const double half = std::max(1.0, t.rate() / 2);
  std::printf("L: Interim-Updates at %.0f/s (half of T), open loop, %.0f s\n", half,
              o.latency_seconds);
  std::fflush(stdout);
  cpu = server.cpu_seconds();
  const uint64_t l_first = t_first + t.sent;
  const Phase l = load.run(l_first, UINT64_MAX / 2, o.latency_seconds, 1u << 20, half);
  const double l_cpu = cpu_share(cpu, l.seconds);
  const uint64_t highest = l_first + l.sent - 1;
  server.stop();

  // Read back: every session holds at least what its answers acknowledged, and no more than
  // was sent.
  uint64_t sessions_stored = 0, behind = 0, beyond = 0;
  {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir + "/state/usage.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT s.subscriber, s.charged_s FROM subscriber_sessions s JOIN agents a "
                       "ON a.id = s.agent WHERE a.agent_id LIKE 'radius:%'",
                       -1, &q, nullptr);
    std::vector<uint8_t> seen(o.sessions, 0);
    while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
      unsigned session = 0;
      if (std::sscanf(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "u%u@", &session) != 1 ||
          session >= o.sessions)
        continue;
      seen[session] = 1;
      ++sessions_stored;
      const uint32_t stored = static_cast<uint32_t>(sqlite3_column_int64(q, 1));
      behind += stored < load.acknowledged()[session];
      beyond += stored > load.sent_time(highest, session);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
  }

  std::printf("\n%-44s %9s %-11s %7s %7s %8s %7s %8s %6s %7s %6s\n", "phase", "answered", "",
              "p50 ms", "p99 ms", "p99.9 ms", "max ms", "sent", "resent", "loadgen", "server");
  row("N: Starts, each naming a new session", n, "requests/s", n_cpu);
  row(("T: Interim-Updates, " + std::to_string(o.in_flight) + " in flight").c_str(), t,
      "requests/s", t_cpu);
  row("L: Interim-Updates, half of T, open loop", l, "requests/s", l_cpu);
  std::printf(
      "How: gatemeter-server --services=radius on a fresh SQLite store (fsync per commit), this\n"
      "process standing in for %d NASes over %d UDP sockets on 127.0.0.1. 'answered' counts the\n"
      "Accounting-Responses whose authenticator is right for the request they name and that\n"
      "arrived within the phase; each is durable (the server answers after its commit). A\n"
      "request unanswered for 1 s is sent again (resent). Latency: send to answer. Loadgen and\n"
      "server: CPU over the phase, of the whole %u-core machine. Read back: %llu sessions stored, %llu\n"
      "behind what an answer acknowledged, %llu beyond what was sent.\n",
      nases, senders, cores, static_cast<unsigned long long>(sessions_stored),
      static_cast<unsigned long long>(behind), static_cast<unsigned long long>(beyond));
  std::printf("\n%-46s %-10s %12s\n", "goal", "target", "figure");
  std::printf("%-46s %-10s %12.0f %-12s %s\n", "T: durable Accounting-Requests/s", ">= 100000",
              t.rate(), "requests/s", t.rate() >= 100'000 ? "met" : "MISSED");
  std::printf("the whole run took %.0f s\n",
              std::chrono::duration<double>(Clock::now() - run_start).count());
  const bool ok = n.bad + t.bad + l.bad == 0 && behind == 0 && beyond == 0 &&
                  sessions_stored == o.sessions && n.answered == o.sessions;
  if (!ok) std::printf("FAIL: bench_radius: answers or the store do not hold what was sent\n");
  std::printf("radius_acct_per_s=%.0f radius_p99_ms=%.2f\n", t.rate(), l.latency(0.99));
  return ok ? 0 : 1;
}
