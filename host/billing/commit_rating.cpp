#include "host/billing/commit_rating.h"

#include <cstring>

#include "host/billing/billing_error.h"
#include "host/billing/session_charge.h"

namespace gm::billing {

void CatalogRater::rate(host::RatingCase& c) {
  const AccountInfo* account = cache_.account(c.charge.account);
  if (account == nullptr) {
    ++counts_.unknown_account;
    return;
  }
  const host::VerifiedRecord& v = *c.record;
  const char* at = std::strchr(v.record.subscriber, '@');  // from_wire guaranteed one
  RateQuery q;
  q.plan = account->plan;
  q.service_type = cache_.service_type(v.record.service);
  q.band = band_at(cache_.bands(), *account->zone, c.at_unix);
  q.zone = cache_.zone_of(v.agent);
  q.provider = cache_.provider_of(at ? at + 1 : "");
  q.at_unix = c.at_unix;
  const Rate* rate = cache_.rates().find(q);
  if (rate == nullptr) {
    ++counts_.no_rate;
    return;
  }
  const UsageTotals delta{c.after.charged_s - c.before.charged_s, c.after.free_s - c.before.free_s,
                          c.after.octets_in - c.before.octets_in,
                          c.after.octets_out - c.before.octets_out};
  SessionCharge s;
  s.current = {c.charge.line_rate, c.charge.line_units, c.charge.line_amount_micros};
  s.closed_amount = c.charge.amount_micros - c.charge.line_amount_micros;
  ChargeStep step;
  Micros total = 0;
  try {
    step = charge(s, *rate, usage_units(*rate, delta));
    total = s.total();
  } catch (const BillingError&) {
    ++counts_.failed;  // charge() left the session as it was
    return;
  }
  host::StoredCharge& out = c.charge;
  if (step.closed) {
    c.closed = host::ClosedLine{out.line, step.closed->rate_id, step.closed->units,
                                step.closed->amount};
    ++out.line;
  } else if (out.line == 0) {
    out.line = 1;
  }
  out.amount_micros = total;
  out.line_rate = s.current.rate_id;
  out.line_units = s.current.units;
  out.line_amount_micros = s.current.amount;
  c.debit_micros = step.debit;
  ++counts_.rated;
}

}  // namespace gm::billing
