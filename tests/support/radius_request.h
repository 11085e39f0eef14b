// Accounting-Requests built by hand for tests and the load generator: attributes appended in
// order, then the Length and the Request Authenticator filled in under a shared secret.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::test {

class RadiusRequest {
 public:
  explicit RadiusRequest(uint8_t identifier, radius::Code code = radius::Code::accounting_request)
      : bytes_(radius::header_size, 0) {
    bytes_[0] = static_cast<uint8_t>(code);
    bytes_[1] = identifier;
  }
  RadiusRequest& text(uint8_t type, std::string_view v) {
    bytes_.push_back(type);
    bytes_.push_back(static_cast<uint8_t>(v.size() + 2));
    bytes_.insert(bytes_.end(), v.begin(), v.end());
    return *this;
  }
  RadiusRequest& integer(uint8_t type, uint32_t v) {
    const uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    return text(type, std::string_view(reinterpret_cast<const char*>(b), 4));
  }
  // The finished packet: Length set, the authenticator MD5'd under `secret`.
  std::vector<uint8_t> sealed(std::string_view secret) const {
    std::vector<uint8_t> out = bytes_;
    out[2] = static_cast<uint8_t>(out.size() >> 8);
    out[3] = static_cast<uint8_t>(out.size());
    const radius::Authenticator a =
        radius::accounting_request_authenticator(out.data(), out.size(), secret);
    std::copy(a.begin(), a.end(), out.begin() + 4);
    return out;
  }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace gm::test
