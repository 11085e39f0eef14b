// The running charge of one session: its current bill line (the usage since the rate last
// changed, priced from its cumulative units) and the lines already closed. Each debit is the
// line's new amount minus its old, so a session's debits sum exactly to its lines' amounts:
// nothing is rounded twice.
#pragma once

#include <cstdint>
#include <optional>

#include "host/billing/money.h"
#include "host/billing/rate.h"
#include "shared/record/usage_record.h"

namespace gm::billing {

struct ChargeLine {
  int64_t rate_id = 0;
  uint64_t units = 0;  // cumulative base units on this line
  Micros amount = 0;   // line_amount(rate, units)
};

struct SessionCharge {
  ChargeLine current;
  Micros closed_amount = 0;  // the sum of the closed lines' amounts
  Micros total() const;      // closed_amount + current.amount (throws on overflow)
};

struct ChargeStep {
  Micros debit = 0;                  // never negative
  std::optional<ChargeLine> closed;  // the line that closed because the rate changed
};

// Adds units_delta base units at rate_now. When rate_now is another rate than the current
// line's, a line with units closes (it is returned, for charge_lines) and a new line starts
// at rate_now; an empty line just takes the new rate. A line's minimum is debited with its
// first unit. On a throw (an amount beyond Micros) `s` is left as it was.
ChargeStep charge(SessionCharge& s, const Rate& rate_now, uint64_t units_delta);

// What a delta of usage counts in the rate's base units: charged seconds for time rates
// (free seconds never), octets in plus out for megabyte rates.
uint64_t usage_units(const Rate& r, const UsageTotals& delta);

}  // namespace gm::billing
