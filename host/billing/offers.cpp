#include "host/billing/offers.h"

namespace gm::billing {

std::vector<host::OfferRow> offers_of(const std::vector<host::OfferRow>& all,
                                      const std::string& scope) {
  std::vector<host::OfferRow> out;
  for (const host::OfferRow& o : all)
    if (o.scope == scope) out.push_back(o);
  return out;
}

std::vector<host::OfferRow> offers_applying(const std::vector<host::OfferRow>& all,
                                            const std::string& realm, const std::string& agent_id) {
  std::vector<host::OfferRow> out = offers_of(all, "gateway:" + agent_id);
  const size_t own = out.size();
  for (const host::OfferRow& o : offers_of(all, realm)) {
    bool named = false;
    for (size_t i = 0; i < own; ++i) named |= out[i].option == o.option;
    if (!named) out.push_back(o);
  }
  return out;
}

}  // namespace gm::billing
