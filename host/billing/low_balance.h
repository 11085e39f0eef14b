// The low-balance warning (BILLING.md, "Presence and stale sessions"): a plain function over
// what the store read (session_sweep.h). A prepaid account's threshold is its own
// low_balance_micros when set (> 0), else the billing setting low_balance_micros (0: none). At
// or below it, each live session is told once (COMMAND_LOW_BALANCE) and remembered as warned;
// once the balance is above the threshold again (a top-up), the mark is cleared, so the next
// fall warns again: once per crossing.
#pragma once

#include <cstdint>
#include <vector>

#include "host/store/session_sweep.h"

namespace gm::billing {

int64_t low_balance_threshold(int64_t account_threshold_micros, int64_t default_threshold_micros);

host::LowBalanceWrite plan_low_balance(const std::vector<host::LowBalanceCandidate>& candidates,
                                       int64_t default_threshold_micros);

}  // namespace gm::billing
