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
#ifndef GM_MAX_AUTH_REQUESTS
#define GM_MAX_AUTH_REQUESTS 16  // authorisation requests awaiting a billing server's answer
#endif
#ifndef GM_AUTH_TRIES_PER_SERVER
#define GM_AUTH_TRIES_PER_SERVER 3  // sends of one request to a billing server before the next
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
inline constexpr size_t max_auth_requests = GM_MAX_AUTH_REQUESTS;
// With the retransmit interval this bounds how long one billing server may stay silent before
// the next is asked (3 x 3 s), and so how long a new session waits in the walled garden when
// every billing server is down: tries x servers x retransmit (18 s with two servers).
inline constexpr uint32_t auth_tries_per_server = GM_AUTH_TRIES_PER_SERVER;
static_assert(auth_tries_per_server >= 1, "GM_AUTH_TRIES_PER_SERVER: at least one try");

// Defaults until the login service or the operator says otherwise.
inline constexpr uint32_t default_interval_s = 60;
inline constexpr uint32_t default_copies = 2;                // each datagram sent this many times
inline constexpr uint32_t default_retransmit_ms = 3000;      // resend unacknowledged records after
inline constexpr uint32_t default_persist_after_ms = 30000;  // journal what stays unacked this long
// A session nobody decides (the board never calls authorise(), or a billing reject is never
// followed by another request) ends after this long in the walled garden, so a forgotten
// subscriber cannot hold a table slot for ever.
inline constexpr uint32_t default_authorising_timeout_s = 300;
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
