#include "tests/bench/auth_phase.h"

#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "gatemeter.pb.h"
#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"
#include "tests/bench/server_process.h"

namespace gm::bench {

namespace {

using Clock = std::chrono::steady_clock;

// The phase's sessions: far above any prefilled one (agent << 32 | index), and positive as a
// signed 64-bit number, so SQL can select them by range.
constexpr uint64_t session_base = 1ull << 61;
constexpr const char* realm = "bench.example";

void sql(sqlite3* db, const std::string& text) {
  char* err = nullptr;
  if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string why = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error("auth phase: " + why + " in: " + text.substr(0, 80));
  }
}

int64_t value(sqlite3* db, const std::string& text) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, text.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("auth phase: ") + sqlite3_errmsg(db));
  const int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_finalize(s);
  return v;
}

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
      throw std::runtime_error("auth phase: cannot open " + path);
    sqlite3_busy_timeout(db, 10'000);
  }
  ~Db() { sqlite3_close(db); }
};

// The realm, its prepaid offer, and the phase's accounts (a rate is there from phase M).
void provision(const std::string& path, uint32_t accounts) {
  Db d(path);
  sql(d.db, "BEGIN IMMEDIATE");
  sql(d.db, std::string("INSERT OR IGNORE INTO realms(name) VALUES('") + realm + "')");
  sql(d.db, std::string("INSERT OR IGNORE INTO offers(scope, option, label, terms) VALUES('") +
                realm + "', " + std::to_string(gatemeter_BillingOption_BILLING_PREPAID) +
                ", 'prepaid', 'bench')");
  sql(d.db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                std::to_string(accounts) +
                ") INSERT OR IGNORE INTO accounts(name, kind, balance_micros, created_unix) "
                "SELECT 'auth-' || i, 1, 1000000000000, 0 FROM n");
  sql(d.db, "UPDATE billing_catalog SET version = version + 1");
  sql(d.db, "COMMIT");
}

gatemeter_AuthRequest request_of(uint64_t i, uint32_t accounts) {
  gatemeter_AuthRequest r = gatemeter_AuthRequest_init_zero;
  r.session_id = session_base | i;
  char text[64];
  std::snprintf(text, sizeof text, "s%llu@%s", static_cast<unsigned long long>(i % (4ull * accounts)),
                realm);
  copy_text(r.subscriber, sizeof r.subscriber, text);
  copy_text(r.service, sizeof r.service, "wifi");
  r.billing = gatemeter_BillingOption_BILLING_PREPAID;
  std::snprintf(text, sizeof text, "auth-%llu", static_cast<unsigned long long>(i % accounts + 1));
  copy_text(r.account, sizeof r.account, text);
  r.request = 1;
  return r;
}

struct Answer {
  size_t offset;
  uint16_t length;
  Clock::time_point at;
};

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

double AuthPhase::latency(double q) const {
  if (latency_ms.empty()) return 0;
  const size_t i = std::min(latency_ms.size() - 1, static_cast<size_t>(q * latency_ms.size()));
  return latency_ms[i];
}

