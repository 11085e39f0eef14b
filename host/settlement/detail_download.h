// A closed period's detail file as a download: proved to be the file its close made before the
// first byte is sent, and proved again after the last. Both servers that hand providers their
// detail files (report_server.h and the web console) take it through these steps, each a page
// at a time so their one store thread can serve others in between:
//  1. check_page() until false: the whole file is made once and hashed (nothing sent yet);
//  2. matches(): that hash is the checksum the close kept for this provider's file; if not,
//     the store was changed after the close and the file is refused whole (a 500, logged);
//  3. bytes() is its Content-Length; send_page() until false gives the pages to send;
//  4. sent_same(): what was sent is what was checked; if not (the store changed meanwhile), the
//     connection is closed short of its Content-Length, so no client takes it as whole.
// A record that cannot be written throws host::BillingConflict in step 1 or 3 (detail_pages.h).
#pragma once

#include <cstdint>
#include <string>

#include "host/settlement/detail_pages.h"

namespace gm::settlement {

class DetailDownload {
 public:
  DetailDownload(const host::ClosedPeriod& closed, const std::string& provider)
      : closed_(closed), provider_(provider), check_(closed, provider), send_(closed, provider) {}

  bool check_page(host::SettlementLedger& ledger);
  bool matches(host::SettlementLedger& ledger) const;
  uint64_t bytes() const { return check_.bytes(); }
  bool send_page(host::SettlementLedger& ledger, std::string& page);
  bool sent_same() const { return send_.hash() == check_.hash() && send_.bytes() == check_.bytes(); }

  const host::ClosedPeriod& period() const { return closed_; }
  const std::string& provider() const { return provider_; }

 private:
  host::ClosedPeriod closed_;
  std::string provider_;
  DetailPages check_, send_;
  std::string discard_;
};

}  // namespace gm::settlement
