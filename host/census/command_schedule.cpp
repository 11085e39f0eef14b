#include "host/census/command_schedule.h"

#include <algorithm>

namespace gm::host {

CommandSchedule::CommandSchedule(Clock::duration resend_after, size_t max_per_ack)
    : resend_after_(resend_after), max_per_ack_(max_per_ack) {}

void CommandSchedule::reload(const std::vector<PendingCommand>& pending) {
  pending_.clear();
  std::unordered_map<int64_t, Clock::time_point> still_pending;
  for (const PendingCommand& c : pending) {
    if (auto it = last_sent_.find(c.id); it != last_sent_.end()) still_pending.insert(*it);
    pending_[c.agent].push_back(c);
  }
  last_sent_.swap(still_pending);
}

void CommandSchedule::confirmed(int64_t agent, int64_t command) {
  auto it = pending_.find(agent);
  if (it != pending_.end() &&
      std::erase_if(it->second, [&](const PendingCommand& p) { return p.id == command; }))
    last_sent_.erase(command);
}

std::span<const PendingCommand> CommandSchedule::due(int64_t agent, Clock::time_point now) {
  auto it = pending_.find(agent);
  if (it == pending_.end()) return {};
  const std::span<const PendingCommand> first(it->second.data(),
                                              std::min(it->second.size(), max_per_ack_));
  const bool any_due = std::ranges::any_of(first, [&](const PendingCommand& c) {
    const auto sent = last_sent_.find(c.id);
    return sent == last_sent_.end() || now - sent->second >= resend_after_;
  });
  if (!any_due) return {};
  for (const PendingCommand& c : first) last_sent_[c.id] = now;
  return first;
}

}  // namespace gm::host
