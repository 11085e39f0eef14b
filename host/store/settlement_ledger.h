// Settlement's tables (SCHEMA.md "settlement_*", host/settlement/SETTLEMENT.md): the member
// directory (providers, their servers and realms), the raw records as received, the history
// cleaning made of them, and the closed periods with what their reports were made of. Cleaning itself is plain functions (host/settlement/cleaning.h); a
// period is cleaned by period_cleaning.h over these reads and writes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/settlement/disbursement.h"
#include "host/settlement/period_totals.h"
#include "host/settlement/settlement_rate.h"
#include "host/settlement/settlement_record.h"

namespace gm::host {

// What cleaning decided for one raw record, written back in one transaction.
struct CleanedRecord {
  int64_t entry_id = 0;
  settlement::RecordStatus status = settlement::RecordStatus::raw;
  std::string refusal;  // the quarantine's reason (refusal_name) or the irrelevance; "" clean
  std::optional<settlement::HistoryRecord> history;  // set when clean
  // Its stop lies in a closed period: the history row is marked late, for the next close to
  // carry as an adjustment (period_close.h).
  bool late = false;
  // A history row from an earlier clean may exist (the raw record was clean before): only
  // then is there one to replace, so a first clean writes one row, not a delete and a row.
  bool had_history = false;
};

// Which history records a read wants (period_close.h): a period's own, or its adjustments.
enum class HistorySet : int32_t {
  regular = 0,       // stop in [from, to), not late
  adjusted = 1,      // carried as adjustments by the closed period that starts at `from`,
                     // stop before `to`
  pending_late = 2,  // late, not yet carried by any period, stop in [from, to)
};

// A closed period (SCHEMA.md "settlement_periods").
struct ClosedPeriod {
  int64_t from_unix = 0;
  int64_t to_unix = 0;
  int64_t closed_unix = 0;
  int64_t records = 0;      // its own history records
  int64_t adjustments = 0;  // late records of earlier periods it carries
};

// A report's checksum as the close computed it (report_format.h checksum(), or the detail
// file's): what a closed report printed later must still carry.
struct ReportChecksum {
  std::string provider;  // "" for the statement
  std::string report;    // "detail", "summary", "invoice", "credit_debit", "statement",
                         // "detail_file"
  std::string checksum;
};

// Money received from (receipt) or paid to (payment) a provider (disbursement.h).
enum class MoneyDirection : int32_t { receipt = 0, payment = 1 };

// Everything a close writes, in one transaction (period_close.h).
struct PeriodClosing {
  ClosedPeriod period;
  settlement::PeriodTotals totals;
  std::vector<settlement::Provider> members;  // as the statement names them
  std::vector<ReportChecksum> checksums;
  bool first = false;  // no period closed before: earlier unsettled records become adjustments
};

// A place in (stop time, entry id) order, the order a period is cleaned and reported in.
struct StopKey {
  int64_t stop_unix = 0;
  int64_t entry_id = 0;
};

struct RawStatusCount {
  settlement::RecordStatus status = settlement::RecordStatus::raw;
  std::string refusal;
  int64_t records = 0;
};

class SettlementLedger {
 public:
  virtual ~SettlementLedger() = default;

  // The directory. A server or realm of a provider not listed throws BillingConflict.
  virtual void set_provider(const settlement::Provider& provider) = 0;
  virtual void set_server(const std::string& server, const std::string& provider) = 0;
  virtual void set_realm(const std::string& realm, const std::string& provider) = 0;
  virtual settlement::ProviderDirectory directory() = 0;
  // A member's password for its own report downloads, as a password_hash.h string ("" none).
  // Setting it for a provider not listed throws BillingConflict; reading one gives nullopt.
  virtual void set_provider_password(const std::string& provider, const std::string& hash) = 0;
  virtual std::optional<std::string> provider_password_hash(const std::string& provider) = 0;

