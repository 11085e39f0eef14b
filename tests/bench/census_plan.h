// What bench_census sends, as a function of where a record sits in a phase, so sealing,
// crediting acknowledgements, reading the store back and the store-ceiling phases all agree
// without keeping a copy of the millions of records that went out.
//
// The store holds agents x per_agent subscriber sessions (ids 1..per_agent under every agent),
// prefilled at seq 1. In a phase, agent a's k-th record goes to the session at position
// k % per_agent of the phase's walk over its sessions, with the seq after the one that session
// had when the phase began, plus k / per_agent. The walk is in id order (stride 1: an agent's
// records in one commit are neighbours in the session B-tree, as when a gateway sends its
// session table in order) or scattered (a large stride coprime with per_agent: consecutive
// records land far apart and every record of a commit dirties a page of its own, the worst case
// for the store). Totals are a function of (session, seq) that differs between sessions, so a
// record stored under the wrong session or with another record's totals is seen.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "shared/record/usage_record.h"
#include "tests/support/frames.h"

namespace gm::bench {

inline UsageTotals totals_for(uint64_t session, uint32_t seq) {
  return {static_cast<uint32_t>(60 * seq + session % 60), static_cast<uint32_t>(5 * seq + session % 5),
          1'000'000ull * seq + session, 250'000ull * seq + 3 * session};
}

inline gatemeter_UsageRecord wire_record(uint64_t session, uint32_t seq, gatemeter_RecordKind kind) {
  gatemeter_UsageRecord r = test::make_record(session, seq, kind);
  const UsageTotals t = totals_for(session, seq);
  r.charged_s = t.charged_s;
  r.free_s = t.free_s;
  r.octets_in = t.octets_in;
  r.octets_out = t.octets_out;
  if (kind == gatemeter_RecordKind_RECORD_STOP) r.stop_cause = gatemeter_StopCause_STOP_USER_REQUEST;
  return r;
}

// Every session's highest seq sent and highest seq acknowledged, across all phases.
struct SessionPlan {
  uint32_t agents = 0, per_agent = 0;
  std::vector<uint32_t> sent, acked;  // [agent * per_agent + local]; the prefill is seq 1 of each

  SessionPlan(uint32_t agents_, uint32_t per_agent_)
      : agents(agents_), per_agent(per_agent_),
        sent(static_cast<size_t>(agents_) * per_agent_, 1),
        acked(static_cast<size_t>(agents_) * per_agent_, 1) {}
  size_t slot(uint32_t agent, uint32_t local) const {
    return static_cast<size_t>(agent) * per_agent + local;
  }
  static uint64_t session_id(uint32_t local) { return local + 1ull; }
};

enum class Walk { in_order, scattered };

// One phase: frame i goes to agent i % agents as that agent's (i / agents + 1)-th frame of the
// phase (its frame seq: every phase starts with a fresh login), carrying the agent's records
// k = m * per .. m * per + per - 1, m = i / agents.
struct PhaseRecords {
  const SessionPlan* plan;
  std::vector<uint32_t> base;  // plan->sent when the phase began
  uint32_t per;
  uint64_t stride = 1;

  PhaseRecords(const SessionPlan& p, uint32_t per_datagram, Walk walk)
      : plan(&p), base(p.sent), per(per_datagram) {
    if (walk == Walk::scattered) {  // about half-way round, so neighbours in k are far apart
      stride = p.per_agent / 2 + 7919;
      while (std::gcd(stride, static_cast<uint64_t>(p.per_agent)) != 1) ++stride;
    }
  }
  uint32_t local_at(uint64_t k) const {
    return static_cast<uint32_t>((k % plan->per_agent) * stride % plan->per_agent);
  }

  uint32_t agent_of(size_t frame) const { return static_cast<uint32_t>(frame % plan->agents); }
  uint32_t frame_seq(size_t frame) const {
    return static_cast<uint32_t>(frame / plan->agents + 1);
  }
  size_t frame_of(uint32_t agent, uint32_t frame_seq) const {
    return (static_cast<size_t>(frame_seq) - 1) * plan->agents + agent;
  }
  struct Record {
    uint32_t local, seq;
    uint64_t session() const { return SessionPlan::session_id(local); }
  };
  Record record(size_t frame, uint32_t j) const {
    const uint64_t k = static_cast<uint64_t>(frame / plan->agents) * per + j;
    const uint32_t local = local_at(k);
    return {local, base[plan->slot(agent_of(frame), local)] +
                       static_cast<uint32_t>(k / plan->per_agent) + 1};
  }
  // The first `frames_sent` frames went out: raise plan.sent to the seqs they carried.
  void mark_sent(SessionPlan& p, size_t frames_sent) const {
    for (uint32_t a = 0; a < p.agents; ++a) {
      const uint64_t frames = frames_sent / p.agents + (a < frames_sent % p.agents ? 1 : 0);
      const uint64_t records = frames * per;
      const uint64_t positions = std::min<uint64_t>(records, p.per_agent);
      for (uint64_t pos = 0; pos < positions; ++pos) {
        const uint32_t local = local_at(pos);
        const uint32_t count = static_cast<uint32_t>((records - pos - 1) / p.per_agent + 1);
        uint32_t& s = p.sent[p.slot(a, local)];
        s = std::max(s, base[p.slot(a, local)] + count);
      }
    }
  }
};

}  // namespace gm::bench
