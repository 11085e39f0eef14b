// gatemeter-compare: the census's usage (CSV export) against the simulator's truth (CSV).
//   gatemeter-compare TRUTH.csv STORE.csv
// Prints each violation, then as the last line
//   sessions=<N> exact=<E> at_durable_point=<D> violations=<V> allowance_pct=<P>
// (E + D + V = N; P: the connect time power cuts legitimately took, as a share of all of it);
// exit status 1 if V > 0, 2 on unreadable input.
#include <cstdio>

#include "sim/usage_compare.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: gatemeter-compare TRUTH.csv STORE.csv\n");
    return 2;
  }
  gm::sim::UsageTable truth, store;
  std::string error;
  if (!gm::sim::read_usage_csv(argv[1], truth, error) ||
      !gm::sim::read_usage_csv(argv[2], store, error)) {
    std::fprintf(stderr, "gatemeter-compare: %s\n", error.c_str());
    return 2;
  }
  const auto r = gm::sim::compare_usage(truth, store);
  for (const auto& p : r.problems) std::printf("VIOLATION %s\n", p.c_str());
  std::printf("power cuts took %.2f %% of all connect time and %.2f %% of all octets; the agent "
              "refused %llu octets it was fed\n",
              r.allowance_pct(), r.allowance_octets_pct(),
              static_cast<unsigned long long>(r.refused_octets));
  std::printf("sessions=%zu exact=%zu at_durable_point=%zu violations=%zu allowance_pct=%.2f\n",
              r.sessions, r.exact, r.at_durable_point, r.violations, r.allowance_pct());
  return r.violations == 0 ? 0 : 1;
}
