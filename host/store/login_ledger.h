// The login ledger: login sessions, written by the login service and read by every census.
//
// A census learns of a login by looking up the id a datagram names (find_open_login), not by
// following an increasing serial: under PostgreSQL, sequence values commit out of order, so a
// reader that follows them can step past a login that commits later, for good. It learns of
// closed logins by asking which were closed recently (logins_closed_since).
#pragma once

#include <optional>
#include <vector>

#include "host/store/store_types.h"

namespace gm::host {

class LoginLedger {
 public:
  // In one transaction: closes the agent's earlier login sessions and, unless this is a
  // renewal (the agent's newest login has the same boot count), its open subscriber sessions
  // at their last committed totals (state closed_by_restart, cause STOP_AGENT_RESTART); then
  // opens the new one. A duplicate id throws (the caller draws 64 random bits).
  virtual LoginOpened open_login_session(const NewLogin& login) = 0;
  // The login session with this id if it is open, unexpired at now_unix, and its agent enabled.
  virtual std::optional<LoginSession> find_open_login(uint64_t id, int64_t now_unix) = 0;
  // Every such login session: what a starting census loads.
  virtual std::vector<LoginSession> open_logins(int64_t now_unix) = 0;
  // Ids of login sessions closed at or after since_unix.
  virtual std::vector<uint64_t> logins_closed_since(int64_t since_unix) = 0;

 protected:
  ~LoginLedger() = default;
};

}  // namespace gm::host
