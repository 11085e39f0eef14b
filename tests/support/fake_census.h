// A census in a test's memory: opens the agent's datagrams with the login session's tag key,
// applies records newest-wins per session exactly as the real census must, and builds the
// acknowledgements (optionally with commands) to hand back to the agent.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"

namespace gm::test {

class FakeCensus {
 public:
  FakeCensus(uint64_t login_session, const uint8_t (&session_key)[32]) : login_(login_session) {
    frame::derive_tag_key(session_key, 32, key_);
  }

  std::map<uint64_t, UsageRecord> sessions;  // newest record applied per session
  std::vector<gatemeter_Command> commands;   // attached to the next ack, then cleared
  uint64_t records_seen = 0;
  uint64_t refused = 0;

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
    gatemeter_Ack ack = gatemeter_Ack_init_zero;
    ack.datagram_seq = h.seq;
    for (pb_size_t i = 0; i < b.records_count; ++i) {
      UsageRecord r;
      if (!from_wire(b.records[i], r)) continue;
      ++records_seen;
      auto it = sessions.find(r.session_id);
      if (it == sessions.end() || r.seq > it->second.seq) sessions[r.session_id] = r;
      ack.records[ack.records_count++] = {r.session_id, r.seq};
    }
    for (const auto& c : commands)
      if (ack.commands_count < 8) ack.commands[ack.commands_count++] = c;
    commands.clear();
    std::vector<uint8_t> out(frame::max_frame_size);
    out.resize(frame::seal({frame::FrameKind::ack, login_, ++ack_seq_}, &ack, key_, out.data(),
                           out.size()));
    return out;
  }

 private:
  uint64_t login_;
  frame::TagKey key_{};
  frame::ReplayWindow window_;
  uint32_t ack_seq_ = 0;
};

}  // namespace gm::test
