// Server configuration: a file of `name = value` lines (# starts a comment), then command-line
// flags `--name=value` (or `--name value`) that override it. Every error names the setting and
// where it came from, e.g. `gatemeter.conf:4: census_threads: expected a whole number from 0
// to 64, got "many"`. The same names serve gatemeter-server and censusctl.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/login/login_server.h"

namespace gm::host {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Endpoint {
  std::string ip;
  uint16_t port = 0;
};

struct ServerConfig {
  // The services gatemeter-server starts, in this order (services.h knows each name).
  std::vector<std::string> services{"census", "login"};
  Endpoint metrics_listen{"127.0.0.1", 0};  // port 0: no metrics endpoint
  std::string state_dir = "gatemeter-state";  // created if absent; holds what is not set below
  std::string store;  // open_store() spec; default sqlite:<state_dir>/usage.db
  std::string tls_key, tls_cert, pin_file;  // default <state_dir>/login-key.pem, ...
  std::string vault_key;                    // default <state_dir>/vault.key
  Endpoint login_listen{"127.0.0.1", 7000};
  Endpoint census_listen{"127.0.0.1", 7100};
  std::vector<std::string> census_advertise;  // default: census_listen
  bool census_advertise_defaulted = false;    // filled from census_listen by resolve_paths()
  unsigned census_threads = 0;                // 0: one per core
  uint32_t metering_interval_s = 60;
  bool track_usage = true;
  std::vector<ComponentOffer> updates;        // update = name:version:location (repeatable)
  size_t max_queued_records = 65536;
  int receive_buffer_bytes = 8 << 20;
  uint32_t login_timeout_s = 10;
  uint32_t login_lifetime_s = 86400;

  // Fills the defaults that derive from state_dir.
  void resolve_paths();
};

// One setting; origin is what an error message cites ("file.conf:3", "--flag").
void apply_setting(ServerConfig& c, const std::string& name, const std::string& value,
                   const std::string& origin);
void apply_config_file(ServerConfig& c, const std::string& path);

// argv: [--config FILE] [--name=value | --name value]...; positional arguments are returned
// (censusctl's command and its operands). Throws ConfigError.
std::vector<std::string> parse_command_line(ServerConfig& c, int argc, const char* const* argv);

std::string config_help();

}  // namespace gm::host
