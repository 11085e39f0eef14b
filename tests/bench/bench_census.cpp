// Census benchmark: a load generator on this machine streams signed metering datagrams from
// many logged-in agents to gatemeter-server (a separate process on 127.0.0.1), opens and checks
// every acknowledgement as an agent would, and after each phase reads the store back: a figure
// counts only records that an authentic ack named and that the store then holds.
//
//   P. prefill: 64 agents x 78,125 sessions (5,000,000) in the store before anything runs,
//      written through UsageStore::apply in 100,000-record transactions and cached between runs
//      (prefilled_store.h); each run works on a copy
//   A. records/s, 20 records per datagram, 1,024 datagrams in flight (closed loop), 60 s, over
//      the prefilled store: every agent walks all its sessions in id order (census_plan.h)
//   S. the store's own ceiling for A: A's records in A's order, in the census's mean commit size
//      for A, straight into a fresh copy of the prefilled store (store_ceiling.h);
//      census_ceiling_pct = A / S
//   R. as A for 20 s, but each agent's records scattered over its sessions, so every record of a
//      commit dirties a page of its own (the worst case for the store), and its ceiling SR
//   B. datagrams/s, 1 record per datagram, 1,024 in flight, in id order
//   C. acknowledgement latency at half the goal load (open loop, 20 records/datagram, in id
//      order): 150,000 records/s, half the issue's 300,000 — or half of A's rate if A fell short
//   M. as A for 30 s with billing on: every session linked to one of 10,000 prepaid accounts,
//      one rate; after it the accounts' debits must equal the charged seconds gained x price
//      (money_check.h). After the census phases: the phases before it price nothing
//   Q. authorisations/s and their latency (auth_phase.h): the billing service authorising new
//      prepaid sessions over 200,000 accounts, 512 requests in flight (closed loop), 20 s
//  QL. their latency at half load (open loop, as C): 25,000/s, half the goal's 50,000 — or half
//      of Q's rate if Q fell short
//
// Each census phase runs its own gatemeter-server over the same store, with fresh logins
// (census_phase.h). Frames are sealed before a phase starts, and acks are opened after it
// (ack_audit.h), so during a phase the load generator only sends and receives; the table says
// how much of the machine it used, and the server's. Acks that arrive after a phase ends
// (within --grace-ms) count in the latency tail, not in the rate.
//
// FAILS (exit 1, lines starting "FAIL") when an ack does not open or names a record its
// datagram did not carry, or when the store, read back, lacks an acknowledged (session, seq) or
// holds other totals than were sent with its seq (store_check.h); --negative-control shows that
// it does (negative_control.h). Timing goals are printed, not asserted: ctest runs it with
// --smoke only to show it works. The last lines are census_ceiling_pct=<P>,
// census_records_per_s=<N> p99_ack_ms=<L> (C's), money_exact=yes|no and
// rated_records_per_s=<M> auth_per_s=<Q's rate> auth_p99_ms=<QL's p99>.
//
//   bench_census [--seconds=S] [--long-seconds=S] [--scattered-seconds=S] [--money-seconds=S]
//                [--auth-seconds=S] [--auth-in-flight=N] [--billing-threads=N] [--agents=N]
//                [--sessions=N] [--census-threads=N] [--in-flight=N] [--grace-ms=MS]
//                [--cache-dir=DIR | --no-cache] [--smoke] [--negative-control] [--server=PATH]
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

#include "tests/bench/auth_phase.h"
#include "tests/bench/census_phase.h"
#include "host/store/sqlite_store.h"
#include "tests/bench/money_check.h"

using namespace gm::bench;

