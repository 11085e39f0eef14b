#include "tests/bench/pg_usage.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gm::bench {

namespace {

enum Kind { backend, walwriter, checkpointer, autovacuum, other };

struct Stat {
  pid_t ppid = 0;
  double cpu = 0, children_cpu = 0;
};

bool read_stat(pid_t pid, Stat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return false;
  // After the command: state (field 3), ppid (4), ... utime, stime, cutime, cstime (14-17).
  std::vector<std::string> f;
  for (size_t i = close + 2; i < s.size();) {
    const size_t sp = s.find(' ', i);
    f.push_back(s.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
    if (sp == std::string::npos) break;
    i = sp + 1;
  }
  if (f.size() < 15) return false;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  out.ppid = static_cast<pid_t>(std::atol(f[1].c_str()));
  out.cpu = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / tick;
  out.children_cpu = (std::atof(f[13].c_str()) + std::atof(f[14].c_str())) / tick;
  return true;
}

// A server process names itself in its command line ("postgres: walwriter", "postgres: gm
// gm_test_1 127.0.0.1(40312) idle" for a client connection).
Kind kind_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.find("walwriter") != std::string::npos) return walwriter;
  if (s.find("checkpointer") != std::string::npos || s.find("background writer") != std::string::npos)
    return checkpointer;
  if (s.find("autovacuum") != std::string::npos) return autovacuum;
  if (s.find("launcher") != std::string::npos || s.find("logger") != std::string::npos ||
      s.find("archiver") != std::string::npos || s.find("startup") != std::string::npos)
    return other;
  return backend;
}

uint64_t u64(PGresult* r, int col) {
  return PQgetisnull(r, 0, col) ? 0 : std::strtoull(PQgetvalue(r, 0, col), nullptr, 10);
}
double dbl(PGresult* r, int col) {
  return PQgetisnull(r, 0, col) ? 0 : std::strtod(PQgetvalue(r, 0, col), nullptr);
}

}  // namespace

PgCpu cpu_between(const PgCpuSnapshot& from, const PgCpuSnapshot& to) {
  PgCpu c;
  double* by_kind[] = {&c.backends, &c.walwriter, &c.checkpointer, &c.autovacuum, &c.other};
  for (const auto& [pid, p] : to.processes) {
    const auto before = from.processes.find(pid);
    *by_kind[p.first] += p.second - (before == from.processes.end() ? 0 : before->second.second);
  }
  // A child that ended moved its whole lifetime's CPU into the postmaster's cutime: less
  // what it had used before the interval began.
  c.other += to.postmaster - from.postmaster + to.ended_children - from.ended_children;
  for (const auto& [pid, p] : from.processes)
    if (!to.processes.count(pid)) c.other -= p.second;
  return c;
}

PgCounters operator-(const PgCounters& a, const PgCounters& b) {
  PgCounters d;
  d.wal_bytes = a.wal_bytes - b.wal_bytes;
  d.wal_records = a.wal_records - b.wal_records;
  d.wal_fpi = a.wal_fpi - b.wal_fpi;
  d.wal_buffers_full = a.wal_buffers_full - b.wal_buffers_full;
  d.wal_write = a.wal_write - b.wal_write;
  d.wal_sync = a.wal_sync - b.wal_sync;
  d.wal_write_ms = a.wal_write_ms - b.wal_write_ms;
  d.wal_sync_ms = a.wal_sync_ms - b.wal_sync_ms;
  d.checkpoints = a.checkpoints - b.checkpoints;
  d.checkpoint_buffers = a.checkpoint_buffers - b.checkpoint_buffers;
  d.checkpoint_write_ms = a.checkpoint_write_ms - b.checkpoint_write_ms;
  d.checkpoint_sync_ms = a.checkpoint_sync_ms - b.checkpoint_sync_ms;
  d.buffers_backend = a.buffers_backend - b.buffers_backend;
  d.tup_upd = a.tup_upd - b.tup_upd;
  d.tup_hot_upd = a.tup_hot_upd - b.tup_hot_upd;
  d.autovacuums = a.autovacuums - b.autovacuums;
  d.blks_read = a.blks_read - b.blks_read;
  d.blks_hit = a.blks_hit - b.blks_hit;
  return d;
}

PgMonitor::PgMonitor(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(c_) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c_);
    PQfinish(c_);
    throw std::runtime_error("cannot connect to the benchmark's database: " + why);
  }
  version_ = PQserverVersion(c_);
  // Every connection is a child of the postmaster: ours tells us which process that is.
  Stat s;
  if (!read_stat(static_cast<pid_t>(std::atol(value("SELECT pg_backend_pid()").c_str())), s)) {
    PQfinish(c_);
    throw std::runtime_error("cannot read the server's processes in /proc (another host?)");
  }
  postmaster_ = s.ppid;
}

