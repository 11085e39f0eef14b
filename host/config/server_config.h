// Server configuration: a file of `name = value` lines (# starts a comment), then command-line
// flags `--name=value` (or `--name value`) that override it. Every error names the setting and
// where it came from, e.g. `gatemeter.conf:4: census_threads: expected a whole number from 0
// to 64, got "many"`. The same names serve gatemeter-server and censusctl.
#pragma once

#include <string>
#include <vector>

#include "host/billing/billing_server.h"
#include "host/census/census_server.h"
#include "host/config/setting_parse.h"
#include "host/login/login_server.h"
#include "host/radius/radius_server.h"
#include "host/settlement/report_server.h"
#include "host/web/console_server.h"

namespace gm::host {

// The settings every service shares, then each service's own section: the census and the login
// service each read their names into their own settings (census_config.h, login_config.h).
struct ServerConfig {
  // The services gatemeter-server starts, in this order (services.h knows each name).
  std::vector<std::string> services{"census", "login"};
  Endpoint metrics_listen{"127.0.0.1", 0};  // port 0: no metrics endpoint
  std::string state_dir = "gatemeter-state";  // created if absent; holds what is not set below
  std::string store;  // open_store() spec; default sqlite:<state_dir>/usage.db
  std::string tls_key, tls_cert, pin_file;  // default <state_dir>/login-key.pem, ...
  std::string vault_key;                    // default <state_dir>/vault.key

  CensusSettings census;  // census_listen, census_threads, ...
  LoginSettings login;    // login_listen, census_advertise, metering_interval_s, ...
  BillingSettings billing;  // billing_listen, grant_intervals, time_bands, ...
  RadiusSettings radius;    // radius_listen, radius_clients, ...
  settlement::ReportServerSettings settlement_reports;  // settlement_reports_listen
  web::ConsoleSettings web;  // web_listen, web_operators, web_live_tick_ms
  bool census_advertise_defaulted = false;  // login.census filled from census_listen
  // login.billing not set: the billing service of this process fills it when it starts.
  bool billing_servers_defaulted = false;

  // Fills the defaults that derive from state_dir, census_listen and the login section.
  void resolve_paths();
};

// One setting; origin is what an error message cites ("file.conf:3", "command line").
void apply_setting(ServerConfig& c, const std::string& name, const std::string& value,
                   const std::string& origin);
void apply_config_file(ServerConfig& c, const std::string& path);

// argv: [--config FILE] [--name=value | --name value]...; positional arguments are returned
// (censusctl's command and its operands). Throws ConfigError.
std::vector<std::string> parse_command_line(ServerConfig& c, int argc, const char* const* argv);

std::string config_help();

}  // namespace gm::host
