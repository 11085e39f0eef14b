#include "sim/truth_log.h"

#include <cinttypes>
#include <cstdio>

namespace gm::sim {

UsageTotals truth_totals(const TruthEntry& e) {
  UsageTotals t;
  t.octets_in = e.octets_in;
  t.octets_out = e.octets_out;
  if (!e.ended || e.ended_ms < e.started_ms) return t;
  const uint64_t seconds = (e.ended_ms - e.started_ms) / 1000;
  uint64_t undecided = seconds;
  if (e.decided && e.decided_ms < e.ended_ms)
    undecided = (e.decided_ms - e.started_ms) / 1000;
  const uint64_t free_from = e.free_at_ms / 1000 * 1000;
  const uint64_t free_until = free_from + uint64_t{e.free_for_s} * 1000;
  // Second k is held if the agent's metering of it (when it completed, or at a change) came
  // after the hold and before the release: k from the whole seconds done at the hold to those
  // done at the release (or the end).
  const auto whole = [&](uint64_t at_ms) { return at_ms < e.started_ms ? 0 : (at_ms - e.started_ms) / 1000; };
  const auto held = [&](uint64_t k) {
    for (const TruthEntry::Held& h : e.held)
      if (k >= whole(h.from_ms) && (h.until_ms == 0 || k < whole(h.until_ms))) return true;
    return false;
  };
  uint64_t free = 0;
  for (uint64_t k = 0; k < seconds; ++k) {
    const uint64_t begins = e.started_ms + 1000 * k;
    if (k < undecided || e.free_billing ||
        (e.free_for_s != 0 && begins >= free_from && begins < free_until) || held(k))
      ++free;
  }
  t.free_s = static_cast<uint32_t>(free);
  t.charged_s = static_cast<uint32_t>(seconds - free);
  return t;
}

TruthEntry* TruthLog::find(const std::string& agent, uint64_t session_id) {
  const auto it = entries_.find({agent, session_id});
  return it == entries_.end() ? nullptr : &it->second;
}

void TruthLog::started(const std::string& agent, uint64_t session_id,
                       const std::string& subscriber, bool free_billing, uint64_t now_ms) {
  TruthEntry& e = entries_[{agent, session_id}];
  e = TruthEntry{};
  e.agent = agent;
  e.session_id = session_id;
  e.subscriber = subscriber;
  e.free_billing = free_billing;
  e.started_ms = now_ms;
}

void TruthLog::held(const std::string& agent, uint64_t session_id, uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended || (!e->held.empty() && e->held.back().until_ms == 0)) return;
  e->held.push_back({now_ms, 0});
}

void TruthLog::released(const std::string& agent, uint64_t session_id, uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended || e->held.empty() || e->held.back().until_ms != 0) return;
  e->held.back().until_ms = now_ms;
}

void TruthLog::decided(const std::string& agent, uint64_t session_id, uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended || e->decided) return;
  e->decided = true;
  e->decided_ms = now_ms;
}

void TruthLog::free_period(const std::string& agent, uint64_t session_id, uint32_t seconds,
                           uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended) return;
  e->free_at_ms = now_ms;
  e->free_for_s = seconds;
}

void TruthLog::fed(const std::string& agent, uint64_t session_id, uint64_t in, uint64_t out,
                   bool refused) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended) return;
  e->octets_in += in;
  e->octets_out += out;
  if (refused) {
    e->refused_in += in;
    e->refused_out += out;
  }
}

void TruthLog::ended(const std::string& agent, uint64_t session_id, int32_t cause,
                     uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended) return;
  e->ended = true;
  e->ended_ms = now_ms;
  e->stop_cause = cause;
}

void TruthLog::cut(const std::string& agent, uint64_t session_id, uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended) return;
  ended(agent, session_id, gatemeter_StopCause_STOP_AGENT_RESTART, now_ms);
  e->power_cut = true;
  e->cut_ms = now_ms;
}

void TruthLog::cut_after_end(const std::string& agent, uint64_t session_id, uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || !e->ended || e->power_cut) return;
  e->power_cut = true;
  e->cut_ms = now_ms;
}

bool TruthLog::connected(const std::string& agent, uint64_t session_id) const {
  const auto it = entries_.find({agent, session_id});
  return it != entries_.end() && !it->second.ended;
}

void TruthLog::billed(const std::string& agent, uint64_t session_id, const std::string& account) {
  if (TruthEntry* e = find(agent, session_id)) e->account = account;
}

void TruthLog::temporarily_approved(const std::string& agent, uint64_t session_id,
                                    uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e != nullptr && e->temporary_ms == 0) e->temporary_ms = now_ms;
}

// Kept until the session ends in the truth (a board that ignores the agent's cut-off still
// owes the limit it was told), unless a grant that is not final replaced it (grant_s 0).
void TruthLog::told_final(const std::string& agent, uint64_t session_id, uint32_t grant_s,
                          uint64_t now_ms) {
  TruthEntry* e = find(agent, session_id);
  if (e == nullptr || e->ended || e->final_grant_s == grant_s) return;
  e->final_grant_s = grant_s;
  e->final_ms = grant_s == 0 ? 0 : now_ms;
}

void TruthLog::settle(const RecordWitness& witness) {
  for (auto& [key, e] : entries_)
    if (e.power_cut) e.durable = witness.durable(e.agent, e.session_id, e.cut_ms);
}

bool TruthLog::write_csv(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out,"
                  "refused_in,refused_out,stop_cause_code,ended,power_cut,durable,durable_seq,"
                  "durable_charged_s,durable_free_s,durable_octets_in,durable_octets_out,"
                  "durable_stop_cause,account,started_ms,ended_ms,temporary_ms,final_grant_s,final_ms\n");
  for (const auto& [key, e] : entries_) {
    const UsageTotals t = truth_totals(e);
    const UsageTotals& d = e.durable.newest.totals;
    std::fprintf(f,
                 "%s,%" PRIu64 ",%s,%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                 ",%d,%d,%d,%d,%u,%u,%u,%" PRIu64 ",%" PRIu64 ",%d,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64
                 ",%u,%" PRIu64 "\n",
                 e.agent.c_str(), e.session_id, e.subscriber.c_str(), t.charged_s, t.free_s,
                 t.octets_in, t.octets_out, e.refused_in, e.refused_out, e.stop_cause,
                 e.ended ? 1 : 0, e.power_cut ? 1 : 0, e.durable.any ? 1 : 0,
                 e.durable.newest.seq, d.charged_s, d.free_s, d.octets_in, d.octets_out,
                 e.durable.stop_cause, e.account.c_str(), e.started_ms, e.ended_ms,
                 e.temporary_ms, e.final_grant_s, e.final_ms);
  }
  const bool ok = std::fclose(f) == 0;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace gm::sim
