// gatemeter-compare: the census's usage (CSV export) against the simulator's truth (CSV).
//   gatemeter-compare TRUTH.csv STORE.csv
// Prints each violation, then `sessions=<N> exact=<E> within_bound=<B> violations=<V>` as the
// last line; exit status 1 if V > 0, 2 on unreadable input.
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
  std::printf("sessions=%zu exact=%zu within_bound=%zu violations=%zu\n", r.sessions, r.exact,
              r.within_bound, r.violations);
  return r.violations == 0 ? 0 : 1;
}
