#include "sim/record_witness.h"

#include <algorithm>

#include "shared/frame/frame_codec.h"

namespace gm::sim {

namespace {

WitnessedRecord witnessed(const UsageRecord& r) {
  return {r.seq, r.kind, r.cause, r.totals};
}

}  // namespace

void RecordWitness::login(const std::string& agent, uint64_t login_session,
                          const frame::TagKey& key) {
  logins_[login_session] = {agent, key};
}

const RecordWitness::Login* RecordWitness::open(const uint8_t* data, size_t length,
                                                frame::FrameKind kind, void* msg) {
  frame::Header h;
  if (frame::peek(data, length, h) == frame::Refusal::none) {
    const auto it = logins_.find(h.login_session);
    // A fresh window per frame: the witness sees every copy and must read each of them.
    frame::ReplayWindow window;
    if (it != logins_.end() &&
        frame::open(data, length, h, it->second.key, window, kind, msg) == frame::Refusal::none)
      return &it->second;
  }
  ++stats_.unreadable;
  return nullptr;
}

void RecordWitness::sent(const uint8_t* data, size_t length) {
  gatemeter_MeteringBatch batch = gatemeter_MeteringBatch_init_zero;
  const Login* login = open(data, length, frame::FrameKind::metering_batch, &batch);
  if (login == nullptr) return;
  ++stats_.datagrams_sent;
  for (pb_size_t i = 0; i < batch.records_count; ++i) {
    UsageRecord r;
    if (!from_wire(batch.records[i], r)) continue;  // the census refuses it too
    ++stats_.records_sent;
    std::vector<WitnessedRecord>& versions = log(login->agent, r.session_id).sent[r.seq];
    const WitnessedRecord w = witnessed(r);
    bool known = false;
    for (const WitnessedRecord& v : versions)
      known |= v.kind == w.kind && v.cause == w.cause && v.totals == w.totals;
    if (!known) versions.push_back(w);
  }
}

void RecordWitness::from_census(const uint8_t* data, size_t length) {
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  const Login* login = open(data, length, frame::FrameKind::ack, &ack);
  if (login == nullptr) return;
  ++stats_.acks_seen;
  for (pb_size_t i = 0; i < ack.records_count; ++i) {
    SessionLog& s = log(login->agent, ack.records[i].session_id);
    if (s.sent.count(ack.records[i].seq) == 0) {
      ++stats_.acked_unsent;
      continue;
    }
    ++stats_.records_acked;
    if (ack.records[i].seq > s.newest_acked) s.newest_acked = ack.records[i].seq;
  }
}

void RecordWitness::from_census_async(const uint8_t* data, size_t length) {
  std::lock_guard lock(inbox_mutex_);
  inbox_.emplace_back(data, data + length);
}

void RecordWitness::drain() {
  std::vector<std::vector<uint8_t>> got;
  {
    std::lock_guard lock(inbox_mutex_);
    got.swap(inbox_);
  }
  for (const auto& d : got) from_census(d.data(), d.size());
}

void RecordWitness::written_to_flash(const std::string& agent, const UsageRecord& r,
                                     uint64_t now_ms, bool kept) {
  SessionLog& s = log(agent, r.session_id);
  if (kept) {
    ++stats_.records_flashed;
    s.flashed.emplace_back(now_ms, witnessed(r));
  } else if (r.kind == gatemeter_RecordKind_RECORD_STOP &&
             r.cause != gatemeter_StopCause_STOP_AGENT_RESTART) {
    s.attempted_stop_cause = r.cause;
  }
}

DurablePoint RecordWitness::durable(const std::string& agent, uint64_t session_id,
                                    uint64_t cut_ms) const {
  DurablePoint p;
  const auto it = sessions_.find({agent, session_id});
  if (it == sessions_.end()) return p;
  const SessionLog& s = it->second;
  auto consider = [&p](const WitnessedRecord& r) {
    if (!p.any || r.seq > p.newest.seq) p.newest = r;
    p.any = true;
  };
  auto note_stop = [&p](const WitnessedRecord& r) {
    if (r.kind == gatemeter_RecordKind_RECORD_STOP &&
        r.cause != gatemeter_StopCause_STOP_AGENT_RESTART)
      p.stop_cause = r.cause;
  };
  // The census holds one of the versions of the acknowledged seq (or a newer record), not
  // necessarily the one this ack was for: count the least of them, counter by counter.
  if (s.newest_acked != 0) {
    const std::vector<WitnessedRecord>& versions = s.sent.at(s.newest_acked);
    WitnessedRecord least = versions.front();
    for (const WitnessedRecord& v : versions) {
      least.totals.charged_s = std::min(least.totals.charged_s, v.totals.charged_s);
      least.totals.free_s = std::min(least.totals.free_s, v.totals.free_s);
      least.totals.octets_in = std::min(least.totals.octets_in, v.totals.octets_in);
      least.totals.octets_out = std::min(least.totals.octets_out, v.totals.octets_out);
    }
    consider(least);
  }
  for (const auto& [ms, r] : s.flashed) {
    note_stop(r);
    if (ms <= cut_ms) consider(r);
  }
  for (const auto& [seq, versions] : s.sent)
    for (const WitnessedRecord& r : versions) note_stop(r);
  if (s.attempted_stop_cause >= 0) p.stop_cause = s.attempted_stop_cause;
  return p;
}

}  // namespace gm::sim
