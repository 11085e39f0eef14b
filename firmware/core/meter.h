// The meter: turns elapsed connect time into charged and free seconds, and traffic into octets.
//
// Time moves in whole seconds from metered_to_ms; each second is free if it starts inside the
// session's free period, or the session is still authorising (walled garden: the subscriber
// reaches the portal before being approved) or back in the walled garden after its final grant,
// or its billing option is free. Otherwise it is
// charged. The fraction of a second not yet elapsed carries over to the next call, so splitting
// one span into many calls gives the same totals as one call.
#pragma once

#include <cstdint>

#include "firmware/core/session.h"

namespace gm::core {

// Accounts connect time up to now_ms. Sessions that are not metering (stopping, free) only
// move metered_to_ms.
void meter_time(Session& s, uint64_t now_ms);

// Adds traffic; saturates instead of wrapping.
void meter_traffic(Session& s, uint64_t octets_in, uint64_t octets_out, uint32_t now_s);

// Makes [now_s, now_s + seconds) free, replacing any earlier free period.
void set_free_period(Session& s, uint32_t now_s, uint32_t seconds);

}  // namespace gm::core
