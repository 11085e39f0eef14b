// Every capacity and default of the agent, in one place (as lwIP keeps lwipopts.h). Each can be
// overridden at build time with -DGM_<NAME>=value; tables never grow at run time.
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef GM_MAX_SESSIONS
#define GM_MAX_SESSIONS 64  // concurrent subscriber sessions on one gateway
#endif
#ifndef GM_MAX_PENDING_STOPS
#define GM_MAX_PENDING_STOPS 64  // stopped sessions whose STOP is not yet acknowledged, in RAM
#endif
#ifndef GM_JOURNAL_MAX_RECORDS
#define GM_JOURNAL_MAX_RECORDS 256  // unacknowledged records the flash journal indexes
#endif
#ifndef GM_MAX_FREE_PERIODS
#define GM_MAX_FREE_PERIODS 2  // free (uncharged) periods per session at once
#endif
#ifndef GM_MAX_SERVICES
#define GM_MAX_SERVICES 8  // distinct service names the agent knows
#endif

namespace gm::config {

inline constexpr size_t max_sessions = GM_MAX_SESSIONS;
inline constexpr size_t max_pending_stops = GM_MAX_PENDING_STOPS;
inline constexpr size_t journal_max_records = GM_JOURNAL_MAX_RECORDS;
inline constexpr size_t max_free_periods = GM_MAX_FREE_PERIODS;
inline constexpr size_t max_services = GM_MAX_SERVICES;

// Defaults until the login service says otherwise.
inline constexpr uint32_t default_interval_s = 60;
inline constexpr uint32_t default_copies = 2;              // each datagram sent this many times
inline constexpr uint32_t default_retransmit_ms = 3000;    // resend unacknowledged records after
inline constexpr uint32_t default_persist_after_ms = 30000;  // journal what stays unacked this long

}  // namespace gm::config
