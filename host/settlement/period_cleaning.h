// Cleaning one period in the store (SETTLEMENT.md, "The pipeline"): its raw records read a page
// at a time in (stop, entry id) order, each cleaned (cleaning.h), the clean ones deduplicated,
// and the verdicts written back a page per transaction (settlement_ledger.h). The window before
// the period is read first and cleaned again in memory, nothing written, so a retry of a record
// of the previous period is still its duplicate: the same raw rows give the same history
// whichever periods are run, in whatever order, and as often as they are run. Memory: one page
// and one window of usage keys.
//
// A closed period's records stay as its close found them (period_close.h): those decided then
// (clean, duplicate, irrelevant) are not decided again, and are counted as settled (not in the
// other counts). Those not decided yet (never cleaned, or quarantined) are cleaned; a clean one
// is marked late, for the next close to carry as an adjustment.
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
  int64_t settled = 0;  // in a closed period and decided: left as they are
  std::map<std::string, int64_t> quarantine_reasons;  // refusal_name -> records
};

inline constexpr size_t cleaning_page = 10'000;

// [from, to) by stop time. `progress(done)` after each page is written, if given; `kept(h)` for
// each record to be written clean and not late, in (stop, entry id) order, once its page is
// decided (a close totals them there rather than reading them back; if the clean then throws,
// what kept() was given is void). With a `reader` (a second connection to the same database),
// pages are read and decided on a thread of their own, kept() called there, while this thread
// writes. Throws StoreError.
PeriodCleaning clean_period(host::SettlementLedger& ledger, int64_t from_unix, int64_t to_unix,
                            int64_t window_s, int64_t now_unix,
                            const std::function<void(int64_t)>& progress = {},
                            const std::function<void(const HistoryRecord&)>& kept = {},
                            host::SettlementLedger* reader = nullptr);

}  // namespace gm::settlement
