// Census benchmark on PostgreSQL (issue 11): bench_census's load generator and checks
// (census_load.h, ack_audit.h, store_check.h) against gatemeter-server nodes whose store is a
// private PostgreSQL cluster this process starts (tests/support/pg_cluster.h), with one census
// node and with three over the same database (pg_census_phase.h: node 1 runs census,login, the
// others census only; agent a sends to node a % nodes). A figure counts only records that an
// authentic ack named and that the database, read back after the phase, holds.
//
//   P. prefill: 64 agents x 15,625 sessions (1,000,000) written through UsageStore::apply in
//      100,000-record transactions (prefilled_store.h's fill_store), then VACUUM ANALYZE and a
//      CHECKPOINT, as after any bulk load; built afresh every run (the figure says how long)
//   A-pg. records/s, 20 records per datagram, 1,024 datagrams in flight (closed loop), 60 s,
//      every agent walking its sessions in id order (census_plan.h); 1 node, then 3
//   B-pg. datagrams/s, 1 record per datagram, 1,024 in flight, 10 s; 1 node, then 3
//   C-pg. acknowledgement latency at half the goal load, open loop, 20 records per datagram,
//      10 s: 50,000 records/s (half of 100,000), or half of A-pg's rate with as many nodes if
//      that fell short; 1 node, then 3
//
// Each phase starts its own nodes over the same database with fresh logins, after a
// CHECKPOINT (--no-checkpoint: not), so that every phase starts the same way: the first write
// to each page after a checkpoint logs the whole page, and a phase that began in the middle of
// a checkpoint cycle would pay less of that than one that began after it.
//
// The phases run in the order A-pg 1 node, A-pg 3 nodes, B-pg 1, B-pg 3, C-pg 1, C-pg 3, over
// one database. Right after the prefill every heap page is full (the schema's fillfactor is
// 100), so the first updates cannot stay on their row's page (no HOT update: a new row version
// elsewhere and a new index entry each); once a pass has left old versions to prune, most of
// them can. A-pg with 1 node pays most of that; the table says how many updates were HOT.
//
// Where the time goes, over each phase: the census nodes' CPU and the load generator's (from
// /proc, as server_process.h), the PostgreSQL server's CPU (the postmaster and all its
// children from /proc, by kind: client backends, walwriter, checkpointer and background writer,
// autovacuum), the whole machine's (/proc/stat: other work on this shared machine shows as
// "others"), and the server's own counters (pg_usage.h): WAL bytes, how many fsyncs of the WAL
// and the time in them (pg_stat_wal with track_wal_io_timing=on), full-page images,
// checkpoints, HOT updates.
//
// The cluster's settings (PgCluster::set_server_settings; --pg-setting=name=value adds or
// overrides one). Durability is PostgreSQL's default and stays so: fsync on, synchronous_commit
// on (the store sets it on every connection and reads it back), full_page_writes on,
// wal_sync_method the platform's default (fdatasync on Linux).
//   shared_buffers=1GB      the 1-million-session table and its index (about 200 MB after the
//                           prefill, more as updates leave old row versions) stay in the
//                           server's cache, as on a database host sized for its working set;
//                           the default 128 MB holds less than that
//   wal_buffers=64MB        room for several commits' WAL (a 10,000-record commit writes about
//                           5 MB); the automatic size stops at 16 MB
//   max_wal_size=4GB, min_wal_size=1GB
//                           checkpoints by time (checkpoint_timeout, 5 min, the default) or by
//                           2 GB of WAL, not every few seconds: at 100,000 records/s this store
//                           writes about 50 MB of WAL a second
//   track_wal_io_timing=on, track_io_timing=on
//                           so pg_stat_wal says how long the WAL's fsyncs took (a clock read per
//                           WAL write and sync; negligible here)
// --statements adds pg_stat_statements (shared_preload_libraries) and prints, after each phase,
// the statements that took the server's time; --fillfactor=N sets subscriber_sessions'
// fillfactor before the prefill (an experiment: the store's schema leaves it at 100).
//
// FAILS (exit 1, lines starting "FAIL") when an ack does not open or names a record its datagram
// did not carry, or when the database, read back, lacks an acknowledged (session, seq) or holds
// other totals than were sent with its seq. Goals are printed, never asserted. Exit 77 (ctest's
// skip) when no PostgreSQL cluster can be started here. The last line is
// pg_records_per_s=<A-pg records/s, 3 nodes> pg_p99_ack_ms=<C-pg p99, 3 nodes> nodes=3.
//
//   bench_census_pg [--seconds=S] [--long-seconds=S] [--agents=N] [--sessions=N]
//                   [--census-threads=N] [--node-threads=N] [--in-flight=N] [--grace-ms=MS]
//                   [--pg-setting=NAME=VALUE ...] [--no-checkpoint] [--statements]
//                   [--fillfactor=N] [--smoke] [--server=PATH]
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "host/store/store.h"
#include "tests/bench/pg_census_phase.h"
#include "tests/support/pg_cluster.h"

