// The settlement benchmark (issue 14): one period of N raw roaming records (default 10 million:
// duplicates, errors and irrelevant records mixed in) closed by the real `settlectl close
// --out`: cleaned, rated, totalled, every provider's four reports (CSV, JSON, HTML), the
// statement and every detail file written. The figure is settlectl's wall time and its peak
// resident memory (getrusage of the child); the goal is 60 s on SQLite on a 2-core machine, and
// memory that does not grow with the records.
//
// What is checked after the close (a wrong close is not a figure): the closed period holds
// exactly the records generated clean, its statement balances to zero, its seconds are the
// generated clean seconds, and the detail files hold one line per clean record.
//
//   bench_settlement [--records=N] [--store=sqlite|postgresql] [--smoke]
// The table goes to stdout; its last line is
//   settlement_records=<N> settlement_s=<S> peak_rss_mb=<M>
// Timing goals are printed, not asserted. ctest runs --smoke on SQLite.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "host/settlement/period_close.h"
#include "host/settlement/settlement_reports.h"
#include "host/store/store.h"
#include "tests/support/pg_cluster.h"

namespace {

using gm::settlement::RawRecord;
namespace fs = std::filesystem;

struct Member {
  const char* id;
  const char* country;
  const char* zone;  // the offset its servers send
  int offset_s;
};
// Six providers in four countries, as a small clearing house has.
constexpr Member members[] = {
    {"Aimnet", "USA", "-08:00", -8 * 3600},        {"Connect.com", "Australia", "+10:00", 36000},
    {"Ozemail", "Australia", "+10:00", 36000},     {"Planet", "UK", "+00:00", 0},
    {"Telia", "Sweden", "+01:00", 3600},           {"Sprint", "USA", "-05:00", -5 * 3600},
};
constexpr int member_count = 6;
constexpr int64_t period_from = 1'790'000'000;  // 2026-09-21: any period that has ended
constexpr int64_t period_days = 30;
constexpr int64_t period_to = period_from + period_days * 86'400;

std::string local_text(int64_t unix) {
  const auto t = static_cast<time_t>(unix);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// Realms are kept lower case (settlement_ledger.h), as cleaning normalises them.
std::string realm_of(const Member& m) {
  std::string r = std::string("realm.") + m.id;
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

struct Truth {
  int64_t raw = 0, clean = 0, duplicate = 0, irrelevant = 0, quarantined = 0;
  int64_t clean_seconds = 0;
};

// The records, generated in stop order (a duplicate is the same usage sent again a little
// later), appended a batch at a time.
Truth generate(gm::host::SettlementLedger& ledger, int64_t n, uint32_t users_per_realm) {
  for (const Member& m : members) {
    ledger.set_provider({m.id, m.country});
    ledger.set_server(std::string("aas.") + m.id, m.id);
    ledger.set_realm(realm_of(m), m.id);
  }
  gm::settlement::SettlementRule r;
  r.id = "c-all", r.side = gm::settlement::Side::consumer, r.price_per_minute = 20'000;
  ledger.set_rule(r);
  r.id = "c-au", r.serving_country = "Australia", r.price_per_minute = 30'000;
  ledger.set_rule(r);
  r = {};
  r.id = "p-all", r.side = gm::settlement::Side::provider, r.price_per_minute = 15'000;
  ledger.set_rule(r);
  r.id = "p-night", r.from_s = 0, r.to_s = 6 * 3600, r.price_per_minute = 8'000;
  ledger.set_rule(r);
  ledger.set_fee({5'000, 1'000});

  std::mt19937_64 rng(20261202);
  Truth t;
  std::vector<RawRecord> batch;
  std::deque<RawRecord> resend;  // duplicates come within the hour, as retries do
  const auto flush = [&] {
    ledger.append_raw(batch, period_to);
    batch.clear();
  };
  const int64_t span = period_to - period_from;
  for (int64_t i = 0; i < n; ++i) {
    RawRecord x;
    // A user roams mostly in one network, now and then in another: a period's groups grow
    // with its users, as in the field, not with its records.
    const int home = static_cast<int>(rng() % member_count);
    const uint64_t user = rng() % users_per_realm;
    const int away = static_cast<int>((user + (rng() % 10 == 0 ? 1 : 0)) % (member_count - 1));
    const int serving = (home + 1 + away) % member_count;
    const Member& s = members[serving];
    const Member& h = members[home];
    const int64_t stop = period_from + (i * span) / n;
    x.user_name = "u" + std::to_string(user) + "@" + realm_of(h);
    x.status_type = "Stop";
    x.session_id = std::to_string(rng());
    x.session_time_s = 30 + static_cast<int64_t>(rng() % 7200);
    x.nas_id = std::string("nas") + std::to_string(rng() % 50) + "." + s.id;
    x.local_server = std::string("aas.") + s.id;
    x.home_server = std::string("aas.") + h.id;
    x.stop_gmt_unix = stop;
    x.stop_local = local_text(stop + s.offset_s);
    x.time_zone = s.zone;
    while (!resend.empty() && resend.front().stop_gmt_unix < stop - 3600) resend.pop_front();
    const unsigned kind = static_cast<unsigned>(rng() % 100);
    if (!resend.empty() && kind < 5) {  // 5 %: a resent record
      batch.push_back(resend.back());
      batch.back().stop_gmt_unix = stop;  // the collector's receipt time, a little later
      resend.pop_back();
      ++t.duplicate;
    } else if (kind < 10) {  // 5 %: irrelevant
      x.status_type = kind % 2 ? "Start" : "Interim-Update";
      batch.push_back(x);
      ++t.irrelevant;
    } else if (kind < 12) {  // 2 %: errors
      if (kind % 2) x.user_name = "u1@nowhere.example"; else x.stop_local = "2026-13-01 00:00:00";
      batch.push_back(x);
      ++t.quarantined;
    } else {
      batch.push_back(x);
      if (kind < 20 && resend.size() < 64) resend.push_back(x);
      ++t.clean;
      t.clean_seconds += x.session_time_s;
    }
    if (batch.size() == 10'000) flush();
    if (i % 1'000'000 == 999'999)
      std::fprintf(stderr, "generated %" PRId64 " of %" PRId64 " raw records...\n", i + 1, n);
  }
  if (!batch.empty()) flush();
  t.raw = t.clean + t.duplicate + t.irrelevant + t.quarantined;
  return t;
}

struct Child {
  int status = -1;
  double seconds = 0;
  long peak_rss_kb = 0;
};

Child run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    execv(args[0], args.data());
    _exit(127);
  }
  Child c;
  struct rusage u {};
  wait4(pid, &c.status, 0, &u);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.peak_rss_kb = u.ru_maxrss;
  return c;
}

int64_t count_lines(const fs::path& folder) {
  int64_t lines = 0;
  for (const auto& e : fs::recursive_directory_iterator(folder)) {
    if (e.path().filename() != "detail_file.txt") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string l;
    while (std::getline(in, l)) ++lines;
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 10'000'000;
  std::string kind = "sqlite";
  bool load_only = false;  // generate, print the store, stop: for profiling settlectl by hand
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--records=", 0) == 0) n = std::stoll(a.substr(10));
    else if (a.rfind("--store=", 0) == 0) kind = a.substr(8);
    else if (a == "--smoke") n = 20'000;
    else if (a == "--load-only") load_only = true;
    else {
      std::fprintf(stderr, "usage: bench_settlement [--records=N] [--store=sqlite|postgresql] [--smoke] [--load-only]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/gm-bench-settlement-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const fs::path dir = tmpl;
  std::string spec = "sqlite:" + (dir / "usage.db").string();
  if (kind == "postgresql") {
    std::string why;
    gm::test::PgCluster::set_server_settings({"shared_buffers=256MB", "max_wal_size=4GB"});
    gm::test::PgCluster* pg = gm::test::PgCluster::shared(&why);
    if (!pg) {
      std::fprintf(stderr, "bench_settlement: skipped, no PostgreSQL: %s\n", why.c_str());
      return 77;
    }
    spec = "postgresql:" + pg->conninfo(pg->create_database());
  } else if (kind != "sqlite") {
    std::fprintf(stderr, "bench_settlement: --store must be sqlite or postgresql\n");
    return 2;
  }

  const auto load_start = std::chrono::steady_clock::now();
  Truth truth;
  {
    auto store = gm::host::open_store(spec);
    truth = generate(store->settlement(), n, n >= 1'000'000 ? 20'000 : 500);
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();

  if (load_only) {
    std::printf("%s\n", spec.c_str());
    return 0;
  }
  const fs::path out = dir / "published";
  const Child c = run({GM_SETTLECTL, "--store=" + spec, "close", "--from=" + std::to_string(period_from),
                       "--to=" + std::to_string(period_to), "--out=" + out.string()});
  if (!WIFEXITED(c.status) || WEXITSTATUS(c.status) != 0) {
    std::fprintf(stderr, "bench_settlement: settlectl close failed (status %d)\n", c.status);
    return 1;
  }

  // A wrong close is not a figure.
  auto store = gm::host::open_store(spec);
  gm::host::SettlementLedger& ledger = store->settlement();
  const auto closed = ledger.closed_periods();
  bool ok = closed.size() == 1 && closed[0].records == truth.clean && closed[0].adjustments == 0;
  const gm::settlement::PeriodTotals totals = ledger.closed_totals(period_from);
  int64_t seconds = 0;
  for (const auto& [g, s] : totals.groups()) seconds += s.seconds;
  const auto statement = gm::settlement::settlement_statement(
      totals, ledger.closed_members(period_from), {period_from, period_to});
  ok = ok && seconds == truth.clean_seconds && gm::settlement::imbalance(statement) == 0;
  const int64_t lines = count_lines(out);
  ok = ok && lines == truth.clean;
  if (!ok) {
    std::fprintf(stderr,
                 "bench_settlement: WRONG: closed %zu periods, %" PRId64 " records (want %" PRId64
                 "), %" PRId64 " s (want %" PRId64 "), %" PRId64 " detail lines, imbalance %" PRId64
                 "\n",
                 closed.size(), closed.empty() ? 0 : closed[0].records, truth.clean, seconds,
                 truth.clean_seconds, lines, gm::settlement::imbalance(statement));
    return 1;
  }

  std::printf("settlement close of one period (settlectl close --out), %s store\n", kind.c_str());
  std::printf("| raw records | clean | duplicate | irrelevant | quarantined | groups | load s | close s | records/s | peak RSS MB |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  std::printf("| %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64 " | %" PRId64
              " | %zu | %.1f | %.1f | %.0f | %.0f |\n",
              truth.raw, truth.clean, truth.duplicate, truth.irrelevant, truth.quarantined,
              totals.groups().size(), load_s, c.seconds, truth.raw / c.seconds,
              c.peak_rss_kb / 1024.0);
  std::printf("close s: wall time of the settlectl child (clean, rate, total, %d providers' reports in "
              "three formats, statement, detail files); peak RSS: its getrusage maxrss. Load (not "
              "timed in the figure): the raw rows appended 10,000 a transaction. Goal: <= 60 s on "
              "SQLite, 2 cores.\n",
              member_count);
  std::printf("settlement_records=%" PRId64 " settlement_s=%.1f peak_rss_mb=%.0f\n", truth.raw,
              c.seconds, c.peak_rss_kb / 1024.0);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
