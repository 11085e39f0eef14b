#include "shared/frame/replay_window.h"

namespace gm::frame {

Refusal ReplayWindow::check(uint32_t seq) const {
  if (seq == 0) return Refusal::too_old;  // 0 is never sent, so it can only be forged or stale
  if (seq > highest_) return Refusal::none;
  const uint32_t behind = highest_ - seq;
  if (behind >= width) return Refusal::too_old;
  return (seen_ >> behind) & 1u ? Refusal::replayed : Refusal::none;
}

void ReplayWindow::mark(uint32_t seq) {
  if (seq > highest_) {
    const uint32_t ahead = seq - highest_;
    seen_ = ahead >= width ? 0 : seen_ << ahead;
    seen_ |= 1u;
    highest_ = seq;
  } else {
    seen_ |= uint64_t{1} << (highest_ - seq);
  }
}

}  // namespace gm::frame
