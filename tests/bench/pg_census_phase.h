// One bench_census_pg phase, as census_phase.h's but over a PostgreSQL store and on one or
// more census nodes: node 1 runs census,login, the others census only, every one a
// gatemeter-server of its own over the same database (store=postgresql:...); agents log in at
// node 1 and agent a sends to node a % nodes. Frames sealed, the load run (census_load.h), the
// nodes stopped (their exit lines give the commits), every ack opened and checked
// (ack_audit.h), the database read back (store_check.h). Meanwhile it takes what the machine
// spent: the nodes' CPU and the load generator's, the PostgreSQL server's CPU and counters
// (pg_usage.h), all over the phase itself.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/census_phase.h"
#include "tests/bench/pg_usage.h"

namespace gm::bench {

struct PgPhase : Phase {
  unsigned nodes = 1;
  std::vector<CensusCounters> node_counters;
  PgCpu pg_cpu;          // the PostgreSQL server's processes, over the phase
  PgCounters pg;         // the server's counters, over the phase
  PgCounters pg_whole;   // from before the nodes started to after the last of them stopped
  // The whole machine over the phase (/proc/stat), CPU seconds summed over its cores: busy
  // (user, system, interrupts), waiting for I/O with nothing to run, taken by the hypervisor.
  double machine_busy = 0, machine_iowait = 0, machine_steal = 0;
};

class PgPhaseRunner {
 public:
  // state_dir: the nodes' shared state folder (vault.key; node 1 makes its TLS key there).
  PgPhaseRunner(const PhaseSettings& settings, const PrefilledStore& prefill,
                const std::string& store_spec, const std::string& state_dir, PgMonitor& monitor);
  ~PgPhaseRunner();
  PgPhaseRunner(const PgPhaseRunner&) = delete;
  PgPhaseRunner& operator=(const PgPhaseRunner&) = delete;

  // census_threads: each node's. rate_per_s 0: closed loop. `frames`: how many to seal.
  // nullopt (and a FAIL line) if a node, a login or reading the store back failed.
  std::optional<PgPhase> run(const std::string& name, unsigned nodes, unsigned census_threads,
                             uint32_t per, Walk walk, double seconds, double rate_per_s,
                             size_t frames);

 private:
  PhaseSettings settings_;
  const PrefilledStore& prefill_;
  std::string store_spec_, state_dir_;
  PgMonitor& monitor_;
  SessionPlan plan_;
  std::vector<int> sockets_;
  std::vector<std::unique_ptr<test::TestAgent>> agents_;
};

}  // namespace gm::bench
