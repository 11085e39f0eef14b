// A closed period's detail transaction file for one provider, made a page of records at a
// time, so that a server can send a file of any size in bounded memory and let other work run
// between pages (report_server.h).
//
// The same records in the same order as each_closed_detail_record (period_close.h): the
// period's own history, then its adjustments, each in (stop, entry id) order, the provider's
// served records only, one detail_line each with its "\n". The file's FNV-1a hash is kept as
// it goes: checked against the close's checksum it proves the file is the one the close made
// (and that this order is that one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "host/store/settlement_ledger.h"

namespace gm::settlement {

class DetailPages {
 public:
  static constexpr size_t default_page = 2'000;  // records read per page (~300 KB of lines)

  DetailPages(const host::ClosedPeriod& closed, std::string provider,
              size_t page_records = default_page);

  // Appends the next page's lines to `out`; false once the file has ended (nothing appended).
  // Throws host::BillingConflict naming a record that cannot be written, StoreError.
  bool next(host::SettlementLedger& ledger, std::string& out);

  uint64_t hash() const { return hash_; }  // FNV-1a 64 of what next() gave so far
  uint64_t bytes() const { return bytes_; }

 private:
  host::ClosedPeriod closed_;
  std::string provider_;
  size_t page_;
  host::HistorySet set_ = host::HistorySet::regular;
  host::StopKey after_;
  bool done_ = false;
  uint64_t hash_;
  uint64_t bytes_ = 0;
  std::string line_;
};

}  // namespace gm::settlement
