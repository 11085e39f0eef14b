// The offers a gateway shows (BILLING.md, "The billing service"): its own, then its realm's.
#pragma once

#include <string>
#include <vector>

#include "host/store/billing_types.h"

namespace gm::billing {

// Those of scope "gateway:<agent_id>", then the realm's for the options the gateway's do not
// name (a gateway's own offer wins over its realm's).
std::vector<host::OfferRow> offers_applying(const std::vector<host::OfferRow>& all,
                                            const std::string& realm, const std::string& agent_id);

// The offers of exactly `scope` (a realm's name, or "gateway:<agent_id>").
std::vector<host::OfferRow> offers_of(const std::vector<host::OfferRow>& all,
                                      const std::string& scope);

}  // namespace gm::billing
