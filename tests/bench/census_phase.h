// One bench_census phase from start to verdict: a gatemeter-server of its own over the run's
// state folder, fresh logins of every agent, frames sealed, the load run (census_load.h), the
// server stopped (its exit line gives the phase's commits), every ack opened and checked
// (ack_audit.h), the store read back (store_check.h). And the store-ceiling phase for a census
// phase (store_ceiling.h) on a fresh copy of the prefilled store. Each prints what it did.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/ack_audit.h"
#include "tests/bench/census_load.h"
#include "tests/bench/prefilled_store.h"
#include "tests/bench/server_process.h"
#include "tests/bench/store_ceiling.h"
#include "tests/bench/store_check.h"

namespace gm::bench {

struct PhaseSettings {
  std::string server;  // gatemeter-server
  unsigned census_threads = 2;
  uint32_t in_flight = 1024;  // closed loop
  uint32_t grace_ms = 2000;
};

struct Phase {
  std::string name;
  std::unique_ptr<PhaseRecords> records;  // what it sent; kept for its ceiling
  LoadRun run;  // its send times and ack log are released once audited
  AckAudit audit;
  StoreCheck check;
  CensusCounters counters;
  uint64_t wal_peak_bytes = 0;  // the store's write-ahead log, sampled every 250 ms
  double ms_per_commit() const { return counters.commits ? 1000 * run.seconds / counters.commits : 0; }
  double rate_records() const { return run.seconds > 0 ? audit.records_in_phase / run.seconds : 0; }
  double rate_datagrams() const {
    return run.seconds > 0 ? (audit.datagrams_acked - audit.late_acks) / run.seconds : 0;
  }
  bool ok() const { return audit.ok() && check.ok(); }
};

// What a phase's acks and store check showed, and a FAIL line for each that failed. open_loop:
// also where in the phase the latency tail is; show_wal: the SQLite log's peak size.
void report_phase(const Phase& p, bool open_loop, bool show_wal);

class PhaseRunner {
 public:
  PhaseRunner(const PhaseSettings& settings, const PrefilledStore& prefill,
              const std::string& state_dir, const std::string& scratch_dir);
  ~PhaseRunner();
  PhaseRunner(const PhaseRunner&) = delete;
  PhaseRunner& operator=(const PhaseRunner&) = delete;

  // rate_per_s 0: closed loop. `frames`: how many to seal (the most the phase can send).
  // corrupt: the negative control (negative_control.h). nullopt if the server or a login failed.
  std::optional<Phase> run(const std::string& name, uint32_t per, Walk walk, double seconds,
                           double rate_per_s, size_t frames, bool corrupt = false);
  // The store's ceiling for what `phase` sent, in its mean commit size; nullopt (and a FAIL
  // line) on a store error.
  std::optional<CeilingResult> ceiling(const Phase& phase);

 private:
  PhaseSettings settings_;
  const PrefilledStore& prefill_;
  std::string state_dir_, scratch_dir_;
  SessionPlan plan_;
  std::vector<int> sockets_;
  std::vector<std::unique_ptr<test::TestAgent>> agents_;
};

}  // namespace gm::bench