std::optional<AuthPhase> run_auth_phase(const AuthPhaseSettings& s,
                                        const std::vector<std::string>& agent_ids,
                                        const std::vector<test::TestAgent::Bytes32>& credentials) {
  const std::string db_path = s.state_dir + "/usage.db";
  try {
    provision(db_path, s.accounts);
  } catch (const std::exception& e) {
    std::printf("FAIL: Q: %s\n", e.what());
    return std::nullopt;
  }
  std::vector<std::string> args = {"--services=census,login,billing",
                                   "--billing-listen=127.0.0.1:0"};
  args.insert(args.end(), s.server_args.begin(), s.server_args.end());
  ServerProcess server;
  if (!server.start(s.server, s.state_dir, 2, args)) return std::nullopt;
  if (server.billing_port() == 0) {
    std::printf("FAIL: Q: the server's ready line named no billing port\n");
    return std::nullopt;
  }
  std::string pin_hex;
  std::ifstream(s.state_dir + "/login-pin.sha256") >> pin_hex;
  const auto pin = test::parse_hex32(pin_hex);
  std::vector<std::unique_ptr<test::TestAgent>> agents;
  for (size_t a = 0; a < agent_ids.size(); ++a) {
    agents.push_back(std::make_unique<test::TestAgent>(agent_ids[a], credentials[a]));
    if (!pin || !agents.back()->login("127.0.0.1", server.login_port(), *pin, 30'000)) {
      std::printf("FAIL: Q: login of %s: %s\n", agent_ids[a].c_str(),
                  agents.back()->error().c_str());
      return std::nullopt;
    }
  }
  const size_t n_agents = agents.size();

  // Sealed before the phase, for up to 100,000 answers a second (closed loop) or the rate
  // asked for: frame i is agent i % n's request number i / n + 1, so each agent's sequence
  // rises as it sends.
  const size_t frames =
      static_cast<size_t>((s.per_second > 0 ? s.per_second : 100'000) * s.seconds) + s.in_flight;
  const uint64_t first = s.first_session;
  std::vector<uint8_t> pool;
  std::vector<size_t> offset(frames);
  std::vector<uint16_t> length(frames);
  {
    const auto t0 = Clock::now();
    pool.reserve(frames * 120);
    std::array<uint8_t, frame::max_frame_size> buf;
    for (size_t i = 0; i < frames; ++i) {
      const gatemeter_AuthRequest r = request_of(first + i, s.accounts);
      const test::TestAgent& agent = *agents[i % n_agents];
      const size_t len = frame::seal(
          {frame::FrameKind::auth_request, agent.login_session(), static_cast<uint32_t>(i / n_agents + 1)},
          &r, agent.tag_key(), buf.data(), buf.size());
      offset[i] = pool.size();
      length[i] = static_cast<uint16_t>(len);
      pool.insert(pool.end(), buf.begin(), buf.begin() + len);
    }
    std::printf("  %zu logins; %zu AuthRequest frames sealed in %.1f s; %u accounts\n", n_agents,
                frames, since(t0), s.accounts);
    std::fflush(stdout);
  }

  sockaddr_in billing{};
  test::parse_endpoint("127.0.0.1:" + std::to_string(server.billing_port()), billing);
  std::vector<int> fds;
  for (size_t a = 0; a < n_agents; ++a) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const int size = 1 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&billing), sizeof billing);
    fds.push_back(fd);
  }
  struct Closer {
    std::vector<int>& fds;
    ~Closer() {
      for (int fd : fds) ::close(fd);
    }
  } closer{fds};

  // Closed loop: `in_flight` unanswered; one unanswered for 500 ms frees its slot. Open loop:
  // frame i leaves at start + i / per_second.
  AuthPhase p;
  std::vector<Clock::time_point> sent_at(frames);
  std::vector<uint8_t> answered(frames, 0);
  std::deque<size_t> pending;
  std::vector<uint8_t> bytes;
  std::vector<Answer> log;
  log.reserve(frames);
  bytes.reserve(frames * 96);
  size_t next = 0, in_flight = 0;
  const double cpu0 = cpu_seconds_self(), server0 = server.cpu_seconds();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(s.seconds));
  const auto stop_listening = end + std::chrono::milliseconds(s.grace_ms);
  std::array<uint8_t, frame::max_frame_size + 1> buf;
  for (;;) {
    const auto now = Clock::now();
    if (now >= stop_listening || (now >= end && in_flight == 0)) break;
    while (!pending.empty() && (answered[pending.front()] ||
                                now - sent_at[pending.front()] > std::chrono::milliseconds(500))) {
      if (!answered[pending.front()]) --in_flight;
      pending.pop_front();
    }
    const auto due = [&] {
      return s.per_second > 0
                 ? now - start >= std::chrono::duration<double>(next / s.per_second)
                 : in_flight < s.in_flight;
    };
    while (now < end && next < frames && due()) {
      const int fd = fds[next % n_agents];
      if (::send(fd, pool.data() + offset[next], length[next], 0) < 0) break;
      sent_at[next] = Clock::now();
      pending.push_back(next);
      ++next, ++in_flight;
    }
    bool got = false;
    for (size_t a = 0; a < n_agents; ++a) {
      for (;;) {
        const ssize_t n = ::recv(fds[a], buf.data(), buf.size(), 0);
        if (n <= 0) break;
        got = true;
        const auto at = Clock::now();
        log.push_back({bytes.size(), static_cast<uint16_t>(n), at});
        bytes.insert(bytes.end(), buf.begin(), buf.begin() + n);
        frame::Header h;  // flow control only: the audit below decides what it is
        if (frame::peek(buf.data(), static_cast<size_t>(n), h) != frame::Refusal::none) continue;
        const size_t i = (static_cast<size_t>(h.seq) - 1) * n_agents + a;
        if (h.seq == 0 || i >= next || answered[i]) continue;
        answered[i] = 1;
        if (at - sent_at[i] <= std::chrono::milliseconds(500)) --in_flight;
      }
    }
    if (!got) {
      std::vector<pollfd> polls;
      for (int fd : fds) polls.push_back({fd, POLLIN, 0});
      ::poll(polls.data(), polls.size(), 1);
    }
  }
  p.seconds = std::chrono::duration<double>(end - start).count();
  p.sent = next;
  p.loadgen_cpu = cpu_seconds_self() - cpu0;
  p.server_cpu = server.cpu_seconds() - server0;
  server.stop();

  // Every answer opened as the agent would: its key, its replay window, the session asked for.
  std::vector<frame::ReplayWindow> windows(n_agents);
  std::vector<uint8_t> valid(frames, 0);
  for (const Answer& e : log) {
    const uint8_t* data = bytes.data() + e.offset;
    frame::Header h;
    gatemeter_AuthResponse r = gatemeter_AuthResponse_init_zero;
    size_t a = n_agents;
    if (frame::peek(data, e.length, h) == frame::Refusal::none)
      for (size_t k = 0; k < n_agents; ++k)
        if (agents[k]->login_session() == h.login_session) a = k;
    const size_t i = a < n_agents && h.seq > 0 ? (h.seq - 1) * n_agents + a : frames;
    const char* why = nullptr;
    if (a == n_agents || i >= next)
      why = "names no request sent";
    else if (const frame::Refusal refused = frame::open(data, e.length, h, agents[a]->tag_key(),
                                                        windows[a], frame::FrameKind::auth_response, &r);
             refused == frame::Refusal::too_old) {
      // More than the window behind the agent's newest answer: an agent would have resent
      // by then and heard the stored answer; not counted, and not an error.
      ++p.behind_window;
      continue;
    } else if (refused != frame::Refusal::none)
      why = "does not open (tag or kind) or repeats a frame";
    else if (r.session_id != (session_base | (first + i)))
      why = "names another session";
    else if (r.decision != gatemeter_AuthDecision_AUTH_APPROVE || !r.has_grant)
      why = "does not approve with a grant";
    else if (valid[i])
      why = "answers a request answered already";
    if (why != nullptr) {
      if (p.bad++ < 3) std::printf("  a bad answer: %s (decision %d, reject %d)\n", why,
                                   static_cast<int>(r.decision), static_cast<int>(r.reject));
      continue;
    }
    valid[i] = 1;
    if (e.at > end)
      ++p.late;
    else
      ++p.approved;
    p.latency_ms.push_back(
        static_cast<float>(std::chrono::duration<double, std::milli>(e.at - sent_at[i]).count()));
  }
  std::sort(p.latency_ms.begin(), p.latency_ms.end());
  p.unanswered = p.sent - p.approved - p.late - p.behind_window;
  try {
    Db d(db_path);
    const std::string base = std::to_string(session_base);
    const std::string range = " BETWEEN " + std::to_string(session_base | first) + " AND " +
                              std::to_string((session_base | (first + frames)) - 1);
    p.stored = static_cast<uint64_t>(value(
        d.db, "SELECT count(*) FROM authorisations WHERE live = 1 AND session_id" + range));
    p.stored_wrong = static_cast<uint64_t>(value(
        d.db, "SELECT count(*) FROM authorisations a JOIN accounts c ON c.id = a.account "
              "WHERE a.session_id" + range + " AND c.name <> 'auth-' || ((a.session_id - " +
                  base + ") % " + std::to_string(s.accounts) + " + 1)"));
    std::vector<uint8_t> held(frames, 0);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(d.db,
                       ("SELECT session_id FROM authorisations WHERE live = 1 AND session_id" +
                        range).c_str(),
                       -1, &q, nullptr);
    while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
      const uint64_t i = static_cast<uint64_t>(sqlite3_column_int64(q, 0)) - session_base - first;
      if (i < frames) held[i] = 1;
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < frames; ++i) p.missing += valid[i] && !held[i];
  } catch (const std::exception& e) {
    std::printf("FAIL: Q: %s\n", e.what());
    return std::nullopt;
  }
  return p;
}

}  // namespace gm::bench
