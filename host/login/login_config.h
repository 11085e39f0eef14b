// The login service's settings section: the names it owns, read into its own LoginSettings.
#pragma once

#include <string>

#include "host/config/setting_parse.h"
#include "host/login/login_server.h"

namespace gm::host {

// False if the setting is not the login service's; throws ConfigError if its value is bad.
bool apply_login_setting(LoginSettings& s, const Setting& setting);
std::string login_settings_help();

}  // namespace gm::host
