#include "host/census/datagram_verifier.h"

#include <mutex>

#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"

namespace gm::host {

static_assert(wire::max_ack_records >= wire::max_batch_records,
              "gatemeter.options: an ack must be able to name every record of a batch");

Verification verify_datagram(std::span<const uint8_t> datagram, const ReplyPath& from,
                             const LoginLookup& find_login, VerifiedBatch& into) {
  frame::Header h;
  frame::Refusal r = frame::peek(datagram.data(), datagram.size(), h);
  if (r != frame::Refusal::none) return {r};
  std::shared_ptr<LoginEntry> login = find_login(h.login_session);
  if (!login) return {frame::Refusal::unknown_session};
  gatemeter_MeteringBatch batch = gatemeter_MeteringBatch_init_zero;
  {
    // Any receive thread may hold a datagram of this login (SO_REUSEPORT spreads by address).
    std::lock_guard lock(login->window_mutex);
    r = frame::open(datagram.data(), datagram.size(), h, login->key, login->window,
                    frame::FrameKind::metering_batch, &batch);
  }
  if (r != frame::Refusal::none) return {r};

  Verification v;
  const auto index = static_cast<uint32_t>(into.acks.size());
  PendingAck& ack = into.acks.emplace_back();
  ack.reply = from;
  ack.seq = h.seq;
  into.commit.datagrams.push_back({login->agent, login->id, h.seq});
  for (pb_size_t i = 0; i < batch.records_count; ++i) {
    VerifiedRecord record;
    if (!from_wire(batch.records[i], record.record)) {
      ++v.invalid_records;
      continue;
    }
    record.agent = login->agent;
    record.login_session = login->id;
    record.datagram = index;
    record.agent_unix = static_cast<int64_t>(batch.agent_time_unix);
    ack.records[ack.count++] = {record.record.session_id, record.record.seq};
    into.commit.records.push_back(record);
  }
  // An id that is not a command of this agent matches nothing in the store.
  for (pb_size_t i = 0; i < batch.confirmed_commands_count; ++i)
    into.commit.confirmations.push_back({index, static_cast<int64_t>(batch.confirmed_commands[i])});
  ack.login = std::move(login);
  return v;
}

}  // namespace gm::host
