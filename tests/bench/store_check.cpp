#include "tests/bench/store_check.h"

#include <chrono>

#include "host/store/store.h"

namespace gm::bench {

StoreCheck check_store(const std::string& store_spec, const SessionPlan& plan,
                       const std::vector<std::string>& agent_ids) {
  const auto t0 = std::chrono::steady_clock::now();
  StoreCheck c;
  auto store = host::open_store(store_spec);
  auto example = [&](std::string line) {
    if (c.examples.size() < 8) c.examples.push_back(std::move(line));
  };
  std::vector<uint8_t> seen(plan.per_agent);
  for (uint32_t a = 0; a < plan.agents; ++a) {
    std::fill(seen.begin(), seen.end(), 0);
    for (const host::SubscriberSession& s : store->sessions(agent_ids[a])) {
      ++c.sessions_read;
      if (s.session_id == 0 || s.session_id > plan.per_agent) {
        ++c.unknown;
        example(agent_ids[a] + " session " + std::to_string(s.session_id) + ": never sent");
        continue;
      }
      const uint32_t local = static_cast<uint32_t>(s.session_id - 1);
      seen[local] = 1;
      const size_t slot = plan.slot(a, local);
      const std::string who = agent_ids[a] + " session " + std::to_string(s.session_id) + ": ";
      if (s.last_seq < plan.acked[slot]) {
        ++c.behind;
        example(who + "acknowledged seq " + std::to_string(plan.acked[slot]) +
                ", the store holds seq " + std::to_string(s.last_seq));
      } else if (s.last_seq > plan.sent[slot]) {
        ++c.ahead;
        example(who + "the store holds seq " + std::to_string(s.last_seq) +
                ", the highest sent is " + std::to_string(plan.sent[slot]));
      } else if (s.totals != totals_for(s.session_id, s.last_seq)) {
        ++c.wrong_totals;
        const UsageTotals want = totals_for(s.session_id, s.last_seq);
        example(who + "seq " + std::to_string(s.last_seq) + " holds charged_s=" +
                std::to_string(s.totals.charged_s) + " octets_in=" +
                std::to_string(s.totals.octets_in) + ", sent with it: charged_s=" +
                std::to_string(want.charged_s) + " octets_in=" + std::to_string(want.octets_in));
      }
    }
    for (uint32_t l = 0; l < plan.per_agent; ++l) {
      const uint32_t acked = plan.acked[plan.slot(a, l)];
      c.acked_beyond_prefill += acked > 1;
      if (!seen[l]) {
        ++c.missing;
        example(agent_ids[a] + " session " + std::to_string(SessionPlan::session_id(l)) +
                ": acknowledged seq " + std::to_string(acked) + ", not in the store");
      }
    }
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace gm::bench
