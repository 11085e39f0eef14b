// Closing a settlement period (SETTLEMENT.md "Period close"): once closed, a period's reports
// never change, and a record that arrives for it later is settled in the next period as an
// adjustment instead.
//
// A close of [from, to), in order:
//  1. Refused unless the period has ended (to <= now), no closed period overlaps it, and it
//     starts where the last closed one ended: periods close once, in order, with no gap (a gap
//     would leave its records in no report).
//  2. Clean what is still undecided before it (late records of closed periods, quarantined
//     ones since fixed; period_cleaning.h marks the clean ones late), then clean the period.
//  3. Rate and total its own records as cleaning writes them (one pass over the period), then
//     the late ones read back: memory grows with the groups (period_totals.h), not the records. Each serving provider's detail file line
//     goes to `detail_line` as it is made, and into that file's checksum. A record that does
//     not rate, or cannot be written in the detail file, refuses the close (nothing of it is
//     written; cleaning is a re-run anyway): a closed period's money must be whole.
//  4. One transaction: the period, its totals, its members, the checksum of every report of
//     every provider and of every detail file, and the late records marked as its
//     adjustments. On the first close, every record before it that no report carried becomes
//     an adjustment of it too.
//
// A closed period's reports are then printed from the stored totals (closed_table), checked
// against the checksums the close stored: tariffs or the directory changing later change
// nothing. Its detail files are made again from its history, which no clean changes any more.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/settlement/period_cleaning.h"
#include "host/settlement/report_format.h"
#include "host/store/settlement_ledger.h"

namespace gm::settlement {

struct CloseProgress {
  // After each page: the step ("cleaning late records", "cleaning", "totalling") and how many
  // records it has done.
  std::function<void(std::string_view step, int64_t done)> page;
  // Each detail file line, "\n" included, of the serving provider's file, in the file's order.
  std::function<void(const std::string& provider, std::string_view line)> detail_line;
  // Each report as its checksum was taken (provider "" for the statement), before the commit:
  // what a publication writes, without making the tables twice.
  std::function<void(const std::string& provider, const Table& table)> report;
};

struct PeriodClose {
  host::ClosedPeriod period;
  PeriodCleaning late;     // what step 2 found before the period
  PeriodCleaning cleaning; // the period's own
  PeriodTotals totals;
  std::vector<Provider> members;
  std::vector<host::ReportChecksum> checksums;
};

// `reader`, if given, is a second connection to the same database: the period is then read and
// decided on a thread of its own while this one writes (period_cleaning.h), and the progress
// callbacks' detail lines come from that thread. Throws host::BillingConflict (refused, naming
// why), StoreError, billing::BillingError (a total that does not fit).
PeriodClose close_period(host::SettlementLedger& ledger, Period period, int64_t window_s,
                         int64_t now, const CloseProgress& progress = {},
                         host::SettlementLedger* reader = nullptr);

// The closed period that is exactly `period`; nullopt if none is. Throws host::BillingConflict
// if a closed period overlaps it without being it (its reports are the closed one's).
std::optional<host::ClosedPeriod> closed_period_of(host::SettlementLedger& ledger, Period period);

// A closed period's report (report_format.h names; provider "" for the statement) from its
// stored totals, checked against its stored checksum: a mismatch throws host::BillingConflict.
Table closed_table(host::SettlementLedger& ledger, const host::ClosedPeriod& closed,
                   std::string_view report, const std::string& provider);

// f(record) for each record of a closed period's detail file for `provider`, in the file's
// order: its own records, then its adjustments, each in (stop, entry id) order.
void each_closed_detail_record(host::SettlementLedger& ledger, const host::ClosedPeriod& closed,
                               const std::string& provider,
                               const std::function<void(const HistoryRecord&)>& f);

}  // namespace gm::settlement
