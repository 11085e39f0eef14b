// The census's settings section: the names it owns, read into its own CensusSettings.
#pragma once

#include <string>

#include "host/census/census_server.h"
#include "host/config/setting_parse.h"

namespace gm::host {

// False if the setting is not the census's; throws ConfigError if its value is bad.
bool apply_census_setting(CensusSettings& s, const Setting& setting);
std::string census_settings_help();

}  // namespace gm::host
