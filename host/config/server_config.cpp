#include "host/config/server_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>

#include "shared/proto/wire_limits.h"

namespace gm::host {

namespace {

[[noreturn]] void bad(const std::string& origin, const std::string& name, const std::string& what,
                      const std::string& value) {
  throw ConfigError(origin + ": " + name + ": " + what + ", got \"" + value + "\"");
}

uint64_t number(const std::string& origin, const std::string& name, const std::string& v,
                uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi)
    bad(origin, name,
        "expected a whole number from " + std::to_string(lo) + " to " + std::to_string(hi), v);
  return n;
}

Endpoint endpoint(const std::string& origin, const std::string& name, const std::string& v) {
  const auto colon = v.rfind(':');
  in_addr a;
  if (colon == std::string::npos || inet_pton(AF_INET, v.substr(0, colon).c_str(), &a) != 1)
    bad(origin, name, "expected an IPv4 address and port like 127.0.0.1:7000", v);
  return {v.substr(0, colon),
          static_cast<uint16_t>(number(origin, name + " (port)", v.substr(colon + 1), 0, 65535))};
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

void ServerConfig::resolve_paths() {
  const std::string d = state_dir.empty() ? "." : state_dir;
  if (store.empty()) store = "sqlite:" + d + "/usage.db";
  if (tls_key.empty()) tls_key = d + "/login-key.pem";
  if (tls_cert.empty()) tls_cert = d + "/login-cert.pem";
  if (pin_file.empty()) pin_file = d + "/login-pin.sha256";
  if (vault_key.empty()) vault_key = d + "/vault.key";
  census_advertise_defaulted = census_advertise.empty();
  if (census_advertise_defaulted)
    census_advertise.push_back(census_listen.ip + ":" + std::to_string(census_listen.port));
}

void apply_setting(ServerConfig& c, const std::string& name, const std::string& v,
                   const std::string& origin) {
  if (name == "services") {
    c.services.clear();
    size_t start = 0;
    while (start <= v.size()) {
      const size_t comma = std::min(v.find(',', start), v.size());
      const std::string one = trim(v.substr(start, comma - start));
      if (one != "login" && one != "census")
        bad(origin, name, "expected a list of login, census (comma-separated)", v);
      for (const std::string& s : c.services)
        if (s == one) bad(origin, name, "\"" + one + "\" is listed twice", v);
      c.services.push_back(one);
      start = comma + 1;
    }
  } else if (name == "role") {  // before `services`: both = census,login
    if (v != "both" && v != "login" && v != "census") bad(origin, name, "expected both, login or census", v);
    c.services = v == "both" ? std::vector<std::string>{"census", "login"} : std::vector<std::string>{v};
  } else if (name == "metrics_listen") {
    c.metrics_listen = endpoint(origin, name, v);
  } else if (name == "state_dir") c.state_dir = v;
  else if (name == "store") c.store = v;
  else if (name == "tls_key") c.tls_key = v;
  else if (name == "tls_cert") c.tls_cert = v;
  else if (name == "pin_file") c.pin_file = v;
  else if (name == "vault_key") c.vault_key = v;
  else if (name == "login_listen") c.login_listen = endpoint(origin, name, v);
  else if (name == "census_listen") c.census_listen = endpoint(origin, name, v);
  else if (name == "census_advertise") {
    // Comma-separated, in order of preference; the agent parses "a.b.c.d:port" only, and any
    // such address fits the response's field whole.
    static_assert(wire::max_census_address >= sizeof "255.255.255.255:65535" - 1);
    c.census_advertise.clear();
    size_t start = 0;
    while (start <= v.size()) {
      const size_t comma = std::min(v.find(',', start), v.size());
      const std::string one = trim(v.substr(start, comma - start));
      const Endpoint e = endpoint(origin, name, one);
      c.census_advertise.push_back(e.ip + ":" + std::to_string(e.port));
      start = comma + 1;
    }
    if (c.census_advertise.size() > wire::max_census)
      bad(origin, name, "at most " + std::to_string(wire::max_census) + " census addresses", v);
  } else if (name == "census_threads") c.census_threads = static_cast<unsigned>(number(origin, name, v, 0, 64));
  else if (name == "metering_interval_s")
    c.metering_interval_s = static_cast<uint32_t>(number(origin, name, v, 1, 86400));
  else if (name == "track_usage") {
    if (v != "true" && v != "false") bad(origin, name, "expected true or false", v);
    c.track_usage = v == "true";
  } else if (name == "update") {
    // name:version:location; the location may itself hold colons (a URL).
    const auto a = v.find(':');
    const auto b = a == std::string::npos ? a : v.find(':', a + 1);
    if (b == std::string::npos || a == 0) bad(origin, name, "expected name:version:location", v);
    ComponentOffer o{v.substr(0, a),
                     static_cast<uint32_t>(number(origin, name + " (version)", v.substr(a + 1, b - a - 1), 1, UINT32_MAX)),
                     v.substr(b + 1)};
    if (o.name.size() > wire::max_component_name)
      bad(origin, name,
          "component name longer than " + std::to_string(wire::max_component_name) +
              " characters",
          v);
    if (o.location.size() > wire::max_location)
      bad(origin, name,
          "location longer than " + std::to_string(wire::max_location) + " characters", v);
    if (c.updates.size() == wire::max_updates)
      bad(origin, name, "at most " + std::to_string(wire::max_updates) + " component updates", v);
    c.updates.push_back(o);
  } else if (name == "max_queued_records")
    c.max_queued_records = number(origin, name, v, 64, 1u << 24);
  else if (name == "receive_buffer_bytes")
    c.receive_buffer_bytes = static_cast<int>(number(origin, name, v, 4096, 1u << 30));
  else if (name == "login_timeout_s")
    c.login_timeout_s = static_cast<uint32_t>(number(origin, name, v, 1, 600));
  else if (name == "login_lifetime_s")
    c.login_lifetime_s = static_cast<uint32_t>(number(origin, name, v, 60, 30 * 86400));
  else
    throw ConfigError(origin + ": unknown setting \"" + name + "\" (see --help)");
}

void apply_config_file(ServerConfig& c, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("config: cannot read \"" + path + "\"");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    line = trim(line);
    if (line.empty()) continue;
    const auto eq = line.find('=');
    const std::string origin = path + ":" + std::to_string(n);
    if (eq == std::string::npos) throw ConfigError(origin + ": expected name = value, got \"" + line + "\"");
    apply_setting(c, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), origin);
  }
}

