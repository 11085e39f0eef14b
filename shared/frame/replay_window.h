// Sliding replay window over a 32-bit datagram sequence, as in IPsec (RFC 4303 §3.4.3): it
// remembers the highest sequence accepted and which of the `width` sequences below it were
// seen. A sequence is checked before and marked after the frame is proven authentic, so a
// forged frame can never advance the window.
#pragma once

#include <cstdint>

#include "shared/frame/frame_format.h"

namespace gm::frame {

class ReplayWindow {
 public:
  static constexpr uint32_t width = 64;

  // none, replayed or too_old; does not change the window.
  Refusal check(uint32_t seq) const;
  // Records seq as seen. Call only after check() returned none and the frame was authentic.
  void mark(uint32_t seq);

  uint32_t highest() const { return highest_; }
  void reset() { highest_ = 0; seen_ = 0; }

 private:
  uint32_t highest_ = 0;  // 0 = nothing seen yet; senders start at 1
  uint64_t seen_ = 0;     // bit i set: highest_ - i was seen
};

}  // namespace gm::frame
