// The agent's memory and flash costs: RAM per session, flash bytes written per session-hour
// with a healthy uplink and during outages, write amplification, erase spread and lifetime,
// and recovery cost at boot (callgrind instruction counts of the mount of a full journal).
//
// Everything runs the real agent (firmware/core) over the real journal on simulated NOR flash
// (16 sectors x 4 KiB, 4-byte words: a 64 KiB journal), with simulated time: the figures are
// counts, not timings, and repeat exactly.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"

using namespace gm;

namespace {

class NullLog final : public hal::Log {
 public:
  void write(hal::LogLevel, const char*, int64_t, int64_t) override {}
};

enum class Uplink { healthy, silent, down };  // silent: sent, never acknowledged; down: detached

struct RunResult {
  double session_hours = 0;
  uint64_t bytes_programmed = 0;
  uint64_t bytes_requested = 0;
  uint64_t records_persisted = 0;
  uint32_t erase_min = 0, erase_max = 0;
  double erase_mean = 0;
  uint32_t gc_runs = 0;
  bool persist_failures = false;
};

// `sessions` subscribers always connected, with traffic, for `hours` of simulated time, over the
// given uplink. With churn each session ends after ~20 minutes and is replaced.
RunResult run(Uplink mode, int sessions, double hours, bool churn, uint64_t seed) {
  test::FakeClock clock;
  NullLog log;
  test::CaptureUplink uplink;
  test::AgentFlash flash;
  store::Journal journal(flash.device());
  test::FakeRng agent_rng(seed);
  core::Agent agent(clock, journal, agent_rng, log);
  core::AgentSettings settings;  // the defaults: 60 s interval, persist after 30 s, 2 copies
  agent.apply_settings(settings);
  agent.boot();
  core::LoginGrant g;
  g.login_session = 1;
  for (int i = 0; i < 32; ++i) g.session_key[i] = static_cast<uint8_t>(i);
  test::FakeCensus census(1, g.session_key);
  agent.on_login(g, uplink);
  if (mode == Uplink::down) agent.on_uplink_lost();

  std::mt19937_64 rng(seed);
  const store::JournalStats start = journal.stats();
  std::vector<uint64_t> live;
  double session_seconds = 0;
  const uint64_t total_s = static_cast<uint64_t>(hours * 3600);
  char who[64];
  for (uint64_t t = 0; t < total_s; ++t) {
    clock.advance_s(1);
    while (live.size() < static_cast<size_t>(sessions)) {
      uint64_t id = 0;
      std::snprintf(who, sizeof who, "subscriber-%010" PRIu64 "@realm-%02u.example.net",
                    static_cast<uint64_t>(rng() % 10'000'000'000ull), unsigned(rng() % 100));
      if (agent.start_session(who, "internet", gatemeter_BillingOption_BILLING_PREPAID, id) !=
          core::StartResult::ok)
        break;
      agent.authorise(id, gatemeter_AuthDecision_AUTH_APPROVE);
      live.push_back(id);
    }
    for (size_t i = 0; i < live.size();) {
      agent.on_traffic(live[i], rng() % 20000, rng() % 4000);
      if (churn && rng() % 1200 == 0) {  // mean session length 20 minutes
        agent.stop_session(live[i], gatemeter_StopCause_STOP_USER_REQUEST);
        live[i] = live.back();
        live.pop_back();
      } else {
        ++i;
      }
    }
    session_seconds += static_cast<double>(live.size());
    agent.tick();
    auto sent = std::move(uplink.sent);
    uplink.sent.clear();
    if (mode == Uplink::healthy)
      for (const auto& d : sent) {
        auto ack = census.receive(d);
        if (!ack.empty()) agent.on_datagram(ack.data(), ack.size());
      }
  }
  RunResult r;
  r.session_hours = session_seconds / 3600.0;
  r.bytes_programmed = journal.stats().bytes_programmed - start.bytes_programmed;
  r.bytes_requested = journal.stats().bytes_requested - start.bytes_requested;
  r.records_persisted = agent.outbox().stats().records_persisted;
  r.persist_failures = agent.outbox().stats().persist_failures != 0;
  r.gc_runs = journal.stats().gc_runs;
  r.erase_min = ~0u;
  uint64_t sum = 0;
  const uint32_t n = test::agent_flash_geometry.sector_count;
  for (uint32_t s = 0; s < n; ++s) {
    const uint32_t e = flash.device().erase_count(s);
    r.erase_min = std::min(r.erase_min, e);
    r.erase_max = std::max(r.erase_max, e);
    sum += e;
  }
  r.erase_mean = static_cast<double>(sum) / n;
  return r;
}

// Instructions callgrind counts inside `function` of a probe run; -1 if it cannot run.
long long callgrind(const char* function, const std::string& probe_and_args) {
  const std::string out = "/tmp/gm_bench_callgrind." + std::to_string(getpid());
  const std::string cmd = std::string("valgrind --tool=callgrind --toggle-collect=") + function +
                          " --callgrind-out-file=" + out + " " + probe_and_args +
                          " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  long long total = -1;
  std::ifstream f(out);
  for (std::string line; std::getline(f, line);)
    if (line.rfind("summary:", 0) == 0 || line.rfind("totals:", 0) == 0)
      total = std::atoll(line.c_str() + line.find(':') + 1);
  std::remove(out.c_str());
  return rc == 0 ? total : -1;
}

const char* verdict(bool ok) { return ok ? "met" : "MISSED"; }

}  // namespace

int main() {
  std::printf("bench_journal: the agent (firmware/core) over the flash journal on simulated NOR\n"
              "flash, 16 x 4 KiB sectors, 4-byte words; simulated time, so every figure is an\n"
              "exact count that repeats run to run.\n\n");

  // ---- RAM ------------------------------------------------------------------------------------
  std::printf("RAM\n");
  std::printf("  %-58s %8zu bytes  (goal <= 144: %s)\n",
              "per session: sizeof(core::Session), 48-char identity incl.", sizeof(core::Session),
              verdict(sizeof(core::Session) <= 144));
  std::printf("  %-58s %8zu bytes  (%zu sessions)\n", "whole agent: sizeof(core::Agent)",
              sizeof(core::Agent), config::max_sessions);
  std::printf("  %-58s %8zu bytes  (index of %zu records)\n", "journal: sizeof(store::Journal)",
              sizeof(store::Journal), config::journal_max_records);

  // ---- flash writes -----------------------------------------------------------------------------
  const int sessions = 64;
  const RunResult healthy = run(Uplink::healthy, sessions, 2.0, true, 1);
  const RunResult silent = run(Uplink::silent, sessions, 2.0, false, 2);
  const RunResult down = run(Uplink::down, sessions, 2.0, false, 3);
  std::printf("\nflash written (64 sessions connected for 2 simulated hours with traffic; default\n"
              "settings: 60 s interval, persist after 30 s, 2 copies. Healthy: sessions last ~20 min\n"
              "and are replaced. Outages: the same 64 sessions throughout, since the STOPs of\n"
              "sessions that end during an outage are one-off writes, not a rate)\n");
  std::printf("  %-34s %14s %16s %12s\n", "uplink", "bytes/sess-hour", "bytes/sess-min", "WA");
  auto row = [](const char* name, const RunResult& r) {
    const double per_hour = static_cast<double>(r.bytes_programmed) / r.session_hours;
    const double wa = r.bytes_requested ? static_cast<double>(r.bytes_programmed) /
                                              static_cast<double>(r.bytes_requested)
                                        : 0.0;
    std::printf("  %-34s %14.1f %16.2f %12.2f%s\n", name, per_hour, per_hour / 60, wa,
                r.persist_failures ? "  (persist failures!)" : "");
    return per_hour;
  };
  const double healthy_rate = row("healthy (every datagram acked)", healthy);
  row("silent census (sent, never acked)", silent);
  row("down (uplink lost, detached)", down);
  std::printf("  goal: healthy <= 1 byte per session-minute: %s\n",
              verdict(healthy_rate / 60 <= 1.0));
  std::printf("  WA = bytes programmed (entries, padding, sector headers, GC copies, retire and\n"
              "  forget entries) / bytes of usage records the outbox asked to persist.\n");

  // ---- steady state, wear ---------------------------------------------------------------------
  const RunResult longrun = run(Uplink::silent, sessions, 24.0, false, 4);
  const double wa = static_cast<double>(longrun.bytes_programmed) /
                    static_cast<double>(longrun.bytes_requested);
  const double erases_per_hour = longrun.erase_max / 24.0;
  const double lifetime_years = 100000.0 / erases_per_hour / 24 / 365;
  std::printf("\nwear (census silent for 24 simulated hours: the outage write rate)\n");
  std::printf("  %-58s %8.2f  (goal <= 2: %s)\n", "write amplification at steady state", wa,
              verdict(wa <= 2.0));
  std::printf("  %-58s %u / %.1f / %u\n", "erases per sector min / mean / max", longrun.erase_min,
              longrun.erase_mean, longrun.erase_max);
  std::printf("  %-58s %u\n", "garbage collections", longrun.gc_runs);
  std::printf("  %-58s %8.1f years\n", "lifetime on 100,000-cycle NOR at this rate",
              lifetime_years);

  // ---- recovery -------------------------------------------------------------------------------
  std::printf("\nrecovery at boot: instructions callgrind counts inside Journal::mount() of a full\n"
              "journal (ring wrapped twice, every sector but the two spare ones full), x86-64\n"
              "release build; 48-char identities\n");
  std::printf("  %-26s %10s %16s\n", "journal", "records", "instructions");
  struct Case {
    int sectors, size, sessions;
  };
  long long full64 = -1;
  for (const Case c : {Case{8, 4096, 64}, Case{16, 4096, 64}, Case{16, 4096, 256},
                       Case{32, 4096, 64}, Case{32, 4096, 256}}) {
    const long long n =
        callgrind("gm_bench_recover_once", std::string(GM_RECOVERY_PROBE) + " " +
                                               std::to_string(c.sectors) + " " +
                                               std::to_string(c.size) + " " +
                                               std::to_string(c.sessions));
    if (n < 0) {
      std::printf("  valgrind could not run the probe (is valgrind installed? this must be the\n"
                  "  release build: sanitizers and valgrind do not mix)\n");
      return 1;
    }
    if (c.sectors == 16 && c.sessions == 256) full64 = n;
    std::printf("  %2d x %d B = %4d KiB %10d %16lld\n", c.sectors, c.size,
                c.sectors * c.size / 1024, c.sessions, n);
  }
  std::printf("  goal: full 64 KiB journal <= 1,250,000 instructions: %s\n",
              verdict(full64 >= 0 && full64 <= 1'250'000));
  // ---- CPU per tick -----------------------------------------------------------------------
  std::printf("\nCPU per metering tick: instructions callgrind counts in 600 one-second ticks of\n"
              "the agent (64 active sessions with traffic, 60 s interval, healthy uplink; each\n"
              "tick's sends and the fake census's acks included), x86-64 release build\n");
  const long long short_run = callgrind("gm_bench_ticks", std::string(GM_TICK_PROBE) + " 64 60");
  const long long long_run = callgrind("gm_bench_ticks", std::string(GM_TICK_PROBE) + " 64 660");
  if (short_run < 0 || long_run < 0) {
    std::printf("  valgrind could not run the tick probe\n");
    return 1;
  }
  const double per_tick = static_cast<double>(long_run - short_run) / 600.0;
  std::printf("  %-58s %10.0f\n", "instructions per tick (64 sessions)", per_tick);
  std::printf("  %-58s %10.0f\n", "instructions per session tick", per_tick / 64);

  std::printf("\njournal_recovery_instructions_64k=%lld healthy_bytes_per_session_min=%.2f "
              "write_amplification=%.2f session_tick_instructions=%.0f\n",
              full64, healthy_rate / 60, wa, per_tick / 64);
  return 0;
}
