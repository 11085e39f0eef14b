// What billing throws for input it cannot rate: a bad rate, a bad amount, a bad time-band
// setting, a zone file that does not parse. The message names the value at fault.
#pragma once

#include <stdexcept>

namespace gm::billing {

struct BillingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace gm::billing
