#include "sim/usage_compare.h"

#include <fstream>
#include <sstream>

namespace gm::sim {

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) {
      out.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  out.push_back(cell);
  return out;
}

int column(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (const char* n : names)
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == n) return static_cast<int>(i);
  return -1;
}

std::string describe(const UsageRow& r) {
  std::ostringstream s;
  s << "charged " << r.charged_s << " s, free " << r.free_s << " s, in " << r.octets_in
    << ", out " << r.octets_out;
  return s.str();
}

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
  const auto header = split(line);
  const int agent = column(header, {"agent", "agent_id"});
  const int session = column(header, {"session_id", "session"});
  const int charged = column(header, {"charged_s"});
  const int free_s = column(header, {"free_s"});
  const int in = column(header, {"octets_in"});
  const int out_c = column(header, {"octets_out"});
  if (agent < 0 || session < 0 || charged < 0 || free_s < 0 || in < 0 || out_c < 0) {
    error = path + ": header must name agent, session_id, charged_s, free_s, octets_in, octets_out";
    return false;
  }
  const int ended = column(header, {"ended"}), cut = column(header, {"power_cut"});
  const int lack_s = column(header, {"may_lack_s"}), lack_in = column(header, {"may_lack_in"});
  const int lack_out = column(header, {"may_lack_out"});
  int line_no = 1;
  while (std::getline(f, line)) {
    ++line_no;
    if (line.empty()) continue;
    const auto cells = split(line);
    auto num = [&](int c) -> uint64_t {
      return c >= 0 && static_cast<size_t>(c) < cells.size() ? std::stoull("0" + cells[c]) : 0;
    };
    if (cells.size() < header.size()) {
      error = path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
              " cells, the header has " + std::to_string(header.size());
      return false;
    }
    UsageRow r;
    try {
      r.charged_s = num(charged);
      r.free_s = num(free_s);
      r.octets_in = num(in);
      r.octets_out = num(out_c);
      r.ended = ended < 0 || num(ended) != 0;
      r.power_cut = num(cut) != 0;
      r.may_lack_s = num(lack_s);
      r.may_lack_in = num(lack_in);
      r.may_lack_out = num(lack_out);
      out[{cells[agent], std::stoull(cells[session])}] = r;
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
  for (const auto& [key, t] : truth) {
    ++r.sessions;
    const auto it = store.find(key);
    const UsageRow s = it == store.end() ? UsageRow{} : it->second;
    if (!t.ended) {
      problem(key, "never ended in the simulator (the run did not drain)");
      continue;
    }
    if (s.charged_s == t.charged_s && s.free_s == t.free_s && s.octets_in == t.octets_in &&
        s.octets_out == t.octets_out) {
      ++r.exact;
      continue;
    }
    const std::string both = "store has " + describe(s) + "; truth " + describe(t);
    if (s.charged_s > t.charged_s || s.free_s > t.free_s || s.octets_in > t.octets_in ||
        s.octets_out > t.octets_out) {
      problem(key, "MORE than the truth (" + both + ")");
      continue;
    }
    const uint64_t time_short = (t.charged_s + t.free_s) - (s.charged_s + s.free_s);
    if (t.power_cut && time_short <= t.may_lack_s && t.octets_in - s.octets_in <= t.may_lack_in &&
        t.octets_out - s.octets_out <= t.may_lack_out) {
      ++r.within_bound;
      continue;
    }
    problem(key, std::string(t.power_cut ? "short by more than the power cut allows" : "short") +
                     " (" + both + (it == store.end() ? ", missing from the store" : "") + ")");
  }
  for (const auto& [key, s] : store)
    if (truth.find(key) == truth.end()) problem(key, "in the store but never started: " + describe(s));
  return r;
}

}  // namespace gm::sim
