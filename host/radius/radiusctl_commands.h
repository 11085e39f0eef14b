// radiusctl's commands (host/radiusctl_main.cpp dispatches to them): the clients file and its
// shared secrets, the realms file and its home servers, and the open sessions of the NASes in
// the store. A file is changed as secret_file.h says (checked by the server's own parser, then
// renamed into place); the server reads both files when its radius service starts. Bad usage
// throws ConfigError (exit status 2); a refused change (an address listed already, nothing to
// remove) throws std::runtime_error (1). Secrets come from standard input and are never shown.
#pragma once

#include <string>
#include <vector>

#include "host/radius/radius_server.h"
#include "host/store/store.h"

namespace gm::host {

struct RadiusctlRun {
  const RadiusSettings& settings;  // radius_clients, radius_realms: the files changed
  std::string store;               // the store spec, opened only by `sessions`
  std::string state_dir;
};

int client_command(const RadiusctlRun& run, const std::vector<std::string>& words);
int realm_command(const RadiusctlRun& run, const std::vector<std::string>& words);
int radius_sessions_command(const RadiusctlRun& run, const std::vector<std::string>& words);

}  // namespace gm::host
