#include "sim/truth_log.h"

#include <cstdio>

namespace gm::sim {

bool TruthLog::write_csv(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  std::fprintf(f, "agent,session_id,subscriber,charged_s,free_s,octets_in,octets_out,stop_cause,power_cut,ended\n");
  for (const auto& [key, e] : entries_)
    std::fprintf(f, "%s,%llu,%s,%u,%u,%llu,%llu,%d,%d,%d\n", e.agent.c_str(),
                 static_cast<unsigned long long>(e.session_id), e.subscriber.c_str(),
                 e.totals.charged_s, e.totals.free_s,
                 static_cast<unsigned long long>(e.totals.octets_in),
                 static_cast<unsigned long long>(e.totals.octets_out), e.stop_cause,
                 e.power_cut ? 1 : 0, e.ended ? 1 : 0);
  const bool ok = std::fclose(f) == 0;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;  // readers never see half a file
}

}  // namespace gm::sim
