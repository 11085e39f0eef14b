// A probe of the store's commit_datagrams throughput, run by hand (no test runs it, nothing is
// asserted): census-sized commits of D datagrams x R records each, over S sessions that exist
// already, on a private PostgreSQL cluster (or SQLite, for comparison).
//
//   build/release/tests/bench/pg_store_probe [--kind postgresql|sqlite] [--store SPEC]
//       [--datagrams 1000] [--records 20] [--sessions 100000] [--commits 40] [--deltas]
//
// Records/s counts what the store committed (every record of every accepted datagram), over the
// wall time of the commit_datagrams calls alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "host/store/store.h"
#include "shared/record/usage_record.h"
#include "tests/support/test_database.h"

using namespace gm;

namespace {

struct Options {
  std::string kind = "postgresql", store;
  size_t datagrams = 1000, records = 20, sessions = 100000, commits = 40;
  bool deltas = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--kind")
      o.kind = next();
    else if (a == "--store")
      o.store = next();
    else if (a == "--datagrams")
      o.datagrams = std::stoul(next());
    else if (a == "--records")
      o.records = std::stoul(next());
    else if (a == "--sessions")
      o.sessions = std::stoul(next());
    else if (a == "--commits")
      o.commits = std::stoul(next());
    else if (a == "--deltas")
      o.deltas = true;
    else {
      std::fprintf(stderr, "unknown option %s (see the top of pg_store_probe.cpp)\n", a.c_str());
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::unique_ptr<test::TestDatabase> db;
  std::string spec = o.store;
  if (spec.empty()) {
    std::string why;
    db = test::TestDatabase::create(o.kind, &why);
    if (!db) {
      std::fprintf(stderr, "no %s database: %s\n", o.kind.c_str(), why.c_str());
      return 1;
    }
    spec = db->spec();
  }
  auto store = host::open_store(spec, {.busy_writer = true});

  // One agent (and login) per datagram of a commit, its share of the sessions each.
  const size_t agents = o.datagrams;
  const size_t per_agent = std::max<size_t>(1, o.sessions / agents);
  std::vector<int64_t> agent_ids;
  for (size_t a = 0; a < agents; ++a) {
    const std::string name = "probe-" + std::to_string(a);
    store->add_agent(name, {1}, 100);
    agent_ids.push_back(store->find_agent(name)->id);
    host::NewLogin l;
    l.agent = agent_ids.back();
    l.id = 0x9e3779b97f4a7c15ull * (a + 1);
    l.sealed_tag_key = {1};
    l.boot_count = 1;
    l.now_unix = 100;
    l.expires_unix = 1LL << 40;
    store->open_login_session(l);
  }
  std::vector<uint32_t> datagram_seq(agents, 0), session_seq(agents * per_agent, 0);
  std::mt19937_64 rng(1);

  host::CensusCommit c;
  const auto fill = [&](bool prefill, size_t round) {
    c.clear();
    c.want_deltas = o.deltas;
    for (size_t a = 0; a < agents; ++a) {
      const auto index = static_cast<uint32_t>(c.datagrams.size());
      c.datagrams.push_back({agent_ids[a], 0x9e3779b97f4a7c15ull * (a + 1), ++datagram_seq[a]});
      for (size_t k = 0; k < o.records; ++k) {
        const size_t s = prefill ? (round * o.records + k) % per_agent : rng() % per_agent;
        host::VerifiedRecord v;
        v.agent = agent_ids[a];
        v.login_session = c.datagrams.back().login_session;
        v.datagram = index;
        v.record.session_id = (static_cast<uint64_t>(a) << 32) | s;
        v.record.seq = ++session_seq[a * per_agent + s];
        v.record.kind = v.record.seq == 1 ? gatemeter_RecordKind_RECORD_START
                                          : gatemeter_RecordKind_RECORD_INTERIM;
        v.record.totals = {60 * v.record.seq, 0, 1000ull * v.record.seq, 100ull * v.record.seq};
        v.record.billing = gatemeter_BillingOption_BILLING_POSTPAID;
        v.record.start_unix = 1'790'000'000;
        copy_text(v.record.subscriber, sizeof v.record.subscriber, "subscriber@isp.example");
        copy_text(v.record.service, sizeof v.record.service, "gold");
        c.records.push_back(v);
      }
    }
  };

  // Every session exists before the timed part: the census's steady state is updates.
  const size_t prefill_rounds = (per_agent + o.records - 1) / o.records;
  for (size_t r = 0; r < prefill_rounds; ++r) {
    fill(true, r);
    store->commit_datagrams(c, 200);
  }
  std::printf("store %s: %zu agents x %zu sessions = %zu sessions, prefilled in %zu commits\n",
              host::describe_store(spec).c_str(), agents, per_agent, agents * per_agent,
              prefill_rounds);

  std::vector<double> ms;
  double total_s = 0;
  uint64_t committed = 0;
  for (size_t n = 0; n < o.commits; ++n) {
    fill(false, n);
    const auto t0 = std::chrono::steady_clock::now();
    store->commit_datagrams(c, 300 + static_cast<int64_t>(n));
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    total_s += s;
    ms.push_back(s * 1000);
    for (const host::VerifiedRecord& v : c.records)
      if (c.datagrams[v.datagram].accepted()) ++committed;
  }
  std::sort(ms.begin(), ms.end());
  const auto pct = [&](double p) { return ms[std::min(ms.size() - 1, size_t(p * ms.size()))]; };
  std::printf(
      "%zu commits of %zu datagrams x %zu records%s: %.0f records/s, %.0f datagrams/s; "
      "commit p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
      o.commits, o.datagrams, o.records, o.deltas ? " (with deltas)" : "", committed / total_s,
      o.commits * o.datagrams / total_s, pct(0.5), pct(0.99), ms.back());
  return committed == o.commits * o.datagrams * o.records ? 0 : 1;
}
