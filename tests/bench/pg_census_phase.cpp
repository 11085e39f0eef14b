#include "tests/bench/pg_census_phase.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace gm::bench {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct MachineCpu {
  double busy = 0, iowait = 0, steal = 0;
};

// The first line of /proc/stat: user nice system idle iowait irq softirq steal, in ticks.
MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {(user + nice + system + irq + softirq) / tick, iowait / tick, steal / tick};
}

}  // namespace

PgPhaseRunner::PgPhaseRunner(const PhaseSettings& settings, const PrefilledStore& prefill,
                             const std::string& store_spec, const std::string& state_dir,
                             PgMonitor& monitor)
    : settings_(settings), prefill_(prefill), store_spec_(store_spec), state_dir_(state_dir),
      monitor_(monitor),
      plan_(static_cast<uint32_t>(prefill.agent_ids.size()), prefill.per_agent) {
  for (int i = 0; i < 8; ++i) {  // as PhaseRunner: several source sockets, SO_REUSEPORT spreads them
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const int buf = 8 << 20;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    sockets_.push_back(fd);
  }
  for (size_t a = 0; a < prefill.agent_ids.size(); ++a)
    agents_.push_back(std::make_unique<test::TestAgent>(prefill.agent_ids[a], prefill.credentials[a]));
}

PgPhaseRunner::~PgPhaseRunner() {
  for (int fd : sockets_) ::close(fd);
}

std::optional<PgPhase> PgPhaseRunner::run(const std::string& name, unsigned nodes,
                                          unsigned census_threads, uint32_t per, Walk walk,
                                          double seconds, double rate_per_s, size_t frames) {
  PgPhase p;
  p.name = name;
  p.nodes = nodes;
  PgCounters whole0;
  try {
    whole0 = monitor_.counters();
  } catch (const std::exception& e) {
    std::printf("FAIL: %s: %s\n", name.c_str(), e.what());
    return std::nullopt;
  }
  std::vector<std::unique_ptr<ServerProcess>> servers;
  for (unsigned n = 0; n < nodes; ++n) {
    std::vector<std::string> extra = {"--store=" + store_spec_};
    if (n > 0) extra.push_back("--services=census");
    servers.push_back(std::make_unique<ServerProcess>());
    if (!servers.back()->start(settings_.server, state_dir_, census_threads, extra)) {
      std::printf("FAIL: %s: census node %u did not start\n", name.c_str(), n + 1);
      return std::nullopt;
    }
  }
  std::string pin_hex;
  std::ifstream(state_dir_ + "/login-pin.sha256") >> pin_hex;
  const auto pin = test::parse_hex32(pin_hex);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t a = 0; a < agents_.size(); ++a)
    if (!pin || !agents_[a]->login("127.0.0.1", servers[0]->login_port(), *pin, 30'000)) {
      std::printf("FAIL: %s: login of %s: %s\n", name.c_str(), prefill_.agent_ids[a].c_str(),
                  agents_[a]->error().c_str());
      return std::nullopt;
    }
  const double login_s = since(t0);
  std::vector<sockaddr_in> censuses(nodes);
  for (unsigned n = 0; n < nodes; ++n)
    test::parse_endpoint("127.0.0.1:" + std::to_string(servers[n]->census_port()), censuses[n]);

  p.records = std::make_unique<PhaseRecords>(plan_, per, walk);
  t0 = std::chrono::steady_clock::now();
  FramePool pool = seal_frames(agents_, *p.records, frames, std::thread::hardware_concurrency());
  std::printf("  %u node%s; %zu logins in %.1f s; %zu frames sealed (%.0f MB) in %.1f s\n", nodes,
              nodes == 1 ? "" : "s", agents_.size(), login_s, pool.size(), pool.bytes() / 1e6,
              since(t0));
  std::fflush(stdout);
  LoadGenerator gen(agents_, sockets_, censuses);
  gen.drain();
  // The load generator asks for the census's CPU as the phase starts and as it ends: the
  // PostgreSQL server's CPU and counters are taken at the same two moments.
  PgCpuSnapshot cpu[2];
  PgCounters counters[2];
  MachineCpu machine[2];
  int sample = 0;
  std::string monitor_error;
  auto census_cpu = [&] {
    double c = 0;
    for (const auto& s : servers) c += s->cpu_seconds();
    if (sample < 2) {
      machine[sample] = machine_cpu();
      cpu[sample] = monitor_.cpu();
      try {
        counters[sample] = monitor_.counters();
      } catch (const std::exception& e) {
        monitor_error = e.what();
      }
      ++sample;
    }
    return c;
  };
  p.run = gen.run(*p.records, pool, seconds, rate_per_s > 0 ? 0 : settings_.in_flight, rate_per_s,
                  std::chrono::milliseconds(settings_.grace_ms), census_cpu);
  pool = {};
  p.machine_busy = machine[1].busy - machine[0].busy;
  p.machine_iowait = machine[1].iowait - machine[0].iowait;
  p.machine_steal = machine[1].steal - machine[0].steal;
  p.counters.seen = true;
  for (auto& s : servers) {  // each commits and acknowledges what it verified, prints its counters
    s->stop();
    const CensusCounters c = s->counters();
    p.node_counters.push_back(c);
    p.counters.datagrams += c.datagrams;
    p.counters.accepted += c.accepted;
    p.counters.records_committed += c.records_committed;
    p.counters.commits += c.commits;
    p.counters.seen = p.counters.seen && c.seen;
  }
  if (p.run.frames_sent == frames && p.run.seconds < seconds * 0.99)
    std::printf("  note: all %zu sealed frames were sent and answered after %.1f s of the "
                "phase's %.1f s: the pool was too small for this census\n",
                frames, p.run.seconds, seconds);

  p.records->mark_sent(plan_, p.run.frames_sent);
  try {
    if (!monitor_error.empty()) throw std::runtime_error(monitor_error);
    p.pg_cpu = cpu_between(cpu[0], cpu[1]);
    p.pg = counters[1] - counters[0];
    // The nodes' connections publish their statistics as they close.
    if (!monitor_.wait_for_no_other_connections(10))
      std::printf("  note: the nodes' database connections were still open 10 s after they "
                  "stopped\n");
    p.pg_whole = monitor_.counters() - whole0;
    p.audit = audit_acks(p.run, *p.records, agents_, plan_);
    p.run.acks = {};
    p.run.sent_at = {};
    p.check = check_store(store_spec_, plan_, prefill_.agent_ids);
  } catch (const std::exception& e) {
    std::printf("FAIL: %s: %s\n", name.c_str(), e.what());
    return std::nullopt;
  }
  if (nodes > 1) {
    std::printf("  records committed by node:");
    for (const CensusCounters& c : p.node_counters)
      std::printf(" %llu in %llu commits;", static_cast<unsigned long long>(c.records_committed),
                  static_cast<unsigned long long>(c.commits));
    std::printf("\n");
  }
  report_phase(p, rate_per_s > 0, false);
  return p;
}

}  // namespace gm::bench
