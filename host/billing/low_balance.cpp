#include "host/billing/low_balance.h"

namespace gm::billing {

int64_t low_balance_threshold(int64_t account_threshold, int64_t default_threshold) {
  return account_threshold > 0 ? account_threshold : default_threshold;
}

host::LowBalanceWrite plan_low_balance(const std::vector<host::LowBalanceCandidate>& candidates,
                                       int64_t default_threshold) {
  host::LowBalanceWrite w;
  for (const host::LowBalanceCandidate& c : candidates) {
    const int64_t threshold = low_balance_threshold(c.account_threshold_micros, default_threshold);
    if (threshold <= 0) continue;  // no warning for this account
    const host::LowBalanceWarning x{c.agent, c.session_id, c.account, threshold};
    if (c.balance_micros <= threshold && c.warned_unix == 0)
      w.warn.push_back(x);
    else if (c.balance_micros > threshold && c.warned_unix != 0)
      w.rearm.push_back(x);
  }
  return w;
}

}  // namespace gm::billing
