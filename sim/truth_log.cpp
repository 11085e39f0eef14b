#include "sim/truth_log.h"

#include <cstdio>

namespace gm::sim {

TruthEntry& TruthLog::at(const std::string& agent, uint64_t session_id) {
  TruthEntry& e = entries_[{agent, session_id}];
  e.agent = agent;
  e.session_id = session_id;
  return e;
}

void TruthLog::add_traffic(const std::string& agent, uint64_t session_id, uint64_t now_ms,
                           uint64_t in, uint64_t out) {
  TruthEntry& e = at(agent, session_id);
  e.totals.octets_in += in;
  e.totals.octets_out += out;
  e.recent.push_back({now_ms, in, out});
  while (!e.recent.empty() && e.recent.front().ms + lag_window_ms_ < now_ms) e.recent.pop_front();
}

void TruthLog::end(const std::string& agent, uint64_t session_id, const std::string& subscriber,
                   uint32_t charged_s, uint32_t free_s, int32_t cause, bool power_cut,
                   uint64_t now_ms) {
  TruthEntry& e = at(agent, session_id);
  if (e.ended) return;
  e.subscriber = subscriber;
  e.totals.charged_s = charged_s;
  e.totals.free_s = free_s;
  e.stop_cause = cause;
  e.power_cut = power_cut;
  e.ended = true;
  e.ended_ms = now_ms;
  if (power_cut) allow_lag(e);
}

void TruthLog::cut_after_end(const std::string& agent, uint64_t session_id) {
  TruthEntry& e = at(agent, session_id);
  if (!e.ended || e.power_cut) return;
  e.power_cut = true;
  allow_lag(e);
}

// What the session used in the lag window before it ended; its samples stop at its end.
void TruthLog::allow_lag(TruthEntry& e) {
  e.may_lack_s = static_cast<uint32_t>((lag_window_ms_ + 999) / 1000);
  for (const auto& s : e.recent)
    if (s.ms + lag_window_ms_ >= e.ended_ms) {
      e.may_lack_in += s.in;
      e.may_lack_out += s.out;
    }
}

bool TruthLog::write_csv(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out,stop_cause,"
                  "power_cut,ended,may_lack_s,may_lack_in,may_lack_out\n");
  for (const auto& [key, e] : entries_)
    std::fprintf(f, "%s,%llu,%s,%u,%u,%llu,%llu,%d,%d,%d,%u,%llu,%llu\n", e.agent.c_str(),
                 static_cast<unsigned long long>(e.session_id), e.subscriber.c_str(),
                 e.totals.charged_s, e.totals.free_s,
                 static_cast<unsigned long long>(e.totals.octets_in),
                 static_cast<unsigned long long>(e.totals.octets_out), e.stop_cause,
                 e.power_cut ? 1 : 0, e.ended ? 1 : 0, e.may_lack_s,
                 static_cast<unsigned long long>(e.may_lack_in),
                 static_cast<unsigned long long>(e.may_lack_out));
  const bool ok = std::fclose(f) == 0;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace gm::sim
