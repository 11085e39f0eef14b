#include "host/settlement/detail_download.h"

#include "host/settlement/report_format.h"

namespace gm::settlement {

bool DetailDownload::check_page(host::SettlementLedger& ledger) {
  discard_.clear();
  return check_.next(ledger, discard_);
}

bool DetailDownload::matches(host::SettlementLedger& ledger) const {
  const std::string sum = checksum_text(check_.hash());
  for (const host::ReportChecksum& k : ledger.closed_checksums(closed_.from_unix))
    if (k.provider == provider_ && k.report == "detail_file" && k.checksum == sum) return true;
  return false;
}

bool DetailDownload::send_page(host::SettlementLedger& ledger, std::string& page) {
  page.clear();
  return send_.next(ledger, page);
}

}  // namespace gm::settlement
