// Where a PostgreSQL server's time goes, for bench_census_pg: the CPU of its processes (the
// postmaster and every child, from /proc, by kind), and the server's own counters: WAL written
// (pg_current_wal_lsn) and how often and how long it was fsynced (pg_stat_wal; the time needs
// track_wal_io_timing=on), checkpoints (pg_stat_bgwriter, pg_stat_checkpointer from 17), and
// the upserts on subscriber_sessions (pg_stat_user_tables: HOT or not, autovacuum).
//
// Other backends publish their statistics about once a second (and when they exit), so a
// pg_stat_* figure sampled while the census commits lags by up to a second; the WAL position
// and /proc do not lag.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gm::bench {

struct PgCpu {  // CPU seconds (user + system)
  double backends = 0;      // client connections: the census committers, the login service, ...
  double walwriter = 0;
  double checkpointer = 0;  // checkpointer and background writer
  double autovacuum = 0;    // launcher and workers
  double other = 0;         // postmaster, logger, processes that ended within the interval
  double total() const { return backends + walwriter + checkpointer + autovacuum + other; }
};

// Every process of the server at one moment: pid -> (kind, CPU seconds so far).
struct PgCpuSnapshot {
  std::map<pid_t, std::pair<int, double>> processes;
  double postmaster = 0;        // its own CPU
  double ended_children = 0;    // cutime + cstime: children it has reaped
};
PgCpu cpu_between(const PgCpuSnapshot& from, const PgCpuSnapshot& to);

struct PgCounters {
  uint64_t wal_bytes = 0;  // from the WAL position
  uint64_t wal_records = 0, wal_fpi = 0, wal_buffers_full = 0, wal_write = 0, wal_sync = 0;
  double wal_write_ms = 0, wal_sync_ms = 0;
  uint64_t checkpoints = 0, checkpoint_buffers = 0;
  double checkpoint_write_ms = 0, checkpoint_sync_ms = 0;
  uint64_t buffers_backend = 0;  // pages the backends had to write out themselves
  uint64_t tup_upd = 0, tup_hot_upd = 0, autovacuums = 0;
  uint64_t blks_read = 0, blks_hit = 0;  // the bench database, from outside shared_buffers or not
};
PgCounters operator-(const PgCounters& a, const PgCounters& b);

class PgMonitor {
 public:
  // conninfo: the benchmark's database (libpq). Throws std::runtime_error.
  explicit PgMonitor(const std::string& conninfo);
  ~PgMonitor();
  PgMonitor(const PgMonitor&) = delete;
  PgMonitor& operator=(const PgMonitor&) = delete;

  PgCpuSnapshot cpu() const;
  PgCounters counters();
  // Runs a statement; throws with the server's message.
  void exec(const std::string& sql);
  // The first column of the first row.
  std::string value(const std::string& sql);
  // Every row, every column as text (NULL: "").
  std::vector<std::vector<std::string>> rows(const std::string& sql);
  // Waits (up to `seconds`) until no other connection to the database is open: the census's
  // backends have exited and published their statistics. False on timeout.
  bool wait_for_no_other_connections(double seconds);
  pid_t postmaster() const { return postmaster_; }

 private:
  PGconn* c_ = nullptr;
  pid_t postmaster_ = 0;
  int version_ = 0;
};

}  // namespace gm::bench
