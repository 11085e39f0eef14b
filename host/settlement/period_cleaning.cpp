#include "host/settlement/period_cleaning.h"

#include <climits>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
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

// The verdicts of one period, a page at a time, in (stop, entry id) order: everything but the
// writing. Its state is what makes the order matter: the Deduper and the held late records.
class Cleaner {
 public:
  Cleaner(host::SettlementLedger& ledger, int64_t from, int64_t window_s,
          const std::function<void(const HistoryRecord&)>& kept)
      : directory_(ledger.directory()), window_s_(window_s), deduper_(window_s), kept_(kept) {
    const std::vector<host::ClosedPeriod> closed = ledger.closed_periods();
    // Periods close in order, and the first close settles everything before it.
    closed_to_ = closed.empty() ? INT64_MIN : closed.back().to_unix;
    // The window before: what the period's first records may repeat.
    each_page(ledger, from - window_s, from, [&](const std::vector<RawRecord>& page) {
      for (const RawRecord& r : page) {
        HistoryRecord h;
        if (clean(r, directory_, h).status == RecordStatus::clean) deduper_.feed(h);
      }
    });
  }

  // The verdicts to write for `page` (and for held late records it releases).
  std::vector<host::CleanedRecord> page(const std::vector<RawRecord>& page) {
    std::vector<host::CleanedRecord> verdicts;
    verdicts.reserve(page.size());
    for (const RawRecord& r : page) {
      if (!held_.empty()) release_held_before(r.stop_gmt_unix, verdicts);
      take(r, verdicts);
    }
    if (kept_)
      for (const host::CleanedRecord& c : verdicts)
        if (c.history && !c.late) kept_(*c.history);
    return verdicts;
  }

  // The held late records, once the period has been read to its end.
  std::vector<host::CleanedRecord> finish() {
    std::vector<host::CleanedRecord> verdicts;
    release_held_before(INT64_MAX, verdicts);
    return verdicts;
  }

  const PeriodCleaning& counts() const { return out_; }

 private:
  void count(const host::CleanedRecord& c, int delta) {
    (c.status == RecordStatus::clean       ? out_.clean
     : c.status == RecordStatus::duplicate  ? out_.duplicate
     : c.status == RecordStatus::irrelevant ? out_.irrelevant
                                            : out_.quarantined) += delta;
  }

  // A late record is held until the window after it has been read: a settled record of the
  // same usage there was billed already, so the late one is its duplicate although it comes
  // first in (stop, entry id) order (a full re-run would have kept the late one instead, but
  // a closed period's records never change).
  void release_held_before(int64_t stop, std::vector<host::CleanedRecord>& verdicts) {
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->second.history->stop_unix + window_s_ >= stop) {
        ++it;
        continue;
      }
      verdicts.push_back(std::move(it->second));
      it = held_.erase(it);
    }
  }

  void take(const RawRecord& r, std::vector<host::CleanedRecord>& verdicts) {
    ++out_.records;
    const bool in_closed = r.stop_gmt_unix < closed_to_;
    const auto status = static_cast<RecordStatus>(r.record_status);
    HistoryRecord h;
    const CleanOutcome o = clean(r, directory_, h);
    if (in_closed && status != RecordStatus::raw && status != RecordStatus::quarantined) {
      // Settled by a close: left as decided, but a kept one is still what later records
      // repeat.
      ++out_.settled;
      if (status == RecordStatus::clean && o.status == RecordStatus::clean) {
        deduper_.feed(h);
        if (auto it = held_.find(usage_key(h)); it != held_.end()) {
          host::CleanedRecord& late = it->second;
          count(late, -1);
          late.status = RecordStatus::duplicate;
          late.refusal = "duplicate";
          late.history.reset();
          count(late, +1);
          verdicts.push_back(std::move(late));
          held_.erase(it);
        }
      }
      return;
    }
    host::CleanedRecord c;
    c.entry_id = r.entry_id;
    c.had_history = status == RecordStatus::clean;
    c.status = o.status;
    if (o.status == RecordStatus::clean) {
      const DedupVerdict v = deduper_.feed(h);
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
      ++out_.quarantine_reasons[c.refusal];
    }
    count(c, +1);
    if (c.late) {
      const UsageKey key = usage_key(*c.history);
      held_.emplace(key, std::move(c));
    } else {
      verdicts.push_back(std::move(c));
    }
  }

  const ProviderDirectory directory_;
  const int64_t window_s_;
  int64_t closed_to_ = INT64_MIN;
  Deduper deduper_;
  std::map<UsageKey, host::CleanedRecord> held_;
  PeriodCleaning out_;
  const std::function<void(const HistoryRecord&)>& kept_;
};

// Pages read and cleaned on a thread of their own over `reader` while the caller's thread
// writes the verdicts before them: the two halves of a clean take about as long each, and a
// machine has more than one core. At most two pages wait, so memory stays a few pages.
class ReadAhead {
 public:
  struct Page {
    std::vector<host::CleanedRecord> verdicts;
    int64_t records = 0;  // raw records read by the end of this page
    bool last = false;
  };

  ReadAhead(Cleaner& cleaner, host::SettlementLedger& reader, int64_t from, int64_t to)
      : thread_([this, &cleaner, &reader, from, to] {
          try {
            each_page(reader, from, to, [&](const std::vector<RawRecord>& raw) {
              push({cleaner.page(raw), cleaner.counts().records, false});
            });
            push({cleaner.finish(), cleaner.counts().records, true});
          } catch (...) {
            std::lock_guard lock(mutex_);
            failed_ = std::current_exception();
            changed_.notify_all();
          }
        }) {}

  ~ReadAhead() {
    {
      std::lock_guard lock(mutex_);
      abandoned_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // The next page; rethrows what the reading thread threw.
  Page next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !pages_.empty() || failed_; });
    if (pages_.empty()) std::rethrow_exception(failed_);
    Page p = std::move(pages_.front());
    pages_.pop_front();
    changed_.notify_all();
    return p;
  }

 private:
  void push(Page p) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pages_.size() < 2 || abandoned_; });
    if (abandoned_) throw std::runtime_error("settlement: the clean was abandoned");
    pages_.push_back(std::move(p));
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Page> pages_;
  std::exception_ptr failed_;
  bool abandoned_ = false;
  std::thread thread_;  // last: it starts once everything it uses exists
};

}  // namespace

PeriodCleaning clean_period(host::SettlementLedger& ledger, int64_t from, int64_t to,
                            int64_t window_s, int64_t now,
                            const std::function<void(int64_t)>& progress,
                            const std::function<void(const HistoryRecord&)>& kept,
                            host::SettlementLedger* reader) {
  Cleaner cleaner(ledger, from, window_s, kept);
  if (reader == nullptr) {
    each_page(ledger, from, to, [&](const std::vector<RawRecord>& page) {
      ledger.record_cleaning(cleaner.page(page), now);
      if (progress) progress(cleaner.counts().records);
    });
    if (auto rest = cleaner.finish(); !rest.empty()) ledger.record_cleaning(rest, now);
    return cleaner.counts();
  }
  ReadAhead ahead(cleaner, *reader, from, to);
  for (;;) {
    ReadAhead::Page p = ahead.next();
    if (!p.verdicts.empty()) ledger.record_cleaning(p.verdicts, now);
    if (p.last) break;
    if (progress) progress(p.records);
  }
  return cleaner.counts();
}

}  // namespace gm::settlement
