#include "host/settlement/detail_pages.h"

#include <climits>

#include "host/settlement/detail_file.h"
#include "host/settlement/report_format.h"
#include "host/store/billing_types.h"

namespace gm::settlement {

DetailPages::DetailPages(const host::ClosedPeriod& closed, std::string provider,
                         size_t page_records)
    : closed_(closed),
      provider_(std::move(provider)),
      page_(page_records ? page_records : 1),
      after_{INT64_MIN, 0},
      hash_(fnv1a64_basis) {}

bool DetailPages::next(host::SettlementLedger& ledger, std::string& out) {
  // A page that holds none of the provider's records reads on, so that false means the end.
  while (!done_) {
    const auto page =
        ledger.history_between(closed_.from_unix, closed_.to_unix, after_, page_, set_);
    bool gave = false;
    for (const HistoryRecord& h : page) {
      if (h.serving_provider != provider_) continue;
      if (const DetailRefusal r = detail_line(h, line_); r != DetailRefusal::none)
        throw host::BillingConflict("entry " + std::to_string(h.entry_id) +
                                    " cannot be written: " + refusal_name(r));
      line_ += '\n';
      hash_ = fnv1a64(line_, hash_);
      bytes_ += line_.size();
      out += line_;
      gave = true;
    }
    if (page.size() < page_) {
      if (set_ == host::HistorySet::regular) {
        set_ = host::HistorySet::adjusted;
        after_ = {INT64_MIN, 0};
      } else {
        done_ = true;
      }
    } else {
      after_ = {page.back().stop_unix, page.back().entry_id};
    }
    if (gave) return true;
  }
  return false;
}

}  // namespace gm::settlement