std::vector<std::string> parse_command_line(ServerConfig& c, int argc, const char* const* argv) {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    a = a.substr(2);
    std::string value;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      value = a.substr(eq + 1);
      a.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw ConfigError("--" + a + ": missing value");
    }
    for (char& ch : a)
      if (ch == '-') ch = '_';
    if (a == "config") config_file = value;
    else flags.emplace_back(a, value);
  }
  // The file first, then the flags, whatever order they were given in.
  if (!config_file.empty()) apply_config_file(c, config_file);
  for (const auto& [name, value] : flags) apply_setting(c, name, value, "command line");
  c.resolve_paths();
  return positional;
}

std::string config_help() {
  return R"(settings (in a --config file as `name = value`, or as --name=value):
  services             what this process runs: census,login (census then login); role =
                       both | login | census is the older spelling
  metrics_listen       ip:port of the Prometheus endpoint, GET /metrics (off)
  state_dir            folder for the store, keys and pin        (gatemeter-state)
  store                sqlite:PATH (one host) or postgresql:CONNINFO  (sqlite:<state_dir>/usage.db)
  tls_key, tls_cert    login TLS key and certificate, made at first run
  pin_file             where the key's SHA-256 pin is written    (<state_dir>/login-pin.sha256)
  vault_key            key sealing agent credentials at rest     (<state_dir>/vault.key)
  login_listen         ip:port                                   (127.0.0.1:7000)
  census_listen        ip:port                                   (127.0.0.1:7100)
  census_advertise     census list sent to agents, a,b,...       (census_listen)
  census_threads       receive sockets/threads, 0 = one per core (0)
  metering_interval_s  seconds between interim records           (60)
  track_usage          true | false                              (true)
  update               name:version:location, repeatable (max )" +
         std::to_string(wire::max_updates) + R"()
  max_queued_records   verified records awaiting commit, at most (65536)
  receive_buffer_bytes SO_RCVBUF per census socket               (8388608)
  login_timeout_s      seconds a login may take                  (10)
  login_lifetime_s     a login session ends after this; the agent logs in again (86400)
)";
}

}  // namespace gm::host
