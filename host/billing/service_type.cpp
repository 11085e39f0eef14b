#include "host/billing/service_type.h"

#include <string>

#include "host/billing/billing_error.h"

namespace gm::billing {

std::string_view name(ServiceType t) {
  switch (t) {
    case ServiceType::voice: return "voice";
    case ServiceType::video: return "video";
    case ServiceType::im: return "im";
    case ServiceType::web: return "web";
    case ServiceType::download: return "download";
    case ServiceType::data: return "data";
  }
  return "?";  // only a value cast from outside the enum gets here
}

ServiceType parse_service_type(std::string_view text) {
  std::string valid;
  for (ServiceType t : all_service_types) {
    if (name(t) == text) return t;
    valid += valid.empty() ? "" : ", ";
    valid += name(t);
  }
  throw BillingError("unknown service type \"" + std::string(text) + "\" (one of " + valid + ")");
}

}  // namespace gm::billing
