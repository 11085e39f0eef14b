#include "host/settlement/report_throttle.h"

#include <algorithm>
#include <climits>

namespace gm::settlement {

int64_t ReportThrottle::wait_s(const std::string& key, int64_t now) const {
  const auto it = keys_.find(key);
  if (it == keys_.end() || it->second.locked_until <= now) return 0;
  return it->second.locked_until - now;
}

bool ReportThrottle::failed(const std::string& key, int64_t now) {
  auto it = keys_.find(key);
  if (it == keys_.end()) {
    if (keys_.size() >= max_keys) make_room(now);
    Failures none;
    none.times.fill(INT64_MIN);
    it = keys_.emplace(key, none).first;
  }
  Failures& f = it->second;
  std::shift_left(f.times.begin(), f.times.end(), 1);
  f.times.back() = now;
  // The oldest of the last five is within the window: five failures in 60 s.
  if (f.times.front() == INT64_MIN || now - f.times.front() >= window_s) return false;
  f.times.fill(INT64_MIN);
  f.locked_until = now + lockout_s;
  return true;
}

void ReportThrottle::make_room(int64_t now) {
  std::erase_if(keys_, [now](const auto& kv) {
    const Failures& f = kv.second;
    return f.locked_until <= now && (f.latest() == INT64_MIN || now - f.latest() >= window_s);
  });
  if (keys_.size() < max_keys) return;
  auto oldest = keys_.begin();
  for (auto it = keys_.begin(); it != keys_.end(); ++it)
    if (std::max(it->second.latest(), it->second.locked_until) <
        std::max(oldest->second.latest(), oldest->second.locked_until))
      oldest = it;
  keys_.erase(oldest);
}

}  // namespace gm::settlement
