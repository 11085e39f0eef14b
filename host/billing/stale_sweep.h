// Which sessions the billing service's sweep closes (BILLING.md, "Presence and stale
// sessions"), from what the store read (session_sweep.h): a plain function, like
// login_grant.cpp, so the rules are tested without a store or a clock.
//
// A gateway's records are its connect signal, its heartbeat when it has no session; the census
// writes its presence at most every presence_slack_s. With window = stale_intervals x interval:
//   - present: heard within window + slack (last_seen_unix >= heard_after);
//   - an open session with no record for the window is stale when its gateway is present,
//     was heard at least a window after the session's last record (a gateway going silent is
//     heard last with that record: it is a lost carrier, not a stale session), and has been
//     present (as these sweeps saw it) for at least the window (a gateway back from an outage,
//     its own or the host's, has had no chance yet to report its sessions, whose newest records
//     are as old as the outage): closed STOP_SESSION_TIMEOUT, unless agents do not meter at
//     all (track_usage off);
//   - a gateway not heard within window + slack is silent: its open sessions with no record
//     for the window are closed STOP_LOST_CARRIER and it is marked lost;
//   - but silence is judged only when `judge_silence` (the service has run for window + slack,
//     so a census that just started has had the time to hear every gateway) and while the census
//     hears some gateway: when none is heard it is the census that is deaf (down, stuck), not
//     every gateway gone;
//   - a session of a gateway never heard (no presence row) is left alone.
#pragma once

#include <cstdint>
#include <map>

#include "host/store/session_sweep.h"

namespace gm::billing {

struct SweepRules {
  uint32_t stale_intervals = 3;  // 0: no sweep at all
  uint32_t interval_s = 60;      // the login service's metering_interval_s
  int64_t presence_slack_s = 5;  // how often at most the census writes a gateway's presence
  bool track_usage = true;       // false: agents send heartbeats but no records
};

// stale_intervals x interval_s: how long a session may go without a record.
int64_t stale_window_s(const SweepRules& rules);
// Before this, a session's newest record makes it quiet (now - window).
int64_t quiet_before(const SweepRules& rules, int64_t now_unix);

// What the sweeps saw between rounds: since when each gateway has been present without a
// break (a sweep that finds it silent forgets it). Kept in memory: a restarted service starts
// afresh, and closes nothing as stale for its first window.
struct SweepMemory {
  std::map<int64_t, int64_t> present_since_unix;  // agent -> the first sweep that saw it present
};

// What to close and mark, from the read; heard_after_unix = now - window - slack. Updates
// `memory` with this read's presence.
host::SweepWrite plan_sweep(const SweepRules& rules, const host::SweepRead& read,
                            int64_t now_unix, bool judge_silence, SweepMemory& memory);

}  // namespace gm::billing
