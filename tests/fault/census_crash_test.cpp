// Crash test: kill -9 the census (gatemeter-server) while an agent streams, restart it on the
// same store, and hold it to the protocol:
//   1. every record acknowledged before the kill is in the store (acknowledged = durable);
//   2. the agent's resends complete the rest, and every session's final totals are exact.
//
//   census_crash_test GATEMETER_SERVER [--sessions=N] [--rounds=N] [--kill-after=N] [--kills=N]
//
// Everything runs on 127.0.0.1; every loop is bounded. Exit 0 on success, 1 on a violation.
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "host/store/credential_vault.h"
#include "host/store/store.h"
#include "tests/support/frames.h"
#include "tests/support/test_agent.h"

using namespace gm;

namespace {

struct Server {
  pid_t pid = -1;
  uint16_t login_port = 0, census_port = 0;
};

// Starts gatemeter-server and waits (bounded) for its `ready` line.
bool start_server(const std::string& exe, const std::string& dir, uint16_t login_port,
                  uint16_t census_port, Server& out) {
  int fds[2];
  if (::pipe(fds) != 0) return false;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    const std::string state = "--state-dir=" + dir;
    const std::string login = "--login-listen=127.0.0.1:" + std::to_string(login_port);
    const std::string census = "--census-listen=127.0.0.1:" + std::to_string(census_port);
    ::execl(exe.c_str(), exe.c_str(), state.c_str(), login.c_str(), census.c_str(),
            "--census-threads=2", static_cast<char*>(nullptr));
    std::perror("exec gatemeter-server");
    ::_exit(127);
  }
  ::close(fds[1]);
  FILE* f = ::fdopen(fds[0], "r");
  char line[512];
  bool ready = false;
  while (!ready && std::fgets(line, sizeof line, f)) {
    std::fputs(line, stdout);
    unsigned lp = 0, cp = 0;
    if (std::sscanf(line, "ready login_port=%u census_port=%u", &lp, &cp) == 2) {
      out = {pid, static_cast<uint16_t>(lp), static_cast<uint16_t>(cp)};
      ready = true;
    }
  }
  // The server's later output goes nowhere; it must not block on a full pipe.
  std::thread([f] {
    char sink[512];
    while (std::fgets(sink, sizeof sink, f)) {
    }
    std::fclose(f);
  }).detach();
  if (!ready) ::kill(pid, SIGKILL), ::waitpid(pid, nullptr, 0);
  return ready;
}