using namespace gm::bench;

namespace {

// Goals (issue 11), and the figure they are set against.
constexpr double goal_records_per_s = 100'000;
constexpr double goal_p99_ms = 50;
constexpr double freeradius_requests_per_s = 3'900;

struct Options {
  double seconds = 10;       // B and C
  double long_seconds = 60;  // A
  uint32_t agents = 64;
  uint64_t sessions = 1'000'000;
  unsigned node_threads = 1;  // census threads of each of three nodes
  bool smoke = false;
  bool checkpoint = true;
  unsigned fillfactor = 0;  // 0: the store's own (100)
  bool statements = false;  // pg_stat_statements after each phase
  std::vector<std::string> pg_settings = {
      "shared_buffers=1GB",    "wal_buffers=64MB",       "max_wal_size=4GB",
      "min_wal_size=1GB",      "checkpoint_timeout=5min", "track_wal_io_timing=on",
      "track_io_timing=on"};
  PhaseSettings phase{GM_SERVER};
};

std::optional<std::string> value(const char* arg, const char* name) {
  const size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) == 0 && arg[n] == '=') return std::string(arg + n + 1);
  return std::nullopt;
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  in >> a >> b >> c;
  char out[64];
  std::snprintf(out, sizeof out, "%.2f %.2f %.2f", a, b, c);
  return out;
}

void announce(const std::string& what) {
  std::printf("\n%s  [load average %s]\n", what.c_str(), loadavg().c_str());
  std::fflush(stdout);
}

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A later --pg-setting of the same name replaces an earlier one.
void set(std::vector<std::string>& settings, const std::string& name_value) {
  const std::string name = name_value.substr(0, name_value.find('='));
  std::erase_if(settings, [&](const std::string& s) { return s.substr(0, s.find('=')) == name; });
  settings.push_back(name_value);
}

}  // namespace

