// What the acknowledgements of one phase prove, opened as an agent opens them: every datagram
// the load generator logged goes, in arrival order, through frame::peek, the login session's
// tag key and a replay window of the agent's width, and must decode as a FrameKind::ack whose
// datagram_seq is its frame sequence. Only the (session, seq) records an ack names, and that
// its datagram carried, are credited (SessionPlan::acked); an ack naming anything else fails
// the phase.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shared/frame/frame_format.h"
#include "tests/bench/census_load.h"

namespace gm::bench {

struct AckAudit {
  uint64_t datagrams_acked = 0;       // distinct datagrams with a valid ack
  uint64_t records_credited = 0;      // named by a valid ack, carried by its datagram
  uint64_t records_in_phase = 0;      // of those, acked before the phase ended: the rate
  uint64_t late_acks = 0;             // valid acks that arrived after the phase ended
  uint64_t unanswered = 0;            // datagrams sent and never validly acknowledged
  uint64_t records_not_named = 0;     // carried by an acked datagram, missing from its ack
  uint64_t foreign_records = 0;       // named by an ack, not carried by its datagram: FAIL
  uint64_t wrong_datagram_seq = 0;    // ack.datagram_seq != the frame's sequence: FAIL
  uint64_t never_sent = 0;            // valid ack for a datagram not sent in this phase: FAIL
  std::array<uint64_t, static_cast<size_t>(frame::Refusal::count_)> refused{};
  std::vector<double> latency_ms;     // per acked datagram, late ones included
  std::vector<uint64_t> records_by_slice;  // records_in_phase by slice_seconds of the phase
  std::vector<double> worst_ms_by_second;  // the slowest ack of the datagrams sent in each second
  double slice_seconds = 10;

  // Refusals that only a broken or forged ack explains (replayed and too_old are what a
  // duplicate or a very late ack draws from the window, unknown_session a stale login).
  uint64_t broken_acks() const;
  bool ok() const { return foreign_records + wrong_datagram_seq + never_sent + broken_acks() == 0; }
  std::string problems() const;
  std::string refusals() const;  // "bad_tag=3 replayed=1", or "none"
  // Quantile of latency_ms (sorted by the audit); q = 1: the maximum.
  double latency(double q) const;
};

AckAudit audit_acks(const LoadRun& run, const PhaseRecords& phase,
                    const std::vector<std::unique_ptr<test::TestAgent>>& agents, SessionPlan& plan);

}  // namespace gm::bench
