#include "sim/sim_options.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "shared/proto/wire_limits.h"

namespace gm::sim {

const char* sim_usage() {
  return R"(usage: gatemeter-sim --agents FILE --pin HEX|@FILE [options]

Runs simulated gateways (the real agent over file-backed flash) with scripted subscribers
against a login service and census, and writes the subscribers' true usage to a file.

  --login HOST:PORT        login service (default 127.0.0.1:7000)
  --pin HEX|@FILE          SHA-256 of the login server's public key (64 hex digits)
  --agents FILE            one gateway per line: agent_id,credential_hex (64 hex digits)
  --flash-dir DIR          where each gateway's flash file lives (default .)
  --truth FILE             write the true usage per session here (CSV) at the end
  --duration S             seconds of subscriber activity (default 60)
  --drain-timeout S        seconds to wait for every STOP to be acknowledged (default 60)
  --interval S             metering interval the login service hands out (default 60)
  --persist-after S        agent's persist delay (default 30)
  --arrivals N             new subscribers per minute per gateway (default 6)
  --mean-duration S        mean session length (default 300)
  --max-sessions N         subscribers per gateway in all (default unlimited)
  --relay LISTEN=TARGET[+MIRROR]  a faulty UDP relay (repeat; the login service lists LISTEN);
                           +MIRROR also sends each agent datagram to a second census
  --loss P --dup P --reorder P --delay-ms N --jitter-ms N   faults on every relay
  --outage I:AT:FOR        relay I black-holes from AT s for FOR s (repeat)
  --power-cuts N           power cuts per gateway at random moments (default 0)
  --status-every S         live table period (default 1; 0 = none)
  --local-ip IP            address the agents' UDP sockets bind (default 0.0.0.0)
  --seed N                 seed for subscribers, faults and cuts (default 1)
  --accounts FILE          with billing servers: the accounts subscribers name, one per line
                           (subscriber i names line i mod count; default: none)
  --anonymous-share P      with billing servers: share of subscribers who first ask without an
                           account, then again as prepaid with theirs (default 0.2)
  --billing H:P[,H:P]      billing servers to use when the login lists none (tests, or a
                           billing service the login service does not name yet)
  --test-fault F           a deliberate bug, for negative controls only: the agent's
                           no-persistence | forget-when-sent, or the board's
                           ignore-zero-balance (keeps a subscriber on after the agent ended
                           its session at zero balance) (default: none)
  --lwip-tap DEV           run the (single) gateway on lwIP over this TAP device instead of
                           POSIX sockets (sim-linux board; needs root)
  --lwip-netns NS          the TAP's network namespace; relays are bound inside it too
  --lwip-address IP        lwIP's address on the TAP (default 192.0.2.2, gateway .1, /24)
)";
}

bool parse_hex32(const std::string& text, std::array<uint8_t, 32>& out) {
  if (text.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    uint8_t v = 0;
    for (size_t k = 0; k < 2; ++k) {
      const char c = text[2 * i + k];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return false;
      v = static_cast<uint8_t>(v * 16 + d);
    }
    out[i] = v;
  }
  return true;
}

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool number(const std::string& flag, const std::string& v, uint64_t max, uint64_t& out,
            std::string& error) {
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n > max) {
    error = flag + ": '" + v + "' is not a whole number up to " + std::to_string(max);
    return false;
  }
  out = n;
  return true;
}

bool probability(const std::string& flag, const std::string& v, double& out, std::string& error) {
  char* end = nullptr;
  const double p = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || p < 0 || p > 1) {
    error = flag + ": '" + v + "' is not a probability between 0 and 1";
    return false;
  }
  out = p;
  return true;
}

