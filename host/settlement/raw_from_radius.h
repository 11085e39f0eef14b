// What the central settlement server keeps of one RADIUS Accounting-Request (the raw table's
// row, settlement_record.h): the seed's seventeen fields from the record as read_accounting()
// made it (host/radius/accounting_record.h), the server that sent it on (the local provider's,
// known by the routing server's client it came from) and that server's time zone, in which the
// stop's local time is written. Cleaning (cleaning.h) decides later what the record is worth:
// this keeps everything, Starts and Accounting-On included, as received.
#pragma once

#include <cstdint>
#include <string>

#include "host/billing/time_zone.h"
#include "host/radius/accounting_record.h"
#include "host/settlement/raw_from_roaming.h"  // local_text
#include "host/settlement/settlement_record.h"

namespace gm::settlement {

// "Start", "Stop", "Interim-Update", "Accounting-On", "Accounting-Off": the dictionary's names.
const char* status_text(radius::Status s);

// Fields 13 to 17 (entry id, history time, statuses) are the store's: 0 here.
RawRecord raw_from_accounting(const radius::AccountingRecord& a, const std::string& local_server,
                              const billing::TimeZone& zone, int64_t create_unix);

}  // namespace gm::settlement
