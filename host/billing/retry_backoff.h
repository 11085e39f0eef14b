// When to try again after a failure (BILLING.md: remote inquiries, the feed's webhook): 250 ms
// after the first failure, doubling to at most 8 s, at once again after a success. In memory:
// a restarted service tries at once, which is what an operator restarting it expects.
#pragma once

#include <algorithm>
#include <chrono>

namespace gm::billing {

class RetryBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds first{250}, longest{8000};

  bool due(Clock::time_point now) const { return now >= next_; }
  // A failure at `now`: the next attempt waits the doubled delay. Returns that delay.
  std::chrono::milliseconds failed(Clock::time_point now) {
    delay_ = delay_.count() == 0 ? first : std::min(longest, 2 * delay_);
    next_ = now + delay_;
    return delay_;
  }
  void succeeded() {
    delay_ = std::chrono::milliseconds{0};
    next_ = {};
  }
  // 0 until the first failure: a caller logs the first of a run of failures.
  std::chrono::milliseconds delay() const { return delay_; }

 private:
  std::chrono::milliseconds delay_{0};
  Clock::time_point next_{};
};

}  // namespace gm::billing
