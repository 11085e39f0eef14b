// The RADIUS accounting server's settings section: the names it owns, read into RadiusSettings.
#pragma once

#include <string>

#include "host/config/setting_parse.h"
#include "host/radius/radius_server.h"

namespace gm::host {

// False if the setting is not the RADIUS server's; throws ConfigError if its value is bad.
bool apply_radius_setting(RadiusSettings& s, const Setting& setting);
std::string radius_settings_help();

}  // namespace gm::host
