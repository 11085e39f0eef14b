#include "tests/bench/ack_audit.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "shared/frame/frame_codec.h"

namespace gm::bench {

uint64_t AckAudit::broken_acks() const {
  uint64_t n = 0;
  for (size_t r = 0; r < refused.size(); ++r) {
    const auto why = static_cast<frame::Refusal>(r);
    if (why != frame::Refusal::replayed && why != frame::Refusal::too_old &&
        why != frame::Refusal::unknown_session)
      n += refused[r];
  }
  return n;
}

std::string AckAudit::refusals() const {
  std::string out;
  for (size_t r = 0; r < refused.size(); ++r)
    if (refused[r] > 0)
      out += std::string(out.empty() ? "" : " ") + frame::refusal_name(static_cast<frame::Refusal>(r)) +
             "=" + std::to_string(refused[r]);
  return out.empty() ? "none" : out;
}

std::string AckAudit::problems() const {
  std::string out;
  auto add = [&](uint64_t n, const char* what) {
    if (n > 0) out += "  " + std::to_string(n) + " " + what + "\n";
  };
  add(broken_acks(), ("acks refused by the agent's checks (" + refusals() + ")").c_str());
  add(foreign_records, "acknowledged records that their datagram did not carry");
  add(wrong_datagram_seq, "acks whose datagram_seq is not their frame sequence");
  add(never_sent, "valid acks for datagrams this phase never sent");
  return out;
}

double AckAudit::latency(double q) const {
  if (latency_ms.empty()) return 0;
  const size_t k = std::min(latency_ms.size() - 1,
                            static_cast<size_t>(std::ceil(q * latency_ms.size())) - (q > 0 ? 1 : 0));
  return latency_ms[k];
}

AckAudit audit_acks(const LoadRun& run, const PhaseRecords& phase,
                    const std::vector<std::unique_ptr<test::TestAgent>>& agents, SessionPlan& plan) {
  AckAudit a;
  std::unordered_map<uint64_t, uint32_t> by_login;
  for (uint32_t i = 0; i < agents.size(); ++i) by_login[agents[i]->login_session()] = i;
  std::vector<frame::ReplayWindow> windows(agents.size());  // as each agent's, fresh at login
  std::vector<uint8_t> acked(run.frames_sent, 0);
  auto ack = std::make_unique<gatemeter_Ack>();
  std::vector<PhaseRecords::Record> carried(phase.per);
  std::vector<uint8_t> matched(phase.per);
  a.records_by_slice.assign(static_cast<size_t>(run.seconds / a.slice_seconds) + 1, 0);
  a.worst_ms_by_second.assign(static_cast<size_t>(run.seconds) + 1, 0);

  for (const AckLog::Entry& e : run.acks.entries) {
    const uint8_t* data = run.acks.bytes.data() + e.offset;
    frame::Header h;
    frame::Refusal r = frame::peek(data, e.length, h);
    const auto agent = by_login.find(h.login_session);
    if (r == frame::Refusal::none && agent == by_login.end()) r = frame::Refusal::unknown_session;
    if (r == frame::Refusal::none) {
      *ack = gatemeter_Ack_init_zero;
      r = frame::open(data, e.length, h, agents[agent->second]->tag_key(), windows[agent->second],
                      frame::FrameKind::ack, ack.get());
    }
    if (r != frame::Refusal::none) {
      ++a.refused[static_cast<size_t>(r)];
      continue;
    }
    if (ack->datagram_seq != h.seq) {
      ++a.wrong_datagram_seq;
      continue;
    }
    const size_t i = h.seq == 0 ? run.frames_sent : phase.frame_of(agent->second, h.seq);
    if (i >= run.frames_sent || acked[i]) {  // a second ack of one datagram: the window refuses it
      ++a.never_sent;
      continue;
    }
    acked[i] = 1;
    ++a.datagrams_acked;
    const bool late = e.at > run.end;
    a.late_acks += late;
    const double ms = std::chrono::duration<double, std::milli>(e.at - run.sent_at[i]).count();
    a.latency_ms.push_back(ms);
    const size_t second = std::min(
        a.worst_ms_by_second.size() - 1,
        static_cast<size_t>(std::chrono::duration<double>(run.sent_at[i] - run.start).count()));
    a.worst_ms_by_second[second] = std::max(a.worst_ms_by_second[second], ms);
    for (uint32_t j = 0; j < phase.per; ++j) carried[j] = phase.record(i, j);
    std::fill(matched.begin(), matched.end(), 0);
    for (pb_size_t k = 0; k < ack->records_count; ++k) {
      const gatemeter_RecordAck& named = ack->records[k];
      uint32_t j = 0;
      while (j < phase.per && (matched[j] || carried[j].session() != named.session_id ||
                               carried[j].seq != named.seq))
        ++j;
      if (j == phase.per) {
        ++a.foreign_records;
        continue;
      }
      matched[j] = 1;
      uint32_t& best = plan.acked[plan.slot(agent->second, carried[j].local)];
      best = std::max(best, carried[j].seq);
      ++a.records_credited;
      if (!late) {
        ++a.records_in_phase;
        const double t = std::chrono::duration<double>(e.at - run.start).count();
        ++a.records_by_slice[std::min(a.records_by_slice.size() - 1,
                                      static_cast<size_t>(t / a.slice_seconds))];
      }
    }
    for (uint8_t m : matched) a.records_not_named += !m;
  }
  a.unanswered = run.frames_sent - a.datagrams_acked;
  std::sort(a.latency_ms.begin(), a.latency_ms.end());
  return a;
}

}  // namespace gm::bench