uint32_t arg(int argc, char** argv, const char* name, uint32_t fallback) {
  const size_t n = std::strlen(name);
  for (int i = 2; i < argc; ++i)
    if (!std::strncmp(argv[i], name, n) && argv[i][n] == '=') return std::stoul(argv[i] + n + 1);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: census_crash_test GATEMETER_SERVER [--sessions=N] [--rounds=N] "
                         "[--kill-after=N] [--kills=N]\n");
    return 2;
  }
  const std::string exe = argv[1];
  const uint32_t sessions = arg(argc, argv, "--sessions", 1000);
  const uint32_t rounds = arg(argc, argv, "--rounds", 40);
  const uint32_t kill_every = arg(argc, argv, "--kill-after", 10);  // rounds between kills
  const uint32_t kills = arg(argc, argv, "--kills", 3);

  // The folder is the server's state folder, which it accepts only owner-only (0700/0600).
  ::umask(077);
  char tmpl[] = "/tmp/gm-crash-XXXXXX";
  if (!::mkdtemp(tmpl)) return 2;
  const std::string dir = tmpl;
  int failures = 0;
  auto violation = [&](const std::string& what) {
    std::printf("VIOLATION %s\n", what.c_str());
    ++failures;
  };

  // The agent is provisioned the way censusctl does it: credential sealed under the vault key.
  host::CredentialVault::Credential credential = host::CredentialVault::generate();
  {
    auto store = host::open_store(dir + "/usage.db");
    auto vault = host::CredentialVault::open_or_create(dir + "/vault.key");
    store->add_agent("gw-crash", vault.seal(credential, "gw-crash"), 1);
  }

  Server server;
  if (!start_server(exe, dir, 0, 0, server)) {
    std::printf("FAIL: gatemeter-server did not become ready\n");
    return 1;
  }
  std::ifstream pin_file(dir + "/login-pin.sha256");
  std::string pin_hex;
  pin_file >> pin_hex;
  const auto pin = test::parse_hex32(pin_hex);
  test::TestAgent agent("gw-crash", credential);
  if (!pin || !agent.login("127.0.0.1", server.login_port, *pin) || !agent.open_census()) {
    std::printf("FAIL: login: %s\n", agent.error().c_str());
    ::kill(server.pid, SIGKILL);
    return 1;
  }

  // Per session: the newest record (what the agent holds) and the newest acknowledged seq.
  std::map<uint64_t, gatemeter_UsageRecord> newest;
  std::map<uint64_t, uint32_t> acked;
  uint64_t acks = 0;
  auto take_acks = [&](int wait_ms) {
    while (auto ack = agent.receive_ack(wait_ms)) {
      ++acks;
      for (pb_size_t i = 0; i < ack->records_count; ++i) {
        uint32_t& a = acked[ack->records[i].session_id];
        a = std::max(a, ack->records[i].seq);
      }
      wait_ms = 0;
    }
  };
  // Sends every session's newest record that is not yet acknowledged, 20 to a datagram.
  auto send_unacked = [&] {
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    size_t sent = 0;
    for (const auto& [id, r] : newest) {
      if (acked[id] >= r.seq) continue;
      b.records[b.records_count++] = r;
      if (b.records_count == 20) agent.send_batch(b), b.records_count = 0, take_acks(0);
      ++sent;
    }
    if (b.records_count > 0) agent.send_batch(b);
    return sent;
  };

  auto unacked = [&] {
    size_t n = 0;
    for (const auto& [id, r] : newest) n += acked[id] < r.seq;
    return n;
  };

  uint32_t kills_done = 0;
  for (uint32_t round = 1; round <= rounds; ++round) {
    const bool last = round == rounds;
    for (uint32_t s = 0; s < sessions; ++s) {
      const auto kind = round == 1 ? gatemeter_RecordKind_RECORD_START
                        : last     ? gatemeter_RecordKind_RECORD_STOP
                                   : gatemeter_RecordKind_RECORD_INTERIM;
      auto r = test::make_record(5000 + s, round, kind);
      r.charged_s = 60 * round + s;  // distinct per session, rising per round
      if (last) r.stop_cause = gatemeter_StopCause_STOP_USER_REQUEST;
      newest[5000 + s] = r;
    }
    const bool kill_now = round % kill_every == 0 && kills_done < kills;
    // Mid-stream: the killer fires a few milliseconds into the round, while datagrams are in
    // flight, queued, or in a commit under way.
    std::thread killer;
    if (kill_now)
      killer = std::thread([&, pid = server.pid, delay = 1 + 4 * kills_done] {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        ::kill(pid, SIGKILL);
      });
    send_unacked();
    if (!kill_now) {
      // A steady stream: the round is acknowledged before the next starts (bounded wait).
      for (int i = 0; i < 1000 && unacked() > 0; ++i) take_acks(1);
    } else {
      killer.join();
      ::waitpid(server.pid, nullptr, 0);
      ++kills_done;
      take_acks(50);  // acks the census sent before it died count too
      const size_t unacked_at_kill = unacked();
      {
        auto store = host::open_store(dir + "/usage.db");
        size_t checked = 0;
        for (const auto& [id, seq] : acked) {
          if (seq == 0) continue;
          auto s = store->session("gw-crash", id);
          ++checked;
          if (!s || s->last_seq < seq)
            violation("session " + std::to_string(id) + " seq " + std::to_string(seq) +
                      " was acknowledged but the store has " +
                      (s ? "seq " + std::to_string(s->last_seq) : std::string("nothing")));
        }
        std::printf("kill %u in round %u: %zu sessions unacknowledged at the kill; %zu "
                    "acknowledged records all in the store: %s\n",
                    kills_done, round, unacked_at_kill, checked, failures ? "NO" : "yes");
      }
      Server again;
      if (!start_server(exe, dir, server.login_port, server.census_port, again)) {
        std::printf("FAIL: gatemeter-server did not restart\n");
        return 1;
      }
      server = again;
    }
  }

  // The agent resends until everything is acknowledged (bounded).
  for (int attempt = 0; attempt < 200 && send_unacked() > 0; ++attempt) take_acks(20);
  take_acks(50);
  ::kill(server.pid, SIGTERM);
  ::waitpid(server.pid, nullptr, 0);

  auto store = host::open_store(dir + "/usage.db");
  size_t exact = 0;
  for (const auto& [id, r] : newest) {
    auto s = store->session("gw-crash", id);
    if (!s || s->last_seq != r.seq || s->totals.charged_s != r.charged_s ||
        s->totals.octets_in != r.octets_in || s->state != host::SessionState::stopped) {
      violation("session " + std::to_string(id) + ": expected seq " + std::to_string(r.seq) +
                " charged " + std::to_string(r.charged_s) + ", store has " +
                (s ? "seq " + std::to_string(s->last_seq) + " charged " +
                         std::to_string(s->totals.charged_s) + " state " +
                         host::session_state_name(s->state)
                   : std::string("nothing")));
    } else {
      ++exact;
    }
  }
  std::printf("sessions=%zu exact=%zu kills=%u acks=%llu violations=%d\n", newest.size(), exact,
              kills_done, static_cast<unsigned long long>(acks), failures);
  std::filesystem::remove_all(dir);
  return failures == 0 && kills_done == kills ? 0 : 1;
}