  // Appends raw records (their entry ids, create dates and statuses are the store's) in one
  // transaction; returns their entry ids in order.
  virtual std::vector<int64_t> append_raw(const std::vector<settlement::RawRecord>& records,
                                          int64_t now_unix) = 0;
  // Raw records whose stop lies in [from, to), after `after` in (stop, entry id) order, at most
  // `limit`: a period read a page at a time in bounded memory.
  virtual std::vector<settlement::RawRecord> raw_between(int64_t from_unix, int64_t to_unix,
                                                         StopKey after, size_t limit) = 0;
  // Each record's status, reason and history time on its raw row, and its history row
  // replaced (removed unless clean), in one transaction: a re-run overwrites what the last run
  // decided, so the same raw rows always leave the same history.
  virtual void record_cleaning(const std::vector<CleanedRecord>& records, int64_t now_unix) = 0;
  // History records of `set`, after `after` in (stop, entry id) order, at most `limit`.
  virtual std::vector<settlement::HistoryRecord> history_between(int64_t from_unix,
                                                                 int64_t to_unix, StopKey after,
                                                                 size_t limit,
                                                                 HistorySet set) = 0;
  // Stop times in [from, to) of the raw records no clean has decided yet (never cleaned, or
  // quarantined), in order, at most `limit`: before a close, the late records.
  virtual std::vector<int64_t> undecided_stops(int64_t from_unix, int64_t to_unix, size_t limit) = 0;

  // Closed periods, oldest first.
  virtual std::vector<ClosedPeriod> closed_periods() = 0;
  // Closes a period in one transaction: its row, totals, members and checksums; the pending
  // late records (and, on the first close, every unsettled record before it) marked as its
  // adjustments. Throws BillingConflict if it is already closed, or if what is to be marked is
  // not what was totalled (records / adjustments: a clean ran meanwhile; close again).
  virtual void close_period(const PeriodClosing& closing) = 0;
  // A closed period's stored totals, members and checksums.
  virtual settlement::PeriodTotals closed_totals(int64_t from_unix) = 0;
  virtual std::vector<settlement::Provider> closed_members(int64_t from_unix) = 0;
  virtual std::vector<ReportChecksum> closed_checksums(int64_t from_unix) = 0;

  // Disbursement (disbursement.h, SCHEMA.md "settlement_money"): the operator's terms, each
  // provider's credit line, the money in and out.
  virtual settlement::DisbursementTerms terms() = 0;
  virtual void set_terms(const settlement::DisbursementTerms& terms) = 0;
  // Throws BillingConflict for a provider not listed.
  virtual void set_credit_line(const std::string& provider, settlement::Micros micros) = 0;
  virtual std::map<std::string, settlement::Micros> credit_lines() = 0;
  virtual std::vector<settlement::Receipt> receipts() = 0;
  virtual std::vector<settlement::Payment> payments() = 0;
  // Records one receipt or payment in a transaction that holds every other recorder off, after
  // `check()` (run inside it, reading through this ledger) has not thrown: two recorders cannot
  // both pass a check that only one of them may. A reference already used for that provider
  // and direction throws BillingConflict.
  virtual void record_money(MoneyDirection direction, const std::string& provider,
                            settlement::Micros micros, int64_t unix, const std::string& reference,
                            const std::function<void()>& check) = 0;
  // Every provider's exposure as just computed, replacing the last; and the realms of the
  // providers it refused, which the RADIUS servers read (refused_realms.h).
  virtual void set_exposure(const std::vector<settlement::Exposure>& exposure,
                            int64_t computed_unix) = 0;
  virtual std::vector<settlement::Exposure> exposure() = 0;
  virtual std::vector<std::string> refused_realms() = 0;
  // How the raw records of [from, to) stand: a count per status and reason.
  virtual std::vector<RawStatusCount> raw_counts(int64_t from_unix, int64_t to_unix) = 0;

  // The tariffs (settlement_rate.h). Callers check the set with tariff_problem() before they
  // write: a rule is replaced whole by its id.
  virtual settlement::Tariffs tariffs() = 0;
  virtual void set_rule(const settlement::SettlementRule& rule) = 0;
  virtual bool remove_rule(const std::string& id) = 0;
  virtual void set_fee(const settlement::HandlingFee& fee) = 0;
};

}  // namespace gm::host
