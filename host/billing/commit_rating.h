// The census's rater (host/store/commit_rater.h): prices each session's growth inside the commit
// from the catalog in memory, extending the session's current bill line (session_charge.h) at
// the rate that applies when the growth happened, so the debits of a line always sum to its
// amount. Usage it cannot price (no rate matches, an account it does not know yet) is left
// unrated and counted: the usage is committed either way, and nothing is charged twice later.
#pragma once

#include <atomic>
#include <cstdint>

#include "host/billing/catalog_cache.h"
#include "host/store/commit_rater.h"

namespace gm::billing {

struct RatingCounts {
  std::atomic<uint64_t> rated{0};
  std::atomic<uint64_t> no_rate{0};          // nothing in the catalog prices this usage
  std::atomic<uint64_t> unknown_account{0};  // linked to an account the cache does not hold
  std::atomic<uint64_t> failed{0};           // the arithmetic refused (an amount beyond 64 bits)
};

class CatalogRater final : public host::CommitRater {
 public:
  explicit CatalogRater(const CatalogCache& cache) : cache_(cache) {}
  void rate(host::RatingCase& c) override;
  const RatingCounts& counts() const { return counts_; }

 private:
  const CatalogCache& cache_;
  RatingCounts counts_;
};

}  // namespace gm::billing
