#include "sim/usage_compare.h"

#include <fstream>
#include <sstream>

#include "sim/csv_table.h"

namespace gm::sim {

namespace {

std::string describe(const UsageTotals& t) {
  std::ostringstream s;
  s << "charged " << t.charged_s << " s, free " << t.free_s << " s, in " << t.octets_in
    << ", out " << t.octets_out;
  return s.str();
}

bool any_above(const UsageTotals& a, const UsageTotals& b) {
  return a.charged_s > b.charged_s || a.free_s > b.free_s || a.octets_in > b.octets_in ||
         a.octets_out > b.octets_out;
}

uint64_t seconds(const UsageTotals& t) { return uint64_t{t.charged_s} + t.free_s; }
uint64_t octets(const UsageTotals& t) { return t.octets_in + t.octets_out; }

}  // namespace

bool read_usage_csv(const std::string& path, UsageTable& out, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = "cannot read " + path;
    return false;
  }
  std::string line;
  if (!std::getline(f, line)) {
    error = path + " is empty (no header row)";
    return false;
  }
  const auto header = split_csv_line(line);
  const int agent = csv_column(header, {"agent", "agent_id"});
  const int session = csv_column(header, {"session_id", "session"});
  const int charged = csv_column(header, {"charged_s"});
  const int free_s = csv_column(header, {"free_s"});
  const int in = csv_column(header, {"octets_in"});
  const int out_c = csv_column(header, {"octets_out"});
  if (agent < 0 || session < 0 || charged < 0 || free_s < 0 || in < 0 || out_c < 0) {
    error = path + ": header must name agent, session_id, charged_s, free_s, octets_in, octets_out";
    return false;
  }
  const int cause = csv_column(header, {"stop_cause_code"}), state = csv_column(header, {"state"});
  const int ended = csv_column(header, {"ended"}), cut = csv_column(header, {"power_cut"});
  const int durable = csv_column(header, {"durable"});
  const int d_charged = csv_column(header, {"durable_charged_s"});
  const int d_free = csv_column(header, {"durable_free_s"});
  const int d_in = csv_column(header, {"durable_octets_in"});
  const int d_out = csv_column(header, {"durable_octets_out"});
  const int d_cause = csv_column(header, {"durable_stop_cause"});
  const int refused_in = csv_column(header, {"refused_in"}), refused_out = csv_column(header, {"refused_out"});
  int line_no = 1;
  while (std::getline(f, line)) {
    ++line_no;
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    if (cells.size() < header.size()) {
      error = path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
              " cells, the header has " + std::to_string(header.size());
      return false;
    }
    auto num = [&](int c) -> uint64_t { return c >= 0 ? std::stoull("0" + cells[c]) : 0; };
    auto signed_num = [&](int c, int64_t absent) -> int64_t {
      return c >= 0 && !cells[c].empty() ? std::stoll(cells[c]) : absent;
    };
    UsageRow r;
    try {
      r.totals = {static_cast<uint32_t>(num(charged)), static_cast<uint32_t>(num(free_s)),
                  num(in), num(out_c)};
      r.stop_cause = static_cast<int32_t>(signed_num(cause, -1));
      r.state = state >= 0 ? cells[state] : "";
      r.ended = ended < 0 || num(ended) != 0;
      r.power_cut = num(cut) != 0;
      r.durable = num(durable) != 0;
      r.durable_totals = {static_cast<uint32_t>(num(d_charged)),
                          static_cast<uint32_t>(num(d_free)), num(d_in), num(d_out)};
      r.durable_stop_cause = static_cast<int32_t>(signed_num(d_cause, -1));
      r.refused_in = num(refused_in);
      r.refused_out = num(refused_out);
      if (!out.emplace(std::make_pair(cells[agent], std::stoull(cells[session])), r).second) {
        error = path + ":" + std::to_string(line_no) + ": session " + cells[session] + " of " +
                cells[agent] + " appears twice (session ids must never repeat)";
        return false;
      }
    } catch (const std::exception&) {
      error = path + ":" + std::to_string(line_no) + ": a number column does not hold a number";
      return false;
    }
  }
  return true;
}

CompareResult compare_usage(const UsageTable& truth, const UsageTable& store) {
  CompareResult r;
  auto problem = [&](const std::pair<std::string, uint64_t>& key, const std::string& what) {
    ++r.violations;
    if (r.problems.size() < 50)
      r.problems.push_back(key.first + " session " + std::to_string(key.second) + ": " + what);
  };
  constexpr int32_t restart = gatemeter_StopCause_STOP_AGENT_RESTART;
  for (const auto& [key, t] : truth) {
    ++r.sessions;
    r.all_seconds += seconds(t.totals);
    r.all_octets += octets(t.totals);
    r.refused_octets += t.refused_in + t.refused_out;
    if (!t.ended) {
      problem(key, "never ended in the simulator (the run did not drain)");
      continue;
    }
    const auto it = store.find(key);
    if (it == store.end()) {
      if (t.power_cut && !t.durable) {  // nothing of it was ever durable: nothing to hold
        ++r.at_durable_point;
        r.cut_seconds += seconds(t.totals);
        r.cut_octets += octets(t.totals);
      } else {
        problem(key, "missing from the store (truth " + describe(t.totals) +
                         (t.power_cut ? "; durable before the power cut: " +
                                            describe(t.durable_totals)
                                      : std::string("; no power cut touched it")) +
                         ")");
      }
      continue;
    }
    const UsageRow& s = it->second;
    const std::string both = "store has " + describe(s.totals) + ", " + s.state + ", cause " +
                             std::to_string(s.stop_cause) + "; truth " + describe(t.totals) +
                             ", cause " + std::to_string(t.stop_cause);
    if (any_above(s.totals, t.totals)) {
      problem(key, "MORE than the truth (" + both + ")");
      continue;
    }
    const bool causes_known = s.stop_cause >= 0 && t.stop_cause >= 0;
    if (!t.power_cut) {
      if (s.totals != t.totals)
        problem(key, "short, and no power cut touched it (" + both + ")");
      else if (!s.state.empty() && s.state != "stopped")
        problem(key, "not stopped (" + both + ")");
      else if (causes_known && s.stop_cause != t.stop_cause)
        problem(key, "wrong stop cause (" + both + ")");
      else
        ++r.exact;
      continue;
    }
    if (t.durable && any_above(t.durable_totals, s.totals)) {
      problem(key, "below its newest durable record (" + describe(t.durable_totals) + "; " +
                       both + ")");
      continue;
    }
    const bool closed = s.state.empty() || s.state == "stopped" || s.state == "closed_by_restart";
    const bool cause_ok = !causes_known || s.stop_cause == restart ||
                          (s.stop_cause == t.durable_stop_cause && s.state != "closed_by_restart");
    if (!closed || !cause_ok) {
      problem(key, std::string(closed ? "wrong stop cause" : "left open") + " after a power cut (" +
                       both + ")");
      continue;
    }
    if (s.totals == t.totals) ++r.exact;
    else ++r.at_durable_point;
    r.cut_seconds += seconds(t.totals) - seconds(s.totals);
    r.cut_octets += octets(t.totals) - octets(s.totals);
  }
  for (const auto& [key, s] : store)
    if (truth.find(key) == truth.end())
      problem(key, "in the store but never started: " + describe(s.totals));
  return r;
}

}  // namespace gm::sim
