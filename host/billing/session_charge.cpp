#include "host/billing/session_charge.h"

#include <string>

#include "host/billing/billing_error.h"

namespace gm::billing {

Micros SessionCharge::total() const {
  return checked_add(closed_amount, current.amount);
}

ChargeStep charge(SessionCharge& s, const Rate& rate_now, uint64_t units_delta) {
  // Everything is computed before `s` changes, so a throw leaves the session as it was.
  ChargeStep step;
  SessionCharge next = s;
  if (next.current.rate_id != rate_now.id) {
    if (next.current.units > 0) {
      step.closed = next.current;
      next.closed_amount = checked_add(next.closed_amount, next.current.amount);
    }
    next.current = ChargeLine{rate_now.id, 0, 0};
  }
  uint64_t units = 0;
  if (__builtin_add_overflow(next.current.units, units_delta, &units))
    throw BillingError("rate " + std::to_string(rate_now.id) + ": a line of " +
                       std::to_string(next.current.units) + " units cannot take " +
                       std::to_string(units_delta) + " more");
  const Micros amount = line_amount(rate_now, units);
  // line_amount never decreases in units, so neither debit nor balance can turn into a credit.
  step.debit = checked_sub(amount, next.current.amount);
  next.current.units = units;
  next.current.amount = amount;
  s = next;
  return step;
}

uint64_t usage_units(const Rate& r, const UsageTotals& delta) {
  if (time_based(r.unit)) return delta.charged_s;
  uint64_t octets = 0;
  if (__builtin_add_overflow(delta.octets_in, delta.octets_out, &octets))
    throw BillingError("usage: " + std::to_string(delta.octets_in) + " + " +
                       std::to_string(delta.octets_out) + " octets overflow 64 bits");
  return octets;
}

}  // namespace gm::billing