namespace {

constexpr auto store_page_cache_bytes = static_cast<uint64_t>(gm::host::sqlite_page_cache_bytes);
constexpr auto store_mmap_bytes = static_cast<uint64_t>(gm::host::sqlite_mmap_bytes);

struct Options {
  double seconds = 10;            // B and C
  double long_seconds = 60;       // A
  double scattered_seconds = 20;  // R
  double money_seconds = 30;      // M
  double auth_seconds = 20;       // Q
  uint32_t auth_in_flight = 512;
  uint32_t auth_accounts = 200'000;
  std::string billing_threads;    // the server's default unless given
  uint32_t agents = 64;
  uint64_t sessions = 5'000'000;
  bool smoke = false;
  bool negative_control = false;  // negative_control.h
  std::string cache_dir = GM_BENCH_CACHE_DIR;
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

void announce(const char* what) {
  std::printf("\n%s  [load average %s]\n", what, loadavg().c_str());
  std::fflush(stdout);
}

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

int main(int argc, char** argv) {
  const auto run_start = std::chrono::steady_clock::now();
  Options o;
  bool auth_given = false;  // --smoke keeps a given Q (to try the billing service alone)
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--smoke")) o.smoke = true;
    else if (!std::strcmp(a, "--negative-control")) o.negative_control = true;
    else if (!std::strcmp(a, "--no-cache")) o.cache_dir.clear();
    else if (auto v = value(a, "--server")) o.phase.server = *v;
    else if (auto v = value(a, "--cache-dir")) o.cache_dir = *v;
    else if (auto v = value(a, "--seconds")) o.seconds = std::stod(*v);
    else if (auto v = value(a, "--long-seconds")) o.long_seconds = std::stod(*v);
    else if (auto v = value(a, "--scattered-seconds")) o.scattered_seconds = std::stod(*v);
    else if (auto v = value(a, "--money-seconds")) o.money_seconds = std::stod(*v);
    else if (auto v = value(a, "--auth-seconds")) o.auth_seconds = std::stod(*v), auth_given = true;
    else if (auto v = value(a, "--auth-in-flight")) o.auth_in_flight = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--billing-threads")) o.billing_threads = *v;
    else if (auto v = value(a, "--agents")) o.agents = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--sessions")) o.sessions = std::stoull(*v);
    else if (auto v = value(a, "--census-threads")) o.phase.census_threads = std::stoul(*v);
    else if (auto v = value(a, "--in-flight")) o.phase.in_flight = static_cast<uint32_t>(std::stoul(*v));
    else if (auto v = value(a, "--grace-ms")) o.phase.grace_ms = static_cast<uint32_t>(std::stoul(*v));
    else {
      std::fprintf(stderr, "bench_census: unknown argument %s (see the top of bench_census.cpp)\n", a);
      return 2;
    }
  }
  if (o.smoke) {
    o.seconds = 0.3, o.long_seconds = 0.5, o.scattered_seconds = 0.3, o.money_seconds = 0.5;
    if (!auth_given) o.auth_seconds = 0.5, o.auth_accounts = 1000, o.auth_in_flight = 64;
    o.agents = 4, o.sessions = 2000, o.phase.grace_ms = 500;
    o.cache_dir.clear();
  }
  o.agents = std::max(1u, o.agents);
  const uint32_t per_agent = static_cast<uint32_t>(std::max<uint64_t>(1, o.sessions / o.agents));
  const uint64_t sessions = static_cast<uint64_t>(per_agent) * o.agents;
  std::signal(SIGPIPE, SIG_IGN);

  char tmpl[] = "/tmp/gm-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 2;
  const std::string dir = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{dir};

  std::printf("bench_census: %u agents, %u census threads, %u in flight; A %.0f s, R %.0f s, B "
              "and C %.1f s; load average %s on %u cores\n",
              o.agents, o.phase.census_threads, o.phase.in_flight, o.long_seconds,
              o.scattered_seconds, o.seconds, loadavg().c_str(), std::thread::hardware_concurrency());
  PrefilledStore prefill;
  double copy_s = 0;
  try {
    prefill = prepare_prefilled_store(o.cache_dir, dir, o.agents, per_agent);
    copy_s = copy_prefilled_store(prefill, dir + "/state");
  } catch (const std::exception& e) {
    std::printf("FAIL: prefill: %s\n", e.what());
    return 1;
  }
  if (prefill.reused)
    std::printf("P: %llu sessions, cached in %s (built %s in %.1f s); copied and fsynced for this "
                "run in %.1f s\n",
                ull(sessions), prefill.dir.c_str(), prefill.built_when.c_str(),
                prefill.built_seconds, copy_s);
  else
    std::printf("P: %llu sessions, built in %.1f s%s%s; copied and fsynced for this run in %.1f s\n",
                ull(sessions), prefill.built_seconds, o.cache_dir.empty() ? "" : ", cached in ",
                o.cache_dir.empty() ? "" : prefill.dir.c_str(), copy_s);
  std::printf("   usage.db %.0f MiB (%llu pages of %llu B): %.1fx the store's page cache "
              "(cache_size %llu MiB), %.2fx its mmap_size (%llu MiB)\n",
              prefill.file_bytes / 1048576.0, ull(prefill.page_count), ull(prefill.page_size),
              static_cast<double>(prefill.file_bytes) / store_page_cache_bytes,
              ull(store_page_cache_bytes >> 20),
              static_cast<double>(prefill.file_bytes) / store_mmap_bytes, ull(store_mmap_bytes >> 20));
  if (!o.smoke && prefill.file_bytes <= store_page_cache_bytes)
    std::printf("   note: the store is not larger than its page cache\n");