PgMonitor::~PgMonitor() { PQfinish(c_); }

PgCpuSnapshot PgMonitor::cpu() const {
  PgCpuSnapshot snap;
  Stat s;
  if (read_stat(postmaster_, s)) {
    snap.postmaster = s.cpu;
    snap.ended_children = s.children_cpu;
  }
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return snap;
  while (const dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid <= 0 || !read_stat(pid, s) || s.ppid != postmaster_) continue;
    snap.processes[pid] = {kind_of(pid), s.cpu};
  }
  ::closedir(d);
  return snap;
}

void PgMonitor::exec(const std::string& sql) {
  PGresult* r = PQexec(c_, sql.c_str());
  const auto status = PQresultStatus(r);
  const std::string why = PQerrorMessage(c_);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("postgresql: " + sql + ": " + why);
}

std::string PgMonitor::value(const std::string& sql) {
  PGresult* r = PQexec(c_, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
    const std::string why = PQerrorMessage(c_);
    PQclear(r);
    throw std::runtime_error("postgresql: " + sql + ": " + why);
  }
  std::string out = PQgetvalue(r, 0, 0);
  PQclear(r);
  return out;
}

std::vector<std::vector<std::string>> PgMonitor::rows(const std::string& sql) {
  PGresult* r = PQexec(c_, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    const std::string why = PQerrorMessage(c_);
    PQclear(r);
    throw std::runtime_error("postgresql: " + sql + ": " + why);
  }
  std::vector<std::vector<std::string>> out(PQntuples(r));
  for (int i = 0; i < PQntuples(r); ++i)
    for (int j = 0; j < PQnfields(r); ++j) out[i].push_back(PQgetvalue(r, i, j));
  PQclear(r);
  return out;
}

PgCounters PgMonitor::counters() {
  // 17 moved the checkpointer's figures out of pg_stat_bgwriter, and backends' writes to
  // pg_stat_io.
  const std::string checkpoints =
      version_ >= 170000
          ? "(SELECT num_timed + num_requested, buffers_written, write_time, sync_time, "
            "(SELECT coalesce(sum(writes), 0) FROM pg_stat_io WHERE backend_type = 'client "
            "backend') FROM pg_stat_checkpointer)"
          : "(SELECT checkpoints_timed + checkpoints_req, buffers_checkpoint, "
            "checkpoint_write_time, checkpoint_sync_time, buffers_backend FROM pg_stat_bgwriter)";
  const std::string sql =
      "SELECT pg_current_wal_lsn() - '0/0', w.wal_records, w.wal_fpi, w.wal_buffers_full, "
      "w.wal_write, w.wal_sync, w.wal_write_time, w.wal_sync_time, c.*, "
      "coalesce(t.n_tup_upd, 0), coalesce(t.n_tup_hot_upd, 0), coalesce(t.autovacuum_count, 0), "
      "d.blks_read, d.blks_hit "
      "FROM pg_stat_wal w CROSS JOIN " + checkpoints + " AS c CROSS JOIN pg_stat_database d "
      "LEFT JOIN pg_stat_user_tables t ON t.relname = 'subscriber_sessions' "
      "WHERE d.datname = current_database()";
  PGresult* r = PQexec(c_, sql.c_str());
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    const std::string why = PQerrorMessage(c_);
    PQclear(r);
    throw std::runtime_error("postgresql: reading pg_stat_*: " + why);
  }
  PgCounters c;
  c.wal_bytes = static_cast<uint64_t>(dbl(r, 0));
  c.wal_records = u64(r, 1);
  c.wal_fpi = u64(r, 2);
  c.wal_buffers_full = u64(r, 3);
  c.wal_write = u64(r, 4);
  c.wal_sync = u64(r, 5);
  c.wal_write_ms = dbl(r, 6);
  c.wal_sync_ms = dbl(r, 7);
  c.checkpoints = u64(r, 8);
  c.checkpoint_buffers = u64(r, 9);
  c.checkpoint_write_ms = dbl(r, 10);
  c.checkpoint_sync_ms = dbl(r, 11);
  c.buffers_backend = static_cast<uint64_t>(dbl(r, 12));
  c.tup_upd = u64(r, 13);
  c.tup_hot_upd = u64(r, 14);
  c.autovacuums = u64(r, 15);
  c.blks_read = u64(r, 16);
  c.blks_hit = u64(r, 17);
  PQclear(r);
  return c;
}

bool PgMonitor::wait_for_no_other_connections(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  for (;;) {
    if (value("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
              "pid <> pg_backend_pid()") == "0")
      return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gm::bench
