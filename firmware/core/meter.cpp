#include "firmware/core/meter.h"

namespace gm::core {

namespace {

uint32_t add_saturating(uint32_t a, uint64_t b) {
  const uint64_t sum = a + b;
  return sum > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(sum);
}

uint64_t add_saturating(uint64_t a, uint64_t b) { return a + b < a ? ~uint64_t{0} : a + b; }

// Number of k in [0, n) with m + 1000k in [from_ms, until_ms): the seconds starting inside the
// free period.
uint64_t seconds_starting_in(uint64_t m, uint64_t n, uint64_t from_ms, uint64_t until_ms) {
  if (until_ms <= from_ms || n == 0) return 0;
  auto first_at_or_after = [m](uint64_t t) { return t <= m ? 0 : (t - m + 999) / 1000; };
  uint64_t lo = first_at_or_after(from_ms), hi = first_at_or_after(until_ms);
  if (lo > n) lo = n;
  if (hi > n) hi = n;
  return hi > lo ? hi - lo : 0;
}

}  // namespace

void meter_time(Session& s, uint64_t now_ms) {
  if (now_ms <= s.metered_to_ms) return;
  const uint64_t seconds = (now_ms - s.metered_to_ms) / 1000;
  if (seconds == 0) return;

  const bool counts = s.metering() || s.walled();
  if (counts) {
    const bool all_free = s.walled() || s.billing == gatemeter_BillingOption_BILLING_FREE;
    const uint64_t free =
        all_free ? seconds
                 : seconds_starting_in(s.metered_to_ms, seconds, uint64_t{s.free_from_s} * 1000,
                                       uint64_t{s.free_until_s} * 1000);
    s.free_s = add_saturating(s.free_s, free);
    s.charged_s = add_saturating(s.charged_s, seconds - free);
  }
  s.metered_to_ms += seconds * 1000;
}

void meter_traffic(Session& s, uint64_t octets_in, uint64_t octets_out, uint32_t now_s) {
  s.octets_in = add_saturating(s.octets_in, octets_in);
  s.octets_out = add_saturating(s.octets_out, octets_out);
  if (octets_in != 0 || octets_out != 0) s.last_activity_s = now_s;
}

void set_free_period(Session& s, uint32_t now_s, uint32_t seconds) {
  s.free_from_s = now_s;
  s.free_until_s = add_saturating(now_s, seconds);
}

}  // namespace gm::core
