#include "host/login/login_billing.h"

#include "host/billing/offers.h"
#include "shared/proto/wire_limits.h"
#include "shared/record/usage_record.h"

namespace gm::host {

void add_billing_terms(gatemeter_LoginResponse& r, BillingCatalog& catalog,
                       const LoginSettings& settings, const std::string& agent_id) {
  for (const std::string& b : settings.billing) {
    if (r.billing_count == wire::max_billing) break;
    copy_text(r.billing[r.billing_count++], sizeof r.billing[0], b.c_str());
  }
  copy_text(r.realm, sizeof r.realm, settings.default_realm.c_str());
  for (const RealmRow& realm : catalog.list_realms())
    if (realm.name == settings.default_realm)
      r.outage_policy = static_cast<gatemeter_OutagePolicy>(realm.outage_policy);
  for (const OfferRow& o :
       billing::offers_applying(catalog.list_offers(), settings.default_realm, agent_id)) {
    if (r.offers_count == wire::max_offers) break;
    gatemeter_Offer& x = r.offers[r.offers_count++];
    x.option = static_cast<gatemeter_BillingOption>(o.option);
    copy_text(x.label, sizeof x.label, o.label.c_str());
    copy_text(x.terms, sizeof x.terms, o.terms.c_str());
  }
}

}  // namespace gm::host