  PhaseRunner runner(o.phase, prefill, dir + "/state", dir);
  auto failed = [](const char* what) {
    std::printf("FAIL: %s did not run\n", what);
    return 1;
  };
  // Frames are sealed for up to these rates: a census faster than that ends the phase early
  // (and says so).
  const double pool_a = o.smoke ? 20'000 : 500'000, pool_r = o.smoke ? 20'000 : 200'000;
  const double pool_b = o.smoke ? 5'000 : 200'000;

  const std::string window = std::to_string(o.phase.in_flight) + " in flight";
  announce(("A: 20 records/datagram, " + window + ", sessions in id order").c_str());
  auto a = runner.run("A", 20, Walk::in_order, o.long_seconds, 0,
                      static_cast<size_t>(pool_a / 20 * o.long_seconds), o.negative_control);
  if (!a) return failed("phase A");
  announce("S: the store's ceiling for A");
  const auto sa = runner.ceiling(*a);
  if (!sa) return 1;
  a->records.reset();

  announce("R: as A, sessions in scattered order");
  auto r = runner.run("R", 20, Walk::scattered, o.scattered_seconds, 0,
                      static_cast<size_t>(pool_r / 20 * o.scattered_seconds));
  if (!r) return failed("phase R");
  announce("SR: the store's ceiling for R");
  const auto sr = runner.ceiling(*r);
  if (!sr) return 1;
  r->records.reset();

  announce(("B: 1 record/datagram, " + window + ", sessions in id order").c_str());
  auto b = runner.run("B", 1, Walk::in_order, o.seconds, 0, static_cast<size_t>(pool_b * o.seconds));
  if (!b) return failed("phase B");
  b->records.reset();

  // C: half the goal (300,000 records/s = 15,000 datagrams/s of 20), or of what A reached.
  const double half_rate = std::max(1.0, std::min(7500.0, a->rate_datagrams() / 2));
  announce("C: 20 records/datagram at half load, sessions in id order");
  auto c = runner.run("C", 20, Walk::in_order, o.seconds, half_rate,
                      static_cast<size_t>(half_rate * o.seconds) + 1);
  if (!c) return failed("phase C");
  c->records.reset();

