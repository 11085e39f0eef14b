#include "host/settlement/period_cleaning.h"

#include <climits>
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
                            const std::function<void(int64_t)>& progress,
                            const std::function<void(const HistoryRecord&)>& kept) {
  const ProviderDirectory directory = ledger.directory();
  const std::vector<host::ClosedPeriod> closed = ledger.closed_periods();
  // Periods close in order, and the first close settles everything before it.
  const int64_t closed_to = closed.empty() ? INT64_MIN : closed.back().to_unix;
  Deduper deduper(window_s);
  // The window before: what the period's first records may repeat.
  each_page(ledger, from - window_s, from, [&](const std::vector<RawRecord>& page) {
    for (const RawRecord& r : page) {
      HistoryRecord h;
      if (clean(r, directory, h).status == RecordStatus::clean) deduper.feed(h);
    }
  });
  PeriodCleaning out;
  // A late record is held until the window after it has been read: a settled record of the
  // same usage there was billed already, so the late one is its duplicate although it comes
  // first in (stop, entry id) order (a full re-run would have kept the late one instead, but
  // a closed period's records never change).
  std::map<UsageKey, host::CleanedRecord> held;
  std::vector<host::CleanedRecord> verdicts;
  const auto count = [&](const host::CleanedRecord& c, int delta) {
    (c.status == RecordStatus::clean       ? out.clean
     : c.status == RecordStatus::duplicate  ? out.duplicate
     : c.status == RecordStatus::irrelevant ? out.irrelevant
                                            : out.quarantined) += delta;
  };
  const auto release_held_before = [&](int64_t stop) {
    for (auto it = held.begin(); it != held.end();) {
      if (it->second.history->stop_unix + window_s >= stop) {
        ++it;
        continue;
      }
      verdicts.push_back(std::move(it->second));
      it = held.erase(it);
    }
  };
  each_page(ledger, from, to, [&](const std::vector<RawRecord>& page) {
    verdicts.reserve(page.size());
    for (const RawRecord& r : page) {
      if (!held.empty()) release_held_before(r.stop_gmt_unix);
      ++out.records;
      const bool in_closed = r.stop_gmt_unix < closed_to;
      const auto status = static_cast<RecordStatus>(r.record_status);
      HistoryRecord h;
      const CleanOutcome o = clean(r, directory, h);
      if (in_closed && status != RecordStatus::raw && status != RecordStatus::quarantined) {
        // Settled by a close: left as decided, but a kept one is still what later records
        // repeat.
        ++out.settled;
        if (status == RecordStatus::clean && o.status == RecordStatus::clean) {
          deduper.feed(h);
          if (auto it = held.find(usage_key(h)); it != held.end()) {
            host::CleanedRecord& late = it->second;
            count(late, -1);
            late.status = RecordStatus::duplicate;
            late.refusal = "duplicate";
            late.history.reset();
            count(late, +1);
            verdicts.push_back(std::move(late));
            held.erase(it);
          }
        }
        continue;
      }
      host::CleanedRecord c;
      c.entry_id = r.entry_id;
      c.had_history = status == RecordStatus::clean;
      c.status = o.status;
      if (o.status == RecordStatus::clean) {
        const DedupVerdict v = deduper.feed(h);
        if (v == DedupVerdict::out_of_order)
          throw std::logic_error("settlement: raw records read out of (stop, entry) order");
        if (v == DedupVerdict::duplicate) {
          c.status = RecordStatus::duplicate;
          c.refusal = "duplicate";
        } else {
          c.late = in_closed;
          c.history = std::move(h);
        }
      } else if (o.status == RecordStatus::irrelevant) {
        c.refusal = irrelevance_name(o.irrelevance);
      } else {
        c.refusal = refusal_name(o.refusal);
        ++out.quarantine_reasons[c.refusal];
      }
      count(c, +1);
      if (c.late) {
        const UsageKey key = usage_key(*c.history);
        held.emplace(key, std::move(c));
      } else {
        verdicts.push_back(std::move(c));
      }
    }
    ledger.record_cleaning(verdicts, now);
    if (kept)
      for (const host::CleanedRecord& c : verdicts)
        if (c.history && !c.late) kept(*c.history);
    verdicts.clear();
    if (progress) progress(out.records);
  });
  release_held_before(INT64_MAX);
  if (!verdicts.empty()) ledger.record_cleaning(verdicts, now);
  return out;
}

}  // namespace gm::settlement
