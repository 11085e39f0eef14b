#include "host/settlement/period_cleaning.h"

#include <stdexcept>
#include <vector>

namespace gm::settlement {

namespace {

// Pages of [from, to) in (stop, entry id) order; f(page) for each.
template <typename F>
void each_page(host::SettlementLedger& ledger, int64_t from, int64_t to, F f) {
  host::StopKey after{from - 1, 0};
  for (;;) {
    const std::vector<RawRecord> page = ledger.raw_between(from, to, after, cleaning_page);
    if (page.empty()) return;
    f(page);
    after = {page.back().stop_gmt_unix, page.back().entry_id};
    if (page.size() < cleaning_page) return;
  }
}

}  // namespace

PeriodCleaning clean_period(host::SettlementLedger& ledger, int64_t from, int64_t to,
                            int64_t window_s, int64_t now,
                            const std::function<void(int64_t)>& progress) {
  const ProviderDirectory directory = ledger.directory();
  Deduper deduper(window_s);
  // The window before: what the period's first records may repeat.
  each_page(ledger, from - window_s, from, [&](const std::vector<RawRecord>& page) {
    for (const RawRecord& r : page) {
      HistoryRecord h;
      if (clean(r, directory, h).status == RecordStatus::clean) deduper.feed(h);
    }
  });
  PeriodCleaning out;
  each_page(ledger, from, to, [&](const std::vector<RawRecord>& page) {
    std::vector<host::CleanedRecord> verdicts;
    verdicts.reserve(page.size());
    for (const RawRecord& r : page) {
      host::CleanedRecord c;
      c.entry_id = r.entry_id;
      HistoryRecord h;
      const CleanOutcome o = clean(r, directory, h);
      c.status = o.status;
      if (o.status == RecordStatus::clean) {
        const DedupVerdict v = deduper.feed(h);
        if (v == DedupVerdict::out_of_order)
          throw std::logic_error("settlement: raw records read out of (stop, entry) order");
        if (v == DedupVerdict::duplicate) {
          c.status = RecordStatus::duplicate;
          c.refusal = "duplicate";
        } else {
          c.history = std::move(h);
        }
      } else if (o.status == RecordStatus::irrelevant) {
        c.refusal = irrelevance_name(o.irrelevance);
      } else {
        c.refusal = refusal_name(o.refusal);
        ++out.quarantine_reasons[c.refusal];
      }
      ++out.records;
      ++(c.status == RecordStatus::clean       ? out.clean
         : c.status == RecordStatus::duplicate ? out.duplicate
         : c.status == RecordStatus::irrelevant ? out.irrelevant
                                                : out.quarantined);
      verdicts.push_back(std::move(c));
    }
    ledger.record_cleaning(verdicts, now);
    if (progress) progress(out.records);
  });
  return out;
}

}  // namespace gm::settlement