  // M: A again with billing on: every session linked to an account, every record rated and
  // debited in its commit (the issue's goal: still >= 300,000 records/s). Last, so the phases
  // before it price nothing.
  announce(("M: as A, every session linked to one of 10,000 prepaid accounts, " + window).c_str());
  MoneyBaseline money;
  try {
    money = link_sessions_to_accounts(dir + "/state/usage.db", 10'000, 10);
  } catch (const std::exception& e) {
    std::printf("FAIL: M: %s\n", e.what());
    return 1;
  }
  std::printf("  %lld sessions linked to %lld accounts in %.1f s; one rate, %lld micro-units per "
              "charged second\n",
              static_cast<long long>(money.sessions), static_cast<long long>(money.accounts),
              money.link_seconds, static_cast<long long>(money.price_micros));
  auto m = runner.run("M", 20, Walk::in_order, o.money_seconds, 0,
                      static_cast<size_t>(pool_a / 20 * o.money_seconds));
  if (!m) return failed("phase M");
  m->records.reset();
  const MoneyCheck mc = check_money(dir + "/state/usage.db", money);
  std::printf("  money: expected %lld micro-units (charged seconds gained x price), debited %lld, "
              "sessions' charges %lld: %s\n",
              static_cast<long long>(mc.expected_micros), static_cast<long long>(mc.debited_micros),
              static_cast<long long>(mc.charged_micros), mc.exact() ? "exact" : "NOT EXACT");

  announce(("Q: authorisations of new prepaid sessions, " + std::to_string(o.auth_in_flight) +
            " in flight").c_str());
  AuthPhaseSettings qs;
  qs.server = o.phase.server;
  qs.state_dir = dir + "/state";
  qs.seconds = o.auth_seconds;
  qs.in_flight = o.auth_in_flight;
  qs.accounts = o.auth_accounts;
  qs.grace_ms = o.phase.grace_ms;
  if (!o.billing_threads.empty()) qs.server_args.push_back("--billing-threads=" + o.billing_threads);
  std::vector<gm::test::TestAgent::Bytes32> credentials(prefill.credentials.begin(),
                                                        prefill.credentials.end());
  const auto q = run_auth_phase(qs, prefill.agent_ids, credentials);
  if (!q) return failed("phase Q");
  std::printf("  %llu sent, %llu approved in the phase, %llu late, %llu behind the agent's "
              "replay window, %llu unanswered, %llu bad; stored live %llu (%llu with another "
              "account, %llu answered but missing)\n",
              ull(q->sent), ull(q->approved), ull(q->late), ull(q->behind_window),
              ull(q->unanswered), ull(q->bad),
              ull(q->stored), ull(q->stored_wrong), ull(q->missing));
  // As C for the census: the latency a gateway sees at half the goal's load, or at half the
  // closed loop's rate if that fell short; in a closed loop it is in_flight / rate by
  // construction (Little's law), whatever the server does.
  const double half_auth = std::max(1.0, std::min(25'000.0, q->rate() / 2));
  announce(("QL: authorisations at half load, " + std::to_string(static_cast<int>(half_auth)) +
            "/s (open loop)").c_str());
  AuthPhaseSettings ls = qs;
  ls.per_second = half_auth;
  ls.first_session = 1ull << 40;  // sessions of its own, after Q's
  const auto ql = run_auth_phase(ls, prefill.agent_ids, credentials);
  if (!ql) return failed("phase QL");
  std::printf("  %llu sent, %llu approved in the phase, %llu late, %llu unanswered, %llu bad; "
              "%llu answered but missing\n",
              ull(ql->sent), ull(ql->approved), ull(ql->late), ull(ql->unanswered), ull(ql->bad),
              ull(ql->missing));


  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double census_rate = a->rate_records();
  auto share = [](double census, const CeilingResult& s) {
    return s.records_per_s() > 0 ? 100 * census / s.records_per_s() : 0;
  };
  const double pct = share(census_rate, *sa);
  std::printf("\n%-40s %9s %-11s %7s %7s %8s %7s %5s %7s %7s %6s %7s %6s %6s %6s\n", "phase",
              "durable", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "late", "unanswd", "loadgen",
              "server", "commits", "rec/c", "ms/c", "WAL MB");
  auto row = [&](const char* name, const Phase& p, double figure, const char* unit) {
    std::printf("%-40s %9.0f %-11s %7.2f %7.2f %8.2f %7.1f %5llu %7llu %6.0f%% %5.0f%% %7llu %6.0f "
                "%6.1f %6.0f\n",
                name, figure, unit, p.audit.latency(0.50), p.audit.latency(0.99),
                p.audit.latency(0.999), p.audit.latency(1.0), ull(p.audit.late_acks),
                ull(p.audit.unanswered), 100 * p.run.loadgen_cpu / p.run.seconds / cores,
                100 * p.run.server_cpu / p.run.seconds / cores, ull(p.counters.commits),
                p.counters.records_per_commit(), p.ms_per_commit(), p.wal_peak_bytes / 1e6);
  };
  auto ceiling_row = [&](const char* name, const CeilingResult& s, double census) {
    char note[64];
    std::snprintf(note, sizeof note, "census at %.0f %% of it; apply %.0f %% on CPU",
                  share(census, s), s.apply_seconds > 0 ? 100 * s.apply_cpu_seconds / s.apply_seconds : 0);
    std::printf("%-40s %9.0f %-11s %-61s %7llu %6.0f %6.1f %6.0f\n", name, s.records_per_s(),
                "records/s", note, ull(s.commits),
                s.commits ? static_cast<double>(s.records) / s.commits : 0,
                s.commits ? 1000 * s.apply_seconds / s.commits : 0, s.wal_peak_bytes / 1e6);
  };
  const std::string w = std::to_string(o.phase.in_flight);
  row(("A: 20 rec/dgram, " + w + " in flight, id order").c_str(), *a, census_rate, "records/s");
  ceiling_row("S: store ceiling for A, no network", *sa, census_rate);
  row("M: as A, billing on (rated, debited)", *m, m->rate_records(), "records/s");
  row("R: as A, scattered order", *r, r->rate_records(), "records/s");
  ceiling_row("SR: store ceiling for R, no network", *sr, r->rate_records());
  row(("B: 1 rec/dgram, " + w + " in flight, id order").c_str(), *b, b->rate_datagrams(),
      "datagrams/s");
  row("C: 20 rec/dgram, half load, id order", *c, c->rate_records(), "records/s");
  std::printf("%-40s %9.0f %-11s %7.2f %7.2f %8.2f %7.1f %5llu %7llu %6.0f%% %5.0f%%\n",
              ("Q: AuthRequests, " + std::to_string(o.auth_in_flight) + " in flight").c_str(),
              q->rate(), "approved/s", q->latency(0.50), q->latency(0.99), q->latency(0.999),
              q->latency(1.0), ull(q->late), ull(q->unanswered),
              100 * q->loadgen_cpu / q->seconds / cores, 100 * q->server_cpu / q->seconds / cores);
  std::printf("%-40s %9.0f %-11s %7.2f %7.2f %8.2f %7.1f %5llu %7llu %6.0f%% %5.0f%%\n",
              "QL: AuthRequests, half load, open loop", ql->rate(), "approved/s",
              ql->latency(0.50), ql->latency(0.99), ql->latency(0.999), ql->latency(1.0),
              ull(ql->late), ull(ql->unanswered), 100 * ql->loadgen_cpu / ql->seconds / cores,
              100 * ql->server_cpu / ql->seconds / cores);
  std::printf(
      "How: 'durable' counts the records (B: datagrams) named by acks that opened under the\n"
      "login's tag key and an agent's replay window and arrived within the phase (A %.1f s,\n"
      "R %.1f s, B %.1f s, C %.1f s), all over the %llu-session store, and holds only because the\n"
      "store, read back after the phase, had every acknowledged (session, seq) with the totals\n"
      "sent with it. Latency: send to valid ack, per datagram, acks up to %u ms late included\n"
      "(unanswd: never validly acked). S and SR apply the phase's records in its order, in\n"
      "commits of the census's mean size for it (committed records / commits, the server's\n"
      "counters), to a fresh copy of the prefilled store; only apply() is timed. CPU shares are\n"
      "of the whole %u-core machine over each phase. ms/c: phase length / commits (census), time\n"
      "in apply() / commits (S, SR). WAL MB: the largest the write-ahead log grew. Q counts\n"
      "approving answers that opened under the agent's key and window, named the session asked\n"
      "for and arrived within the phase, each then found live in the store with its account;\n"
      "latency is send to answer; QL sends at a fixed rate whatever is unanswered, as C does, so\n"
      "its latency is the server's, not in-flight / rate. The lag from a record's commit to the\n"
      "balance that includes it is 0 by construction (the debit is in the commit's\n"
      "transaction); M's money check shows the balances and the sessions' charges agree to the\n"
      "micro-unit.\n",
      a->run.seconds, r->run.seconds, b->run.seconds, c->run.seconds, ull(sessions),
      o.phase.grace_ms, cores);

  auto goal = [](const char* what, const char* target, double v, const char* unit, bool met) {
    std::printf("%-46s %-10s %12.2f %-12s %s\n", what, target, v, unit, met ? "met" : "MISSED");
  };
  std::printf("\n%-46s %-10s %12s\n", "goal", "target", "figure");
  goal("A: durable records/s, 20 records per datagram", ">= 300000", census_rate, "records/s",
       census_rate >= 300'000);
  goal("B: durable datagrams/s, 1 record each", ">= 100000", b->rate_datagrams(), "datagrams/s",
       b->rate_datagrams() >= 100'000);
  goal("C: p99 ack latency at half load", "< 20 ms", c->audit.latency(0.99), "ms",
       c->audit.latency(0.99) < 20);
  goal("A: census's share of the store's ceiling", ">= 80 %", pct, "%", pct >= 80);
  goal("M: durable records/s, rated and debited", ">= 300000", m->rate_records(), "records/s",
       m->rate_records() >= 300'000);
  goal("Q: authorisations/s", ">= 50000", q->rate(), "approved/s", q->rate() >= 50'000);
  goal("QL: p99 authorisation latency, half load", "< 10 ms", ql->latency(0.99), "ms",
       ql->latency(0.99) < 10);

  const bool ok =
      a->ok() && m->ok() && mc.exact() && r->ok() && b->ok() && c->ok() && q->ok() && ql->ok();
  std::printf("\nload average at the end %s; the whole run took %.0f s\n", loadavg().c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count());
  if (!ok) std::printf("FAIL: bench_census: acks or store do not hold what was sent (see above)\n");
  std::printf("census_ceiling_pct=%.1f\n", pct);
  std::printf("census_records_per_s=%.0f p99_ack_ms=%.2f\n", census_rate, c->audit.latency(0.99));
  std::printf("money_exact=%s\n", mc.exact() ? "yes" : "no");
  std::printf("rated_records_per_s=%.0f auth_per_s=%.0f auth_p99_ms=%.2f\n", m->rate_records(),
              q->rate(), ql->latency(0.99));
  return ok ? 0 : 1;
}
