// The replay rule across census nodes and restarts, as a plain function both stores call
// inside the commit's transaction, once they hold each login session's committed seq locked.
//
// Per login session, a datagram is accepted only if the login is open and its seq is above the
// committed seq, which then rises to the highest accepted. A legitimate datagram refused
// because a later one of the same login was committed first (reordered, or slower through
// another node) loses nothing: it is not acknowledged, so the agent resends its records in a
// new datagram with a higher seq, and its confirmations ride in every datagram until one is
// acknowledged.
#pragma once

#include <cstdint>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

// The datagrams of one login session within a commit: order[begin, end) in seq order.
struct LoginGroup {
  uint64_t login_session = 0;
  uint32_t lowest = 0, highest = 0;
  size_t begin = 0, end = 0;
};

// Sorts indexes of ds by (login session, seq) into order and returns the groups, logins
// ascending (the order rows are locked in, so two nodes never deadlock on them).
std::vector<LoginGroup> group_by_login(const std::vector<VerifiedDatagram>& ds,
                                       std::vector<uint32_t>& order);

// Sets the verdict of each datagram of g and returns the new committed seq (committed if
// none was accepted). The same seq twice in one commit is accepted once.
uint32_t judge_login_group(std::vector<VerifiedDatagram>& ds, const std::vector<uint32_t>& order,
                           const LoginGroup& g, uint32_t committed, bool login_open);

}  // namespace gm::host
