// The settlement ledger (settlement_ledger.h), written once in SQL both databases run
// (sql_session.h).
#pragma once

#include "host/store/settlement_ledger.h"
#include "host/store/sql_session.h"

namespace gm::host {

// One raw row as received; its entry id. Inside the caller's transaction (db.write(), or a
// store's own: the one that ends a roaming session, roaming_keeper.h).
int64_t insert_raw(sql::Session& db, const settlement::RawRecord& r, int64_t now_unix);

class SettlementTables final : public SettlementLedger {
 public:
  explicit SettlementTables(sql::Session& db) : db_(db) {}

  void set_provider(const settlement::Provider& provider) override;
  void set_server(const std::string& server, const std::string& provider) override;
  void set_realm(const std::string& realm, const std::string& provider) override;
  settlement::ProviderDirectory directory() override;
  void set_provider_password(const std::string& provider, const std::string& hash) override;
  std::optional<std::string> provider_password_hash(const std::string& provider) override;
  std::vector<int64_t> append_raw(const std::vector<settlement::RawRecord>& records,
                                  int64_t now_unix) override;
  std::vector<settlement::RawRecord> raw_between(int64_t from_unix, int64_t to_unix, StopKey after,
                                                 size_t limit) override;
  void record_cleaning(const std::vector<CleanedRecord>& records, int64_t now_unix) override;
  std::vector<settlement::HistoryRecord> history_between(int64_t from_unix, int64_t to_unix,
                                                         StopKey after, size_t limit,
                                                         HistorySet set) override;
  std::vector<int64_t> undecided_stops(int64_t from_unix, int64_t to_unix, size_t limit) override;
  std::vector<ClosedPeriod> closed_periods() override;
  void close_period(const PeriodClosing& closing) override;
  settlement::PeriodTotals closed_totals(int64_t from_unix) override;
  std::vector<settlement::Provider> closed_members(int64_t from_unix) override;
  std::vector<ReportChecksum> closed_checksums(int64_t from_unix) override;
  settlement::DisbursementTerms terms() override;
  void set_terms(const settlement::DisbursementTerms& terms) override;
  void set_credit_line(const std::string& provider, settlement::Micros micros) override;
  std::map<std::string, settlement::Micros> credit_lines() override;
  std::vector<settlement::Receipt> receipts() override;
  std::vector<settlement::Payment> payments() override;
  void record_money(MoneyDirection direction, const std::string& provider,
                    settlement::Micros micros, int64_t unix, const std::string& reference,
                    const std::function<void()>& check) override;
  void set_exposure(const std::vector<settlement::Exposure>& exposure,
                    int64_t computed_unix) override;
  std::vector<settlement::Exposure> exposure() override;
  std::vector<std::string> refused_realms() override;
  std::vector<RawStatusCount> raw_counts(int64_t from_unix, int64_t to_unix) override;
  settlement::Tariffs tariffs() override;
  void set_rule(const settlement::SettlementRule& rule) override;
  bool remove_rule(const std::string& id) override;
  void set_fee(const settlement::HandlingFee& fee) override;

 private:
  sql::Session& db_;
};

}  // namespace gm::host
