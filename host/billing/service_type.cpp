#include "host/billing/service_type.h"

#include "host/billing/enum_names.h"

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
  return parse_named(text, all_service_types, "service type");
}

}  // namespace gm::billing
