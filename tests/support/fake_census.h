// A census in a test's memory: opens the agent's datagrams with the login session's tag key,
// applies records newest-wins per session exactly as the real census must, and builds the
// acknowledgements (optionally with commands) to hand back to the agent.
//
// Commands: queue() gives a command an id and keeps it pending until a datagram confirms that
// id, and — harsher than the real census, which resends at most once per resend interval —
// puts every pending command into every ack, so the agent sees each one many times.
// `commands` is the old at-most-once path (no id, next ack only), kept for agents that must
// still apply a command a census sends without an id.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"

namespace gm::test {

class FakeCensus {
 public:
  FakeCensus(uint64_t login_session, const uint8_t (&session_key)[32]) : login_(login_session) {
    frame::derive_tag_key(session_key, 32, key_);
  }

  // The agent logged in again: from now on only the new login session's frames are opened (as
  // the real census refuses a closed login's), and what the census holds stays.
  void relogin(uint64_t login_session, const uint8_t (&session_key)[32]) {
    login_ = login_session;
    frame::derive_tag_key(session_key, 32, key_);
    window_.reset();
  }

  std::map<uint64_t, UsageRecord> sessions;  // newest record applied per session
  std::vector<gatemeter_Command> commands;   // no id: attached to the next ack, then cleared
  std::map<uint64_t, gatemeter_Command> pending;  // by id: in every ack until confirmed
  std::map<uint64_t, uint64_t> confirmations;     // id -> datagrams that confirmed it
  gatemeter_MeteringBatch last_batch = gatemeter_MeteringBatch_init_zero;
  uint64_t records_seen = 0;
  uint64_t duplicates = 0;  // records at or below the seq held: acknowledged, change nothing
  uint64_t datagrams_seen = 0;
  uint64_t refused = 0;

  uint64_t queue(gatemeter_Command c) {
    c.id = next_command_id_++;
    pending[c.id] = c;
    return c.id;
  }

  // Applies one datagram; returns the sealed ack (empty if refused).
  std::vector<uint8_t> receive(const std::vector<uint8_t>& d) {
    frame::Header h;
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    if (frame::peek(d.data(), d.size(), h) != frame::Refusal::none || h.login_session != login_ ||
        frame::open(d.data(), d.size(), h, key_, window_, frame::FrameKind::metering_batch, &b) !=
            frame::Refusal::none) {
      ++refused;
      return {};
    }
    ++datagrams_seen;
    last_batch = b;
    for (pb_size_t i = 0; i < b.confirmed_commands_count; ++i) {
      ++confirmations[b.confirmed_commands[i]];
      pending.erase(b.confirmed_commands[i]);  // "committed" with the datagram
    }
    gatemeter_Ack ack = gatemeter_Ack_init_zero;
    ack.datagram_seq = h.seq;
    for (pb_size_t i = 0; i < b.records_count; ++i) {
      UsageRecord r;
      if (!from_wire(b.records[i], r)) continue;
      ++records_seen;
      auto it = sessions.find(r.session_id);
      if (it == sessions.end() || r.seq > it->second.seq)
        sessions[r.session_id] = r;
      else
        ++duplicates;
      ack.records[ack.records_count++] = {r.session_id, r.seq};
    }
    for (const auto& [id, c] : pending)
      if (ack.commands_count < 8) ack.commands[ack.commands_count++] = c;
    for (const auto& c : commands)
      if (ack.commands_count < 8) ack.commands[ack.commands_count++] = c;
    commands.clear();
    std::vector<uint8_t> out(frame::max_frame_size);
    // As the real census does: the ack's frame sequence is the datagram's, so acks from two
    // censuses (nodes) for different datagrams never look like replays to the agent.
    out.resize(
        frame::seal({frame::FrameKind::ack, login_, h.seq}, &ack, key_, out.data(), out.size()));
    return out;
  }

 private:
  uint64_t login_;
  frame::TagKey key_{};
  frame::ReplayWindow window_;
  uint64_t next_command_id_ = 1;
};

}  // namespace gm::test
