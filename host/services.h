// The services gatemeter-server can run, by the names its `services` setting lists. Each takes
// its own settings from the configuration here, in one place, so server_main only walks the list.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/config/server_config.h"
#include "host/service.h"
#include "host/store/credential_vault.h"

namespace gm::host {

// In the order listed, but the login service last, so that it advertises the census's and the
// billing service's real ports when their listen settings ask for any free port (tests).
// Throws ConfigError for a name it does not know or settings that cannot work together.
std::vector<std::unique_ptr<Service>> make_services(ServerConfig& config,
                                                    const CredentialVault& vault);

}  // namespace gm::host
