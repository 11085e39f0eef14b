// Settlement's tables (SCHEMA.md "settlement_*", host/settlement/SETTLEMENT.md): the member
// directory (providers, their servers and realms), the raw records as received, and the history
// cleaning made of them. Cleaning itself is plain functions (host/settlement/cleaning.h); a
// period is cleaned by period_cleaning.h over these reads and writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/settlement/settlement_rate.h"
#include "host/settlement/settlement_record.h"

namespace gm::host {

// What cleaning decided for one raw record, written back in one transaction.
struct CleanedRecord {
  int64_t entry_id = 0;
  settlement::RecordStatus status = settlement::RecordStatus::raw;
  std::string refusal;  // the quarantine's reason (refusal_name) or the irrelevance; "" clean
  std::optional<settlement::HistoryRecord> history;  // set when clean
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
  // History records whose stop lies in [from, to), after `after`, at most `limit`.
  virtual std::vector<settlement::HistoryRecord> history_between(int64_t from_unix,
                                                                 int64_t to_unix, StopKey after,
                                                                 size_t limit) = 0;
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
