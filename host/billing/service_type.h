// The kinds of service a rate can price, as the `services` table maps an agent's service name
// to one of them.
#pragma once

#include <array>
#include <string_view>

namespace gm::billing {

enum class ServiceType { voice, video, im, web, download, data };

inline constexpr std::array<ServiceType, 6> all_service_types = {
    ServiceType::voice, ServiceType::video,    ServiceType::im,
    ServiceType::web,   ServiceType::download, ServiceType::data};

std::string_view name(ServiceType t);

// Exact, lower-case names; throws BillingError naming the text and listing the valid names.
ServiceType parse_service_type(std::string_view text);

}  // namespace gm::billing
