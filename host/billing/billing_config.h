// The billing service's settings section: the names it owns, read into its own BillingSettings.
#pragma once

#include <string>
#include <vector>

#include "host/billing/billing_server.h"
#include "host/config/setting_parse.h"

namespace gm::host {

// False if the setting is not the billing service's; throws ConfigError if its value is bad.
bool apply_billing_setting(BillingSettings& s, const Setting& setting);
std::string billing_settings_help();
// "a.b.c.d:port,..." checked as agents parse it, at most wire::max_billing (for
// billing_advertise here and the login service's billing_servers).
std::vector<std::string> billing_endpoints(const Setting& setting);

}  // namespace gm::host
