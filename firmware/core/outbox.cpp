#include "firmware/core/outbox.h"

#include <pb_encode.h>

namespace gm::core {

namespace {
constexpr uint8_t flag_newest_persisted = 1u << 3;  // the journal holds exactly seq
uint32_t seconds(uint64_t ms) { return static_cast<uint32_t>(ms / 1000); }
}  // namespace

UsageRecord record_of(const SessionTable& table, const Session& s) {
  UsageRecord r;
  r.session_id = s.id;
  r.seq = s.seq;
  r.kind = s.kind;
  r.cause = s.cause;
  r.billing = s.billing;
  r.billing_outage = s.billing_outage();
  r.start_unix = s.start_unix;
  r.totals = s.totals();
  copy_text(r.subscriber, sizeof r.subscriber, s.subscriber);
  copy_text(r.service, sizeof r.service, table.service_name(s.service));
  return r;
}

void Outbox::attach(uint64_t login_session, const frame::TagKey& key, Uplink& uplink,
                    uint64_t now_ms) {
  uplink_ = &uplink;
  login_session_ = login_session;
  key_ = key;
  frame_seq_ = 0;
  ack_window_.reset();
  confirmations_.restart_sequence();
  resend_all(now_ms);
}

void Outbox::detach() { uplink_ = nullptr; }

void Outbox::resend_all(uint64_t now_ms) {
  for (Session& s : table_)
    if (s.in_use() && (s.flags & flag_pending)) s.flags |= flag_unsent;
  resend_due_ms_ = now_ms;
  last_ack_ms_ = now_ms;
}

void Outbox::emit(Session& s, uint8_t kind, uint64_t now_ms) {
  if (!(s.flags & flag_pending)) s.pending_since_s = seconds(now_ms);
  ++s.seq;
  s.kind = kind;
  s.flags = static_cast<uint8_t>((s.flags | flag_pending | flag_unsent) & ~flag_newest_persisted);
}

void Outbox::flush(uint64_t now_ms) {
  if (uplink_ != nullptr) {
    const bool resend = now_ms >= resend_due_ms_;
    if (resend) resend_due_ms_ = now_ms + settings_.retransmit_ms;
    const uint32_t sealed_before = frame_seq_;
    send_sessions(now_ms, resend);
    if (resend) send_journal_records();
    // Nothing went out to carry the confirmations: they go alone, at once for a command that
    // just arrived, else on the retransmit timer while their acknowledgement stays away.
    if (frame_seq_ == sealed_before &&
        (confirmations_.uncarried() || (resend && confirmations_.confirming() > 0)))
      send_batch(true);
  }

  // Persist what waited too long (or everything pending while the uplink is down). A STOP that
  // is safely in the journal frees its table slot: the journal carries it from here.
  const uint32_t now_s = seconds(now_ms);
  const uint32_t patience_s = settings_.persist_after_ms / 1000;
  const uint32_t repersist_s = settings_.repersist_after_ms / 1000;
  for (Session& s : table_) {
    if (!s.in_use() || !(s.flags & flag_pending) || (s.flags & flag_newest_persisted)) continue;
    // While acks stay away each resend is a new record. A live session already in flash is
    // rewritten only repersist_after after that write, so an outage costs one write per session
    // per interval, not one per resend. Anything else waits persist_after, or nothing while
    // the uplink is down.
    const bool rewrite = (s.flags & flag_persisted) && s.state != SessionState::stopping;
    const uint32_t wait_s = rewrite ? repersist_s : uplink_ != nullptr ? patience_s : 0;
    if (now_s - s.pending_since_s < wait_s) continue;
    if (persist(s)) s.pending_since_s = now_s;
  }
}

bool Outbox::persist(Session& s) {
  if (!(s.flags & flag_pending)) return true;
  if (!(s.flags & flag_newest_persisted)) {
    const store::JournalStatus st = settings_.fault == OutboxFault::no_persistence
                                        ? store::JournalStatus::ok
                                        : journal_.put_record(record_of(table_, s));
    if (st != store::JournalStatus::ok) {
      ++stats_.persist_failures;
      log_.write(hal::LogLevel::error, "outbox.persist_failed", static_cast<int64_t>(st),
                 static_cast<int64_t>(s.id));
      return false;
    }
    ++stats_.records_persisted;
    s.flags |= flag_persisted | flag_newest_persisted;
  }
  if (s.state == SessionState::stopping) table_.release(s);
  return true;
}

void Outbox::send_sessions(uint64_t now_ms, bool resend) {
  batch_.records_count = 0;
  batch_bytes_ = 0;
  for (Session& s : table_) {
    if (!s.in_use() || !(s.flags & flag_pending)) continue;
    if (!(s.flags & flag_unsent)) {
      if (!resend) continue;
      // A live session resends as a fresh record; a STOP's totals are final, so it resends as is.
      if (s.state != SessionState::stopping) emit(s, gatemeter_RecordKind_RECORD_INTERIM, now_ms);
    }
    if (!add_record(record_of(table_, s))) {
      send_batch();
      add_record(record_of(table_, s));
    }
    s.flags &= static_cast<uint8_t>(~flag_unsent);
    if (settings_.fault == OutboxFault::forget_when_sent) acknowledge(s.id, s.seq);
  }
  send_batch();
}

void Outbox::send_journal_records() {
  batch_.records_count = 0;
  batch_bytes_ = 0;
  UsageRecord r;
  for (size_t i = 0; journal_.record_at(i, r); ++i) {
    if (table_.find(r.session_id) != nullptr) continue;  // the table's copy is newer or equal
    if (!add_record(r)) {
      send_batch();
      add_record(r);
    }
    if (settings_.fault == OutboxFault::forget_when_sent) journal_.forget(r.session_id, r.seq);
  }
  send_batch();
}

bool Outbox::add_record(const UsageRecord& r) {
  // max_records is a run-time setting; the batch it fills is the generated, fixed-size struct.
  if (batch_.records_count >= settings_.max_records ||
      batch_.records_count >= wire::max_batch_records)
    return false;
  gatemeter_UsageRecord& w = batch_.records[batch_.records_count];
  to_wire(r, w);
  size_t size = 0;
  pb_get_encoded_size(&size, gatemeter_UsageRecord_fields, &w);
  size += 3;  // field tag and length prefix of the repeated sub-message
  if (batch_.records_count > 0 &&
      batch_bytes_ + size + frame::overhead + confirmations_.wire_bytes() >
          settings_.max_datagram_bytes)
    return false;
  ++batch_.records_count;
  batch_bytes_ += size;
  return true;
}

void Outbox::send_batch(bool confirmations_only) {
  if ((batch_.records_count == 0 && !confirmations_only) || uplink_ == nullptr) return;
  const frame::Header h{frame::FrameKind::metering_batch, login_session_, ++frame_seq_};
  batch_.confirmed_commands_count = confirmations_.fill(batch_.confirmed_commands, h.seq);
  batch_.agent_time_unix = agent_time_unix_;
  const size_t n = frame::seal(h, &batch_, key_, frame_, sizeof frame_);
  if (n != 0) {
    for (uint32_t c = 0; c < settings_.copies; ++c)
      if (uplink_->send(frame_, n)) ++stats_.datagrams_sent;
    stats_.records_sent += batch_.records_count;
  } else {
    log_.write(hal::LogLevel::error, "outbox.seal_failed", batch_.records_count);
  }
  batch_.records_count = 0;
  batch_bytes_ = 0;
}

frame::Refusal Outbox::on_datagram(const uint8_t* data, size_t length, gatemeter_Ack& ack,
                                   uint64_t now_ms) {
  frame::Header h;
  frame::Refusal r = frame::peek(data, length, h);
  if (r == frame::Refusal::none && (uplink_ == nullptr || h.login_session != login_session_))
    r = frame::Refusal::unknown_session;
  if (r == frame::Refusal::none)
    r = frame::open(data, length, h, key_, ack_window_, frame::FrameKind::ack, &ack);
  if (r != frame::Refusal::none) {
    ++stats_.acks_refused[static_cast<size_t>(r)];
    return r;
  }
  last_ack_ms_ = now_ms;
  confirmations_.acknowledged(ack.datagram_seq, now_ms);
  for (pb_size_t i = 0; i < ack.records_count; ++i)
    acknowledge(ack.records[i].session_id, ack.records[i].seq);
  return r;
}

void Outbox::acknowledge(uint64_t session_id, uint32_t seq) {
  Session* s = table_.find(session_id);
  if (s == nullptr) {  // a journal-only record (stopped, or from before a reboot)
    if (journal_.forget(session_id, seq) == store::JournalStatus::ok) ++stats_.records_acked;
    return;
  }
  if (seq != s->seq || !(s->flags & flag_pending)) return;  // an older record: a newer is due
  ++stats_.records_acked;
  // The census committed this record before acknowledging it, so the journal's copy (if any)
  // is no longer needed: forgetting it cannot lose usage.
  if (s->flags & flag_persisted) journal_.forget(session_id, seq);
  s->flags = 0;
  if (s->state == SessionState::stopping) table_.release(*s);
}

size_t Outbox::pending() const {
  size_t n = 0;
  for (const Session& s : table_) n += (s.in_use() && (s.flags & flag_pending)) ? 1 : 0;
  UsageRecord r;
  for (size_t i = 0; journal_.record_at(i, r); ++i)
    if (table_.find(r.session_id) == nullptr) ++n;
  return n;
}

}  // namespace gm::core
