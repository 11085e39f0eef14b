// The store's own ceiling on this machine: the records a census phase sent, in the order it
// sent them, applied straight into a fresh copy of the same starting store through
// UsageStore::apply, in transactions of the census's mean commit size for that phase, each
// sorted as the census's committer sorts it. Set up as the census sets up its store:
// automatic checkpoints off on the writer, and a second connection checkpointing every 100 ms.
// No network, no verification, no acks: what is left is the upserts and the fsyncs. Only the
// apply() calls are timed (building each batch is not), in wall and in thread CPU time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/bench/census_plan.h"

namespace gm::bench {

struct CeilingResult {
  uint64_t records = 0, commits = 0;
  double apply_seconds = 0;      // inside apply()
  double apply_cpu_seconds = 0;  // of that, on the CPU (the rest: waiting, mostly for fsync)
  uint64_t wal_peak_bytes = 0;   // the write-ahead log's largest size, seen after a commit
  std::vector<double> rate_by_slice;  // records/s over each 10 s of apply() time
  double records_per_s() const { return apply_seconds > 0 ? records / apply_seconds : 0; }
};

// agent_ids: the store's agent keys (Agent::id) by bench agent; login_sessions: any ids to
// store with the records (the census stores the login session's).
CeilingResult measure_store_ceiling(const std::string& store_path, const PhaseRecords& phase,
                                    size_t frames_sent, size_t records_per_commit,
                                    const std::vector<int64_t>& agent_ids,
                                    const std::vector<uint64_t>& login_sessions);

}  // namespace gm::bench