bool read_agents(const std::string& path, std::vector<AgentSpec>& out, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = "--agents: cannot read " + path;
    return false;
  }
  int line_no = 0;
  for (std::string line; std::getline(f, line);) {
    ++line_no;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto comma = line.find(',');
    AgentSpec a;
    if (comma == std::string::npos) {
      error = "--agents: " + path + ":" + std::to_string(line_no) + ": expected agent_id,credential_hex";
      return false;
    }
    a.id = trim(line.substr(0, comma));
    if (a.id.empty() || a.id.size() > wire::max_agent_id ||
        !parse_hex32(trim(line.substr(comma + 1)), a.credential)) {
      error = "--agents: " + path + ":" + std::to_string(line_no) + ": agent id must be 1-" +
              std::to_string(wire::max_agent_id) + " characters and the credential 64 hex digits";
      return false;
    }
    out.push_back(a);
  }
  if (out.empty()) {
    error = "--agents: " + path + " lists no gateways";
    return false;
  }
  return true;
}

}  // namespace

bool parse_sim_options(int argc, char** argv, SimOptions& o, std::string& error) {
  bool have_pin = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      error = "";
      return false;
    }
    if (i + 1 >= argc) {
      error = flag + ": needs a value (see --help)";
      return false;
    }
    const std::string v = argv[++i];
    uint64_t n = 0;
    if (flag == "--login") {
      o.login = v;
    } else if (flag == "--pin") {
      std::string hex = v;
      if (!v.empty() && v[0] == '@') {
        std::ifstream f(v.substr(1));
        std::stringstream ss;
        ss << f.rdbuf();
        hex = trim(ss.str());
      }
      if (!parse_hex32(hex, o.pin)) {
        error = "--pin: expected 64 hex digits (the SHA-256 of the server's public key)";
        return false;
      }
      have_pin = true;
    } else if (flag == "--agents") {
      if (!read_agents(v, o.agents, error)) return false;
    } else if (flag == "--flash-dir") {
      o.flash_dir = v;
    } else if (flag == "--truth") {
      o.truth_path = v;
    } else if (flag == "--duration") {
      if (!number(flag, v, 86400 * 30, n, error)) return false;
      o.duration_s = static_cast<uint32_t>(n);
    } else if (flag == "--drain-timeout") {
      if (!number(flag, v, 86400, n, error)) return false;
      o.drain_timeout_s = static_cast<uint32_t>(n);
    } else if (flag == "--interval") {
      if (!number(flag, v, 86400, n, error) || n == 0) {
        if (error.empty()) error = "--interval: must be at least 1";
        return false;
      }
      o.interval_s = static_cast<uint32_t>(n);
    } else if (flag == "--persist-after") {
      if (!number(flag, v, 86400, n, error)) return false;
      o.persist_after_s = static_cast<uint32_t>(n);
    } else if (flag == "--arrivals") {
      char* end = nullptr;
      o.plan.arrivals_per_minute = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || o.plan.arrivals_per_minute <= 0) {
        error = "--arrivals: '" + v + "' is not a positive number";
        return false;
      }
    } else if (flag == "--mean-duration") {
      if (!number(flag, v, 86400, n, error) || n == 0) {
        if (error.empty()) error = "--mean-duration: must be at least 1";
        return false;
      }
      o.plan.mean_duration_s = static_cast<uint32_t>(n);
    } else if (flag == "--max-sessions") {
      if (!number(flag, v, 1u << 30, n, error)) return false;
      o.plan.max_sessions = static_cast<uint32_t>(n);
    } else if (flag == "--relay") {
      const auto eq = v.find('=');
      if (eq == std::string::npos) {
        error = "--relay: expected LISTEN=TARGET, e.g. 127.0.0.1:7101=127.0.0.1:7001";
        return false;
      }
      // TARGET+MIRROR: every datagram also goes to a second census node, which must refuse
      // what the first committed (and the first what the second did).
      const std::string to = v.substr(eq + 1);
      const auto plus = to.find('+');
      o.relays.push_back({v.substr(0, eq), to.substr(0, plus),
                          plus == std::string::npos ? std::string() : to.substr(plus + 1)});
    } else if (flag == "--loss") {
      if (!probability(flag, v, o.faults.loss, error)) return false;
    } else if (flag == "--dup") {
      if (!probability(flag, v, o.faults.duplicate, error)) return false;
    } else if (flag == "--reorder") {
      if (!probability(flag, v, o.faults.reorder, error)) return false;
    } else if (flag == "--delay-ms") {
      if (!number(flag, v, 60000, n, error)) return false;
      o.faults.delay_ms = static_cast<uint32_t>(n);
    } else if (flag == "--jitter-ms") {
      if (!number(flag, v, 60000, n, error)) return false;
      o.faults.jitter_ms = static_cast<uint32_t>(n);
    } else if (flag == "--outage") {
      OutageSpec s;
      unsigned long long a = 0, b = 0, c = 0;
      char tail = 0;
      if (std::sscanf(v.c_str(), "%llu:%llu:%llu%c", &a, &b, &c, &tail) != 3) {
        error = "--outage: expected RELAY_INDEX:AT_S:FOR_S, e.g. 0:20:15";
        return false;
      }
      s.relay = a;
      s.at_s = static_cast<uint32_t>(b);
      s.for_s = static_cast<uint32_t>(c);
      o.outages.push_back(s);
    } else if (flag == "--power-cuts") {
      if (!number(flag, v, 1000, n, error)) return false;
      o.power_cuts = static_cast<uint32_t>(n);
    } else if (flag == "--status-every") {
      if (!number(flag, v, 3600, n, error)) return false;
      o.status_every_s = static_cast<uint32_t>(n);
    } else if (flag == "--local-ip") {
      o.local_ip = v;
    } else if (flag == "--lwip-tap") {
      o.lwip_tap = v;
    } else if (flag == "--lwip-netns") {
      o.lwip_netns = v;
    } else if (flag == "--lwip-address") {
      o.lwip_address = v;
    } else if (flag == "--accounts") {
      std::ifstream f(v);
      if (!f) {
        error = "--accounts: cannot read " + v;
        return false;
      }
      for (std::string line; std::getline(f, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        if (line.size() > wire::max_account) {
          error = "--accounts: '" + line + "' is longer than " + std::to_string(wire::max_account);
          return false;
        }
        o.plan.accounts.push_back(line);
      }
    } else if (flag == "--anonymous-share") {
      if (!probability(flag, v, o.plan.anonymous_share, error)) return false;
    } else if (flag == "--billing") {
      std::stringstream list(v);
      for (std::string a; std::getline(list, a, ',');) o.billing.push_back(trim(a));
      if (o.billing.empty() || o.billing.size() > wire::max_billing) {
        error = "--billing: 1 to " + std::to_string(wire::max_billing) + " HOST:PORT, comma-separated";
        return false;
      }
    } else if (flag == "--seed") {
      if (!number(flag, v, ~uint64_t{0}, n, error)) return false;
      o.seed = n;
    } else if (flag == "--test-fault") {
      if (v == "none") o.fault = core::OutboxFault::none;
      else if (v == "no-persistence") o.fault = core::OutboxFault::no_persistence;
      else if (v == "forget-when-sent") o.fault = core::OutboxFault::forget_when_sent;
      else if (v == "ignore-zero-balance") o.ignore_zero_balance = true;
      else {
        error = "--test-fault: '" + v +
                "' is not none, no-persistence, forget-when-sent or ignore-zero-balance";
        return false;
      }
    } else {
      error = flag + ": unknown option (see --help)";
      return false;
    }
  }
  if (o.agents.empty()) {
    error = "--agents: required (a file of agent_id,credential_hex lines)";
    return false;
  }
  if (!have_pin) {
    error = "--pin: required (the login server's key pin, 64 hex digits or @file)";
    return false;
  }
  if (!o.lwip_tap.empty() && o.agents.size() != 1) {
    error = "--lwip-tap: lwIP is one stack per process, so --agents must list exactly one gateway";
    return false;
  }
  for (const auto& out : o.outages)
    if (out.relay >= o.relays.size()) {
      error = "--outage: relay index " + std::to_string(out.relay) + " but only " +
              std::to_string(o.relays.size()) + " --relay given";
      return false;
    }
  o.plan.seed = o.seed;
  o.faults.seed = o.seed;
  return true;
}

}  // namespace gm::sim
