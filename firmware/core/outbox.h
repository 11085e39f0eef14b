// The outbox: keeps every record until the census acknowledges it, and touches flash only for
// what stays unacknowledged.
//
// The newest record of each session lives in the session table itself (seq, kind, flags), and
// its totals are the session's own; a newer record simply replaces an older unacknowledged one
// (coalescing), so the outbox needs no storage of its own. A resend of a metering session is a
// new record (seq + 1, current totals): a record's totals never change once it has a seq, so
// the census's duplicate check on (session, seq) can never hide newer usage.
//
// Flash: a session's newest record goes to the journal only when it has stayed unacknowledged
// past persist_after_ms, or at once while the uplink is down. With a healthy uplink nothing is
// written. A stopped session whose STOP is in the journal leaves the table; the journal is its
// outbox from then on, and records found in the journal at boot are sent the same way.
//
// Command confirmations (applied_commands.h) ride in every datagram sealed while they are
// confirming; with no records to send, a datagram of confirmations alone goes out at the next
// flush after a command arrives, and again on the retransmit timer until one is acknowledged.
#pragma once

#include <cstddef>
#include <cstdint>

#include "firmware/core/applied_commands.h"
#include "firmware/core/session_table.h"
#include "firmware/core/uplink.h"
#include "firmware/hal/log.h"
#include "firmware/store/record_store.h"
#include "shared/frame/frame_codec.h"
#include "shared/proto/wire_limits.h"

namespace gm::core {

static_assert(config::max_records_per_datagram <= wire::max_batch_records,
              "GM_MAX_RECORDS_PER_DATAGRAM: more records than a MeteringBatch holds");

// Deliberate bugs for the simulator's negative controls, which must see them as lost usage:
// no_persistence acts as if every record it should persist were in flash without writing it;
// forget_when_sent forgets a record when it is sent instead of when it is acknowledged.
enum class OutboxFault : uint8_t { none, no_persistence, forget_when_sent };

struct OutboxSettings {
  uint32_t copies = config::default_copies;
  uint32_t retransmit_ms = config::default_retransmit_ms;
  uint32_t persist_after_ms = config::default_persist_after_ms;
  // After a session's record was persisted, how long before a newer one is (acks still away).
  uint32_t repersist_after_ms = config::default_interval_s * 1000;
  uint32_t max_records = config::max_records_per_datagram;
  uint32_t max_datagram_bytes = 1400;  // keep under a 1500-byte MTU with IP/UDP headers
  OutboxFault fault = OutboxFault::none;  // tests only
};

struct OutboxStats {
  uint64_t datagrams_sent = 0;   // copies included
  uint64_t records_sent = 0;
  uint64_t records_acked = 0;
  uint64_t records_persisted = 0;
  uint64_t persist_failures = 0;
  uint64_t acks_refused[static_cast<size_t>(frame::Refusal::count_)] = {};
};

class Outbox {
 public:
  Outbox(SessionTable& table, AppliedCommands& confirmations, store::RecordStore& journal,
         hal::Log& log)
      : table_(table), confirmations_(confirmations), journal_(journal), log_(log) {}

  void configure(const OutboxSettings& s) { settings_ = s; }
  const OutboxSettings& settings() const { return settings_; }

  // A login session is up: frames go out under its id and tag key. Everything pending is sent
  // again under the new session at the next flush.
  void attach(uint64_t login_session, const frame::TagKey& key, Uplink& uplink, uint64_t now_ms);
  void detach();
  // The uplink moved to another census: send everything pending there now. The frame sequence
  // carries on (going back to an earlier census must not look like a replay to it).
  void resend_all(uint64_t now_ms);
  bool attached() const { return uplink_ != nullptr; }
  uint64_t login_session() const { return login_session_; }

  // Makes the session's newest record: seq + 1 of the given kind, with its current totals.
  void emit(Session& s, uint8_t kind, uint64_t now_ms);

  // Sends what is unsent, resends what is due, persists what has waited too long.
  void flush(uint64_t now_ms);
  // The wall clock for MeteringBatch.agent_time_unix of the datagrams sealed from now on
  // (billing rates a batch's usage at that time, clamped by the census's own clock).
  void set_agent_time(uint64_t unix_s) { agent_time_unix_ = unix_s; }
  // An empty batch (with any confirmations): the agent is here, though no session has a record
  // to send. Not retransmitted: the next interval sends another.
  void heartbeat() { send_batch(true); }

  // An acknowledgement arrived: opens it and forgets what it acknowledges. On Refusal::none,
  // ack holds the decoded message (the caller acts on its commands).
  frame::Refusal on_datagram(const uint8_t* data, size_t length, gatemeter_Ack& ack,
                             uint64_t now_ms);

  // Puts a session's newest record into the journal now (table pressure, shutdown).
  bool persist(Session& s);

  const OutboxStats& stats() const { return stats_; }
  size_t pending() const;
  // When the census last acknowledged anything (or the login that attached it).
  uint64_t last_ack_ms() const { return last_ack_ms_; }  // sessions and journal records not yet acknowledged

 private:
  void send_sessions(uint64_t now_ms, bool resend);
  void send_journal_records();
  bool add_record(const UsageRecord& r);
  // Seals and sends the batch being assembled; one without records only if confirmations_only.
  void send_batch(bool confirmations_only = false);
  void acknowledge(uint64_t session_id, uint32_t seq);

  SessionTable& table_;
  AppliedCommands& confirmations_;
  store::RecordStore& journal_;
  hal::Log& log_;
  OutboxSettings settings_;
  OutboxStats stats_;

  Uplink* uplink_ = nullptr;
  uint64_t login_session_ = 0;
  frame::TagKey key_{};
  uint32_t frame_seq_ = 0;
  frame::ReplayWindow ack_window_;
  uint64_t resend_due_ms_ = 0;
  uint64_t last_ack_ms_ = 0;
  uint64_t agent_time_unix_ = 0;

  // One datagram being assembled; static-sized, reused for every send.
  gatemeter_MeteringBatch batch_ = gatemeter_MeteringBatch_init_zero;
  size_t batch_bytes_ = 0;
  uint8_t frame_[frame::max_frame_size] = {};
};

UsageRecord record_of(const SessionTable& table, const Session& s);

}  // namespace gm::core