int main(int argc, char** argv) {
  const auto run_start = std::chrono::steady_clock::now();
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--smoke")) o.smoke = true;
    else if (!std::strcmp(a, "--no-checkpoint")) o.checkpoint = false;
    else if (!std::strcmp(a, "--statements")) o.statements = true;
    else if (auto v = value(a, "--server")) o.phase.server = *v;
    else if (auto v = value(a, "--seconds")) o.seconds = std::stod(*v);
    else if (auto v = value(a, "--long-seconds")) o.long_seconds = std::stod(*v);
    else if (auto v = value(a, "--agents")) o.agents = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--sessions")) o.sessions = std::stoull(*v);
    else if (auto v = value(a, "--census-threads")) o.phase.census_threads = std::stoul(*v);
    else if (auto v = value(a, "--fillfactor")) o.fillfactor = std::stoul(*v);
    else if (auto v = value(a, "--node-threads")) o.node_threads = std::stoul(*v);
    else if (auto v = value(a, "--in-flight")) o.phase.in_flight = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--grace-ms")) o.phase.grace_ms = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--pg-setting"); v && v->find('=') != std::string::npos)
      set(o.pg_settings, *v);
    else {
      std::fprintf(stderr, "bench_census_pg: unknown argument %s (see the top of bench_census_pg.cpp)\n", a);
      return 2;
    }
  }
  if (o.smoke) {
    o.seconds = 0.5, o.long_seconds = 1;
    o.agents = 4, o.sessions = 2000, o.phase.grace_ms = 500;
    set(o.pg_settings, "shared_buffers=128MB");  // the default: nothing to hold
  }
  if (o.statements) set(o.pg_settings, "shared_preload_libraries=pg_stat_statements");
  o.agents = std::max(1u, o.agents);
  const uint32_t per_agent = static_cast<uint32_t>(std::max<uint64_t>(1, o.sessions / o.agents));
  const uint64_t sessions = static_cast<uint64_t>(per_agent) * o.agents;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::signal(SIGPIPE, SIG_IGN);

  // The cluster first: without one there is nothing to measure (ctest: skipped).
  auto t0 = std::chrono::steady_clock::now();
  gm::test::PgCluster::set_server_settings(o.pg_settings);
  std::string why;
  gm::test::PgCluster* cluster = gm::test::PgCluster::shared(&why);
  if (cluster == nullptr) {
    std::printf("SKIP: bench_census_pg: no PostgreSQL cluster: %s\n", why.c_str());
    return 77;
  }
  std::string database, conninfo;
  try {
    database = cluster->create_database();
    conninfo = cluster->conninfo(database);
  } catch (const std::exception& e) {
    std::printf("FAIL: %s\n", e.what());
    return 1;
  }
  const std::string spec = "postgresql:" + conninfo;
  const double cluster_s = since(t0);

  char tmpl[] = "/tmp/gm-bench-pg-XXXXXX";
  if (!::mkdtemp(tmpl)) return 2;
  const std::string dir = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};

  std::printf("bench_census_pg: %u agents, census threads %u (1 node) and %u per node (3 "
              "nodes), %u in flight; A %.0f s, B and C %.1f s; load average %s on %u cores\n",
              o.agents, o.phase.census_threads, o.node_threads, o.phase.in_flight, o.long_seconds,
              o.seconds, loadavg().c_str(), cores);
  std::unique_ptr<PgMonitor> monitor;
  PrefilledStore prefill;
  const std::string state = dir + "/state";
  std::string version, table_size, shared_buffers;
  try {
    monitor = std::make_unique<PgMonitor>(conninfo);
    version = monitor->value("SHOW server_version");
    std::printf("PostgreSQL %s, private cluster on port %d (started in %.1f s), settings:", version.c_str(),
                cluster->port(), cluster_s);
    for (const char* s : {"shared_buffers", "wal_buffers", "max_wal_size", "checkpoint_timeout",
                          "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method",
                          "wal_compression", "track_wal_io_timing"})
      std::printf(" %s=%s", s, monitor->value(std::string("SHOW ") + s).c_str());
    std::printf("\n");
    shared_buffers = monitor->value("SHOW shared_buffers");
    if (o.statements) monitor->exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");

    prefill.dir = dir + "/prefill";
    std::filesystem::create_directories(prefill.dir);
    if (o.fillfactor > 0) {  // an experiment on the store's table, not what it ships with
      gm::host::open_store(spec);  // creates the schema
      monitor->exec("ALTER TABLE subscriber_sessions SET (fillfactor = " +
                    std::to_string(o.fillfactor) + ")");
      std::printf("   experiment: subscriber_sessions fillfactor %u (the store's schema: 100)\n",
                  o.fillfactor);
    }
    fill_store(spec, prefill.dir, o.agents, per_agent, prefill);
    t0 = std::chrono::steady_clock::now();
    monitor->exec("VACUUM ANALYZE subscriber_sessions");
    monitor->exec("CHECKPOINT");
    const double vacuum_s = since(t0);
    table_size = monitor->value("SELECT pg_size_pretty(pg_table_size('subscriber_sessions')) || "
                                "' + index ' || pg_size_pretty(pg_indexes_size('subscriber_sessions'))");
    std::printf("P: %llu sessions written in %.1f s (%.0f records/s through apply(), 100,000 a "
                "transaction), then VACUUM ANALYZE and CHECKPOINT in %.1f s; table %s, "
                "shared_buffers %s\n",
                ull(sessions), prefill.built_seconds, sessions / prefill.built_seconds, vacuum_s,
                table_size.c_str(), shared_buffers.c_str());

    // The nodes share one state folder: vault.key (each node opens the tag keys the login
    // service sealed under it); node 1 makes its TLS key and pin there.
    std::filesystem::create_directories(state);
    std::filesystem::permissions(state, std::filesystem::perms::owner_all);
    std::filesystem::copy_file(prefill.dir + "/vault.key", state + "/vault.key");
    std::filesystem::permissions(state + "/vault.key", std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
  } catch (const std::exception& e) {
    std::printf("FAIL: prefill: %s\n", e.what());
    return 1;
  }

  PgPhaseRunner runner(o.phase, prefill, spec, state, *monitor);
  const std::string window = std::to_string(o.phase.in_flight) + " in flight";
  auto phase = [&](const std::string& name, unsigned nodes, uint32_t per, double seconds,
                   double rate, size_t frames) -> std::optional<PgPhase> {
    announce(name + ": " + std::to_string(per) + " record" + (per == 1 ? "" : "s") +
             "/datagram, " +
             (rate > 0 ? std::to_string(static_cast<long>(rate * per)) + " records/s open loop"
                       : window) +
             ", " + std::to_string(nodes) + " node" + (nodes == 1 ? "" : "s"));
    try {
      if (o.checkpoint) monitor->exec("CHECKPOINT");
      if (o.statements) monitor->exec("SELECT pg_stat_statements_reset()");
    } catch (const std::exception& e) {
      std::printf("FAIL: %s: %s\n", name.c_str(), e.what());
      return std::nullopt;
    }
    auto p = runner.run(name, nodes, nodes == 1 ? o.phase.census_threads : o.node_threads, per,
                        Walk::in_order, seconds, rate, frames);
    if (p) p->records.reset();
    if (p && o.statements) {
      try {  // from the CHECKPOINT before the phase to the read-back after it, both included
        std::printf("  statements by time, the read-back included (pg_stat_statements; a COMMIT's "
                    "time includes its WAL flush):\n");
        for (const auto& r : monitor->rows(
                 "SELECT calls, round(total_exec_time), round(mean_exec_time::numeric, 2), rows, "
                 "regexp_replace(left(query, 300), '\\s+', ' ', 'g') FROM pg_stat_statements "
                 "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                 "ORDER BY total_exec_time DESC LIMIT 6"))
          std::printf("  %8s calls %8s ms %8s ms each %9s rows  %.70s\n", r[0].c_str(),
                      r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str());
      } catch (const std::exception& e) {
        std::printf("  (pg_stat_statements: %s)\n", e.what());
      }
    }
    return p;
  };
  auto failed = [](const char* what) {
    std::printf("FAIL: %s did not run\n", what);
    return 1;
  };
  // Frames are sealed for up to these rates: a census faster than that ends the phase early
  // (and says so).
  const double pool_a = o.smoke ? 20'000 : 250'000;  // records/s
  const double pool_b = o.smoke ? 5'000 : 150'000;   // datagrams/s
  const size_t frames_a = static_cast<size_t>(pool_a / 20 * o.long_seconds);
  const size_t frames_b = static_cast<size_t>(pool_b * o.seconds);

  auto a1 = phase("A-pg", 1, 20, o.long_seconds, 0, frames_a);
  if (!a1) return failed("phase A-pg, 1 node");
  auto a3 = phase("A-pg", 3, 20, o.long_seconds, 0, frames_a);
  if (!a3) return failed("phase A-pg, 3 nodes");
  auto b1 = phase("B-pg", 1, 1, o.seconds, 0, frames_b);
  if (!b1) return failed("phase B-pg, 1 node");
  auto b3 = phase("B-pg", 3, 1, o.seconds, 0, frames_b);
  if (!b3) return failed("phase B-pg, 3 nodes");
  // C: half the goal (100,000 records/s = 5,000 datagrams/s of 20), or of what A reached.
  const double half_goal = goal_records_per_s / 20 / 2;
  const double c1_rate = std::max(1.0, std::min(half_goal, a1->rate_datagrams() / 2));
  const double c3_rate = std::max(1.0, std::min(half_goal, a3->rate_datagrams() / 2));
  auto c1 = phase("C-pg", 1, 20, o.seconds, c1_rate, static_cast<size_t>(c1_rate * o.seconds) + 1);
  if (!c1) return failed("phase C-pg, 1 node");
  auto c3 = phase("C-pg", 3, 20, o.seconds, c3_rate, static_cast<size_t>(c3_rate * o.seconds) + 1);
  if (!c3) return failed("phase C-pg, 3 nodes");

  const PgPhase* all[] = {&*a1, &*a3, &*b1, &*b3, &*c1, &*c3};
  auto label = [&](const PgPhase& p) {
    std::string l = p.name + (p.name == "B-pg" ? ": 1 rec/dgram, " : ": 20 rec/dgram, ");
    if (p.name == "C-pg")
      l += std::to_string(static_cast<long>((p.nodes == 1 ? c1_rate : c3_rate) * 20)) +
           "/s open loop";
    else
      l += window;
    return l;
  };
  auto durable = [](const PgPhase& p) {  // B counts datagrams (of 1 record each)
    return p.name == "B-pg" ? p.rate_datagrams() : p.rate_records();
  };
  auto durable_count = [](const PgPhase& p) {
    return p.name == "B-pg" ? static_cast<double>(p.audit.datagrams_acked - p.audit.late_acks)
                            : static_cast<double>(p.audit.records_in_phase);
  };

  std::printf("\n%-38s %5s %9s %-11s %7s %7s %8s %7s %5s %7s %7s %6s %6s\n", "phase", "nodes",
              "durable", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "late", "unanswd",
              "commits", "rec/c", "ms/c");
  for (const PgPhase* p : all)
    std::printf("%-38s %5u %9.0f %-11s %7.2f %7.2f %8.2f %7.1f %5llu %7llu %7llu %6.0f %6.1f\n",
                label(*p).c_str(), p->nodes, durable(*p),
                p->name == "B-pg" ? "datagrams/s" : "records/s", p->audit.latency(0.50),
                p->audit.latency(0.99), p->audit.latency(0.999), p->audit.latency(1.0),
                ull(p->audit.late_acks), ull(p->audit.unanswered), ull(p->counters.commits),
                p->counters.records_per_commit(), p->ms_per_commit());
  std::printf(
      "How: 'durable' counts the records (B: datagrams) named by acks that opened under the\n"
      "login's tag key and an agent's replay window and arrived within the phase (A %.1f/%.1f s,\n"
      "B %.1f/%.1f s, C %.1f/%.1f s with 1/3 nodes), over the %llu-session database, and holds\n"
      "only because the database, read back after the phase, had every acknowledged (session,\n"
      "seq) with the totals sent with it. Latency: send to valid ack, per datagram, acks up to\n"
      "%u ms late included (unanswd: never validly acked). commits, rec/c: the nodes' own\n"
      "counters, summed; ms/c: phase length / commits (of all nodes). Load generator, nodes and\n"
      "PostgreSQL share this machine's %u cores.\n",
      a1->run.seconds, a3->run.seconds, b1->run.seconds, b3->run.seconds, c1->run.seconds,
      c3->run.seconds, ull(sessions), o.phase.grace_ms, cores);

  // Where the time goes: CPU as a share of the whole machine over each phase.
  std::printf("\nwhere the time goes (%% of the machine's %u cores over the phase; per durable "
              "record; the WAL)\n",
              cores);
  std::printf("%-38s %5s %7s %6s %6s %6s %6s %6s %6s %6s %6s %6s %7s %7s %6s %8s %8s %6s %6s %5s "
              "%5s\n",
              "phase", "nodes", "loadgen", "census", "pg", "pg:be", "pg:wal", "pg:ckp", "pg:av",
              "others", "iowait", "idle", "cens us", "pg us", "fsync/s", "ms/fsync",
              "fsync/c", "WAL B", "FPI/s", "ckpt", "HOT%");
  for (const PgPhase* p : all) {
    const double wall = std::max(1e-9, p->run.seconds) * cores;
    const double pg = p->pg_cpu.total();
    const double ours = p->run.loadgen_cpu + p->run.server_cpu + pg;
    const double n = std::max(1.0, durable_count(*p));
    const PgCounters& w = p->pg;
    std::printf("%-38s %5u %6.0f%% %5.0f%% %5.0f%% %5.0f%% %5.0f%% %5.0f%% %5.0f%% %5.0f%% %5.0f%% "
                "%5.0f%% %7.1f %7.1f %7.0f %8.2f %8.2f %6.0f %6.0f %5llu %4.0f%%\n",
                label(*p).c_str(), p->nodes, 100 * p->run.loadgen_cpu / wall,
                100 * p->run.server_cpu / wall, 100 * pg / wall, 100 * p->pg_cpu.backends / wall,
                100 * p->pg_cpu.walwriter / wall, 100 * p->pg_cpu.checkpointer / wall,
                100 * p->pg_cpu.autovacuum / wall,
                100 * std::max(0.0, p->machine_busy - ours) / wall, 100 * p->machine_iowait / wall,
                100 * std::max(0.0, wall - p->machine_busy - p->machine_iowait - p->machine_steal) / wall,
                1e6 * p->run.server_cpu / n, 1e6 * pg / n, w.wal_sync / p->run.seconds,
                w.wal_sync ? w.wal_sync_ms / w.wal_sync : 0,
                p->counters.commits ? p->pg_whole.wal_sync_ms / p->counters.commits : 0,
                w.wal_bytes / n, w.wal_fpi / p->run.seconds, ull(w.checkpoints),
                w.tup_upd ? 100.0 * w.tup_hot_upd / w.tup_upd : 0);
  }
  std::printf(
      "How: CPU from /proc over the phase: loadgen this process, census the nodes' processes,\n"
      "pg the PostgreSQL server's (the postmaster and all its children; be: client backends,\n"
      "i.e. the nodes' connections doing the commits; wal: walwriter; ckp: checkpointer and\n"
      "background writer; av: autovacuum), others whatever else ran on this shared machine\n"
      "(/proc/stat busy less ours), iowait: idle with I/O outstanding. cens us, pg us: CPU\n"
      "microseconds per durable record (B: datagram). fsync/s, ms/fsync: WAL fsyncs (pg_stat_wal\n"
      "wal_sync, wal_sync_time; by backends at commit and by the walwriter) during the phase;\n"
      "fsync/c: ms of WAL fsync per census commit (over the nodes' whole run). WAL B: WAL bytes\n"
      "per durable record (pg_current_wal_lsn); FPI/s: full-page images; ckpt: checkpoints that\n"
      "ran during the phase; HOT%%: updates of subscriber_sessions that were heap-only (no index\n"
      "entry written). pg_stat_* lag by up to a second (backends publish about once a second).\n");
  for (const PgPhase* p : {&*a1, &*a3}) {
    const double commits = std::max<double>(1, p->counters.commits);
    const double per_commit_ms = p->ms_per_commit();
    std::printf("%s, %u node%s: a commit every %.1f ms (of %.0f records); per commit the database's "
                "backends used %.1f ms of CPU and WAL fsyncs took %.1f ms; %.1f us census CPU and "
                "%.1f us PostgreSQL CPU per record; the machine %.0f %% busy, %.0f %% in iowait; WAL "
                "%.0f MB/s, %llu times a backend found the WAL buffers full\n",
                p->name.c_str(), p->nodes, p->nodes == 1 ? "" : "s", per_commit_ms,
                p->counters.records_per_commit(), 1000 * p->pg_cpu.backends / commits,
                p->pg_whole.wal_sync_ms / commits,
                1e6 * p->run.server_cpu / std::max(1.0, durable_count(*p)),
                1e6 * p->pg_cpu.total() / std::max(1.0, durable_count(*p)),
                100 * p->machine_busy / (p->run.seconds * cores),
                100 * p->machine_iowait / (p->run.seconds * cores),
                p->pg.wal_bytes / 1e6 / p->run.seconds, ull(p->pg.wal_buffers_full));
  }

  auto goal = [](const std::string& what, const char* target, double v, const char* unit,
                 const char* verdict) {
    std::printf("%-58s %-10s %12.2f %-12s %s\n", what.c_str(), target, v, unit, verdict);
  };
  auto met = [](bool m) { return m ? "met" : "MISSED"; };
  char half[64];
  std::snprintf(half, sizeof half, "%.0f", c3_rate * 20);
  std::printf("\n%-58s %-10s %12s\n", "goal", "target", "figure");
  goal("A-pg: durable records/s, 20 records per datagram, 3 nodes", ">= 100000", durable(*a3),
       "records/s", met(durable(*a3) >= goal_records_per_s));
  goal("A-pg: the same, 1 node", ">= 100000", durable(*a1), "records/s",
       met(durable(*a1) >= goal_records_per_s));
  goal(std::string("C-pg: p99 ack latency at ") + half + " records/s, 3 nodes", "< 50 ms",
       c3->audit.latency(0.99), "ms", met(c3->audit.latency(0.99) < goal_p99_ms));
  goal("C-pg: the same, 1 node", "< 50 ms", c1->audit.latency(0.99), "ms",
       met(c1->audit.latency(0.99) < goal_p99_ms));
  char scale[64];
  std::snprintf(scale, sizeof scale, "%.0fx FreeRADIUS", durable(*b3) / freeradius_requests_per_s);
  goal("B-pg: durable datagrams/s, 1 record each, 3 nodes", "(scale)", durable(*b3),
       "datagrams/s", scale);
  std::printf("For scale: FreeRADIUS 3.2 with its PostgreSQL accounting module answers about 3,900\n"
              "accounting requests/s (one record each) on this kind of 2-core machine.\n");
  if (c3_rate < half_goal || c1_rate < half_goal)
    std::printf("note: A-pg fell short of the goal, so C-pg ran at half of A-pg's rate\n");

  bool ok = true;
  for (const PgPhase* p : all) ok = ok && p->ok();
  std::printf("\nload average at the end %s; the whole run took %.0f s\n", loadavg().c_str(),
              since(run_start));
  if (!ok)
    std::printf("FAIL: bench_census_pg: acks or database do not hold what was sent (see above)\n");
  std::printf("pg_records_per_s=%.0f pg_p99_ack_ms=%.2f nodes=3\n", durable(*a3),
              c3->audit.latency(0.99));
  return ok ? 0 : 1;
}
