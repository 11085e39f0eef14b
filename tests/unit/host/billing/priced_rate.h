// A rate that matches anything, with just the arithmetic the test is about.
#pragma once

#include "host/billing/rate.h"

namespace gm::billing {

inline Rate priced(int64_t id, RateUnit unit, Micros price, uint64_t increment = 1,
                   Micros minimum = 0) {
  Rate r;
  r.id = id;
  r.unit = unit;
  r.price = price;
  r.increment = increment;
  r.minimum = minimum;
  return r;
}

}  // namespace gm::billing
