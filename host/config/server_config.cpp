#include "host/config/server_config.h"

#include <fstream>

#include "host/billing/billing_config.h"
#include "host/census/census_config.h"
#include "host/login/login_config.h"
#include "host/radius/radius_config.h"

namespace gm::host {

void ServerConfig::resolve_paths() {
  const std::string d = state_dir.empty() ? "." : state_dir;
  if (store.empty()) store = "sqlite:" + d + "/usage.db";
  if (tls_key.empty()) tls_key = d + "/login-key.pem";
  if (tls_cert.empty()) tls_cert = d + "/login-cert.pem";
  if (pin_file.empty()) pin_file = d + "/login-pin.sha256";
  if (vault_key.empty()) vault_key = d + "/vault.key";
  if (web.operators_file.empty()) web.operators_file = d + "/web-operators";
  census_advertise_defaulted = login.census.empty();
  if (census_advertise_defaulted)
    login.census.push_back(census.listen_ip + ":" + std::to_string(census.port));
  billing_servers_defaulted = login.billing.empty();
  // Every service that ends sessions keeps the roaming ones alike (host/store/roaming_keeper.h).
  if (census.settlement.on && census.settlement.local_server.empty())
    throw ConfigError("census_settlement_server: required with census_settlement = true (this "
                      "operator's server id as `settlectl server set` names it)");
  billing.settlement = census.settlement;
  login.settlement = census.settlement;
  // Grants are sized in metering intervals: the interval the login service tells agents.
  billing.metering_interval_s = login.metering_interval_s;
  // Agents told not to meter send heartbeats but no records: no session of theirs is stale.
  billing.track_usage = login.track_usage;
  // The service manager's API beside the billing socket, on loopback unless set: it shows
  // subscribers and money to whoever reaches it.
  if (!billing.api_listen_given) {
    billing.api_ip = "127.0.0.1";
    billing.api_port = billing.port == 0 || billing.port == 65535 ? 0 : billing.port + 1;
  }
}

void apply_setting(ServerConfig& c, const std::string& name, const std::string& value,
                   const std::string& origin) {
  const Setting v{name, value, origin};
  if (name == "services") {
    c.services.clear();
    for (const std::string& one : v.list()) {
      if (one != "login" && one != "census" && one != "billing" && one != "radius" &&
          one != "settlement-reports" && one != "web")
        v.bad("expected a list of login, census, billing, radius, settlement-reports, web "
              "(comma-separated)");
      for (const std::string& s : c.services)
        if (s == one) v.bad("\"" + one + "\" is listed twice");
      c.services.push_back(one);
    }
  } else if (name == "role") {  // before `services`: both = census,login
    if (value != "both" && value != "login" && value != "census")
      v.bad("expected both, login or census");
    c.services = value == "both" ? std::vector<std::string>{"census", "login"}
                                 : std::vector<std::string>{value};
  } else if (name == "metrics_listen") c.metrics_listen = v.endpoint();
  else if (name == "state_dir") c.state_dir = value;
  else if (name == "store") c.store = value;
  else if (name == "tls_key") c.tls_key = value;
  else if (name == "tls_cert") c.tls_cert = value;
  else if (name == "pin_file") c.pin_file = value;
  else if (name == "vault_key") c.vault_key = value;
  else if (name == "settlement_reports_listen") {
    const Endpoint e = v.endpoint();
    c.settlement_reports.listen_ip = e.ip;
    c.settlement_reports.port = e.port;
  } else if (name == "web_listen") {
    const Endpoint e = v.endpoint();
    c.web.listen_ip = e.ip;
    c.web.port = e.port;
  } else if (name == "web_operators") {
    if (value.empty()) v.bad("expected a file path");
    c.web.operators_file = value;
  } else if (name == "web_live_tick_ms") {
    c.web.tick_ms = static_cast<uint32_t>(v.number(20, 10000));
  }
  else if (!apply_census_setting(c.census, v) && !apply_login_setting(c.login, v) &&
           !apply_billing_setting(c.billing, v) && !apply_radius_setting(c.radius, v))
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
  services             what this process runs: census,login,billing,radius,settlement-reports,web
                       (default census,login; login starts after the others, so it advertises
                       their ports); role = both | login | census is the older spelling
  metrics_listen       ip:port of the Prometheus endpoint, GET /metrics (off)
  state_dir            folder for the store, keys and pin, 0700  (gatemeter-state)
  store                sqlite:PATH (one host) or postgresql:CONNINFO  (sqlite:<state_dir>/usage.db)
  tls_key, tls_cert    TLS key and certificate of login and settlement-reports, made at
                       first run (<state_dir>/login-key.pem, login-cert.pem)
  pin_file             where the key's SHA-256 pin is written    (<state_dir>/login-pin.sha256)
  vault_key            key sealing credentials and tag keys      (<state_dir>/vault.key)
  settlement_reports_listen  ip:port of the settlement-reports service (services =
                       ...,settlement-reports): HTTPS with tls_key and tls_cert, each provider
                       its own closed reports behind its password (127.0.0.1:7300)
  web_listen           ip:port of the web console (services = ...,web): HTTPS with tls_key
                       and tls_cert (127.0.0.1:7400)
  web_operators        the console's operator logins, name:argon2id lines written by
                       `censusctl web-operator NAME`          (<state_dir>/web-operators)
  web_live_tick_ms     how often the console reads the views its pages follow (250)
)" + census_settings_help() + login_settings_help() +
         billing_settings_help() + radius_settings_help();
}

}  // namespace gm::host
