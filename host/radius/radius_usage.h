// What an accounting record makes of a session in the usage ledger: a plain function, no I/O.
//
// Newest wins by seq (usage_ledger.h), and a NAS's counters only grow with the session's time,
// so seq is the session time, with a Stop above an Interim-Update above a Start of the same
// second: a reordered or repeated older request never lowers what is stored. Charged time is
// Acct-Session-Time (a NAS knows no free time); the subscriber is User-Name, with the client's
// realm when it names none.
#pragma once

#include <cstdint>
#include <string>

#include "host/radius/accounting_record.h"
#include "host/store/store_types.h"

namespace gm::radius {

enum class UsageRefusal : uint8_t {
  none,
  no_user,        // a Start, Interim-Update or Stop without User-Name
  too_long,       // the subscriber or the session time beyond what the ledger holds
};
const char* refusal_name(UsageRefusal r);
inline constexpr size_t usage_refusal_count = 3;

// Acct-Terminate-Cause (RFC 2866 section 5.10) as a gatemeter.StopCause.
int32_t stop_cause_of(uint32_t terminate_cause);

// The subscriber a record is of: User-Name, with the client's realm appended if it has none.
std::string subscriber_of(const AccountingRecord& a, const std::string& default_realm);
// The same for a User-Name as sent (an Access-Request's): the client's realm appended when it
// carries none.
std::string subscriber_named(std::string_view user_name, const std::string& default_realm);

// Whether to_usage() would take `a` (the routing server checks before it queues, so that the
// central server takes whatever it forwards).
UsageRefusal usable(const AccountingRecord& a, const std::string& default_realm);

// `a` is a Start, Interim-Update or Stop; agent and session_id as RadiusLedger named them.
UsageRefusal to_usage(const AccountingRecord& a, int64_t agent, uint64_t session_id,
                      const std::string& default_realm, host::VerifiedRecord& out);

}  // namespace gm::radius
