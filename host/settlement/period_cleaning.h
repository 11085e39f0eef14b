// Cleaning one period in the store (SETTLEMENT.md, "The pipeline"): its raw records read a page
// at a time in (stop, entry id) order, each cleaned (cleaning.h), the clean ones deduplicated,
// and the verdicts written back a page per transaction (settlement_ledger.h). The window before
// the period is read first and cleaned again in memory, nothing written, so a retry of a record
// of the previous period is still its duplicate: the same raw rows give the same history
// whichever periods are run, in whatever order, and as often as they are run. Memory: one page
// and one window of usage keys.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "host/settlement/cleaning.h"
#include "host/store/settlement_ledger.h"

namespace gm::settlement {

struct PeriodCleaning {
  int64_t records = 0, clean = 0, duplicate = 0, irrelevant = 0, quarantined = 0;
  std::map<std::string, int64_t> quarantine_reasons;  // refusal_name -> records
};

inline constexpr size_t cleaning_page = 10'000;

// [from, to) by stop time. `progress(done)` after each page, if given. Throws StoreError.
PeriodCleaning clean_period(host::SettlementLedger& ledger, int64_t from_unix, int64_t to_unix,
                            int64_t window_s, int64_t now_unix,
                            const std::function<void(int64_t)>& progress = {});

}  // namespace gm::settlement
