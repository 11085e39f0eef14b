// Every capacity and default of the agent, in one place (as lwIP keeps lwipopts.h). Each can be
// overridden at build time with -DGM_<NAME>=value; tables never grow at run time.
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef GM_MAX_SESSIONS
#define GM_MAX_SESSIONS 64  // concurrent subscriber sessions on one gateway
#endif
#ifndef GM_JOURNAL_MAX_RECORDS
#define GM_JOURNAL_MAX_RECORDS 256  // unacknowledged records the flash journal indexes
#endif
#ifndef GM_MAX_SERVICES
#define GM_MAX_SERVICES 8  // distinct service names the agent knows
#endif
#ifndef GM_MAX_APPLIED_COMMANDS
#define GM_MAX_APPLIED_COMMANDS 32  // host command ids remembered, so a resent one is not reapplied
#endif
#ifndef GM_MAX_RECORDS_PER_DATAGRAM
#define GM_MAX_RECORDS_PER_DATAGRAM 20  // <= MeteringBatch.records max_count; ~1.4 KB datagrams at 20
#endif

namespace gm::config {

inline constexpr size_t max_sessions = GM_MAX_SESSIONS;
inline constexpr size_t journal_max_records = GM_JOURNAL_MAX_RECORDS;
inline constexpr size_t max_services = GM_MAX_SERVICES;
inline constexpr size_t max_records_per_datagram = GM_MAX_RECORDS_PER_DATAGRAM;
inline constexpr size_t max_applied_commands = GM_MAX_APPLIED_COMMANDS;

// Defaults until the login service or the operator says otherwise.
inline constexpr uint32_t default_interval_s = 60;
inline constexpr uint32_t default_copies = 2;                // each datagram sent this many times
inline constexpr uint32_t default_retransmit_ms = 3000;      // resend unacknowledged records after
inline constexpr uint32_t default_persist_after_ms = 30000;  // journal what stays unacked this long
// A command id whose confirmation the census acknowledged is kept at least this long before its
// slot may be reused: covers acks already on the way and census nodes that have not re-read
// their pending commands yet (host: command_poll_ms, 500 ms by default), twenty times over.
// With max_applied_commands, it bounds the pace of commands: beyond 32 in 10 s they wait
// (the census resends them), they are never applied twice (core/applied_commands.h).
inline constexpr uint32_t command_remember_ms = 10000;

}  // namespace gm::config

#ifndef GM_JOURNAL_MAX_SECTORS
#define GM_JOURNAL_MAX_SECTORS 64  // erase sectors the flash journal can span
#endif

namespace gm::config {
inline constexpr size_t journal_max_sectors = GM_JOURNAL_MAX_SECTORS;
}  // namespace gm::config
