#include "host/census/census_stats.h"

#include <arpa/inet.h>

#include <cstdio>

namespace gm::host {

const char* census_refusal_name(size_t reason) {
  if (reason < static_cast<size_t>(frame::Refusal::count_))
    return frame::refusal_name(static_cast<frame::Refusal>(reason));
  switch (static_cast<CensusRefusal>(reason)) {
    case CensusRefusal::invalid_record: return "invalid_record";
    case CensusRefusal::store_failed: return "store_failed";
    case CensusRefusal::login_closed: return "login_closed";
    case CensusRefusal::already_committed: return "already_committed";
    case CensusRefusal::count_: break;
  }
  return "invalid";
}

void count_refusal(CensusStats& stats, size_t reason, const sockaddr_in& from) {
  const uint64_t n = ++stats.refused[reason];
  // 1, 10, 100, ...: every reason shows in the log without a flood turning into one.
  for (uint64_t p = 1; p <= n; p *= 10)
    if (p == n) {
      char ip[INET_ADDRSTRLEN] = "?";
      inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
      std::fprintf(stderr, "census: refused %llu datagram(s) (%s), latest from %s:%u\n",
                   static_cast<unsigned long long>(n), census_refusal_name(reason), ip,
                   ntohs(from.sin_port));
      break;
    }
}

}  // namespace gm::host
