#include "host/billing/billing_stats.h"

#include <arpa/inet.h>

#include <cstdio>

#include "shared/proto/wire_names.h"
#include "shared/record/usage_record.h"

namespace gm::host {

const char* billing_refusal_name(size_t reason) {
  if (reason < static_cast<size_t>(frame::Refusal::count_))
    return frame::refusal_name(static_cast<frame::Refusal>(reason));
  if (reason == static_cast<size_t>(BillingRefusal::store_failed)) return "store_failed";
  if (reason == static_cast<size_t>(BillingRefusal::overloaded)) return "overloaded";
  return "invalid";
}

size_t outcome_index(const gatemeter_AuthResponse& r) {
  switch (wire_enum(r.decision)) {
    case gatemeter_AuthDecision_AUTH_APPROVE: return 0;
    case gatemeter_AuthDecision_AUTH_TEMPORARY: return 1;
    default: break;
  }
  const int32_t why = wire_enum(r.reject);
  return why >= 1 && static_cast<size_t>(why) <= billing_outcomes - 2 ? 1 + static_cast<size_t>(why)
                                                                      : billing_outcomes - 1;
}

std::string outcome_name(size_t index) {
  if (index == 0) return "approve";
  if (index == 1) return "temporary";
  return wire::reject_reason_name(static_cast<int32_t>(index - 1)).c_str();
}

void BillingStats::observe_decision(std::chrono::steady_clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  size_t bucket = decision_bounds_s.size();
  for (size_t i = 0; i < decision_bounds_s.size(); ++i)
    if (s <= decision_bounds_s[i]) {
      bucket = i;
      break;
    }
  ++decision_latency[bucket];
  decision_latency_ns += static_cast<uint64_t>(std::chrono::nanoseconds(d).count());
}

void count_billing_refusal(BillingStats& stats, size_t reason, const sockaddr_in& from) {
  const uint64_t n = ++stats.refused[reason];
  uint64_t decade = 1;
  while (decade < n) decade *= 10;
  if (decade != n) return;  // only the 1st, 10th, 100th, ...: a flood stays a few lines
  char ip[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
  std::fprintf(stderr, "billing: refused %llu frame(s) (%s), latest from %s:%u\n",
               static_cast<unsigned long long>(n), billing_refusal_name(reason), ip,
               ntohs(from.sin_port));
}

}  // namespace gm::host
