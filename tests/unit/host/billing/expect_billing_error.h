// The billing tests' one way to say "this input is refused, and the message says why".
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "host/billing/billing_error.h"

namespace gm::billing {

inline void expect_billing_error(const std::function<void()>& f, const std::string& text) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning " << text;
  } catch (const BillingError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

}  // namespace gm::billing
