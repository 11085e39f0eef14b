#include "host/store/datagram_acceptance.h"

#include <algorithm>

namespace gm::host {

std::vector<LoginGroup> group_by_login(const std::vector<VerifiedDatagram>& ds,
                                       std::vector<uint32_t>& order) {
  order.resize(ds.size());
  for (uint32_t i = 0; i < ds.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return ds[a].login_session != ds[b].login_session ? ds[a].login_session < ds[b].login_session
                                                      : ds[a].seq < ds[b].seq;
  });
  std::vector<LoginGroup> groups;
  for (size_t begin = 0; begin < order.size();) {
    const uint64_t login = ds[order[begin]].login_session;
    size_t end = begin;
    while (end < order.size() && ds[order[end]].login_session == login) ++end;
    groups.push_back({login, ds[order[begin]].seq, ds[order[end - 1]].seq, begin, end});
    begin = end;
  }
  return groups;
}

uint32_t judge_login_group(std::vector<VerifiedDatagram>& ds, const std::vector<uint32_t>& order,
                           const LoginGroup& g, uint32_t committed, bool login_open) {
  uint32_t last = committed;
  for (size_t k = g.begin; k < g.end; ++k) {
    VerifiedDatagram& d = ds[order[k]];
    if (!login_open) {
      d.verdict = DatagramVerdict::login_closed;
    } else if (d.seq > last) {
      d.verdict = DatagramVerdict::accepted;
      last = d.seq;
    } else {
      d.verdict = DatagramVerdict::replayed;
    }
  }
  return last;
}

}  // namespace gm::host
