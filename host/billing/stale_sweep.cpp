#include "host/billing/stale_sweep.h"

#include "gatemeter.pb.h"

namespace gm::billing {

int64_t stale_window_s(const SweepRules& r) {
  return int64_t{r.stale_intervals} * int64_t{r.interval_s};
}

int64_t quiet_before(const SweepRules& r, int64_t now) {
  return now - stale_window_s(r);
}

host::SweepWrite plan_sweep(const SweepRules& r, const host::SweepRead& read, int64_t now,
                            bool judge_silence, SweepMemory& memory) {
  host::SweepWrite w;
  w.heard_after_unix = now - stale_window_s(r) - r.presence_slack_s;
  if (r.stale_intervals == 0 || r.interval_s == 0) return w;
  std::map<int64_t, const host::PresenceRow*> presence;
  bool census_hears = false;
  for (const host::PresenceRow& p : read.presence) {
    presence[p.agent] = &p;
    if (p.last_seen_unix >= w.heard_after_unix) {
      census_hears = true;
      memory.present_since_unix.try_emplace(p.agent, now);
    } else {
      memory.present_since_unix.erase(p.agent);
    }
  }
  const bool silence_counts = judge_silence && census_hears;
  if (silence_counts)
    for (const host::PresenceRow& p : read.presence)
      if (p.last_seen_unix < w.heard_after_unix && p.lost_unix == 0) w.lost.push_back(p.agent);
  const int64_t quiet = quiet_before(r, now);
  for (const host::QuietSession& q : read.quiet) {
    if (q.updated_unix >= quiet) continue;
    const auto it = presence.find(q.agent);
    if (it == presence.end()) continue;  // never heard: nothing to judge by
    const int64_t last_seen = it->second->last_seen_unix;
    if (last_seen >= w.heard_after_unix) {
      // Heard for a window after the session's last record (not a gateway going silent, whose
      // last datagram carried it), and present for a window (not one just back).
      const auto since = memory.present_since_unix.find(q.agent);
      if (r.track_usage && last_seen >= q.updated_unix + stale_window_s(r) &&
          since != memory.present_since_unix.end() && since->second <= quiet)
        w.close.push_back({q.agent, q.session_id, q.seq, gatemeter_StopCause_STOP_SESSION_TIMEOUT});
    } else if (silence_counts) {
      w.close.push_back({q.agent, q.session_id, q.seq, gatemeter_StopCause_STOP_LOST_CARRIER});
    }
  }
  return w;
}

}  // namespace gm::billing
