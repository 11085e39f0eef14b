// The billing part of a granted login (LoginResponse fields 11-14), apart from grant_login so
// that the login decision needs no billing catalog to be tested or fuzzed.
#pragma once

#include <string>

#include "gatemeter.pb.h"
#include "host/login/login_server.h"
#include "host/store/billing_catalog.h"

namespace gm::host {

// The billing servers, the gateway's realm (default_realm), that realm's offers with the
// gateway's own (scope gateway:<agent_id>) winning for their option, and the realm's outage
// policy (OUTAGE_TERMINATE for a realm the catalog does not know). Throws StoreError if the
// catalog cannot be read.
void add_billing_terms(gatemeter_LoginResponse& response, BillingCatalog& catalog,
                       const LoginSettings& settings, const std::string& agent_id);

}  // namespace gm::host
