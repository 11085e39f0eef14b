// Reading an enum back from its name (service type, band, rate unit): exact lower-case names,
// and an error that lists the valid ones, so a typo in a setting or a rate row says what to
// write instead.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "host/billing/billing_error.h"

namespace gm::billing {

// `name(Enum)` must be declared for Enum; `what` names the kind in the message.
template <typename Enum, size_t N>
Enum parse_named(std::string_view text, const std::array<Enum, N>& all, std::string_view what) {
  std::string valid;
  for (Enum e : all) {
    if (name(e) == text) return e;
    valid += valid.empty() ? "" : ", ";
    valid += name(e);
  }
  throw BillingError("unknown " + std::string(what) + " \"" + std::string(text) + "\" (one of " +
                     valid + ")");
}

}  // namespace gm::billing
