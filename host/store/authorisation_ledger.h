// The authorisation ledger: what the billing service decided for each subscriber session, and
// the link from the session to the account it charges. Linking writes the account into the
// session's usage row (created if no record came yet) so that the census's commit finds it in
// the row it reads anyway, whichever of the two commits first.
#pragma once

#include <string>
#include <vector>

#include "host/store/billing_types.h"

namespace gm::host {

struct SessionLink {
  int64_t agent = 0;
  uint64_t session_id = 0;
  uint64_t login_session = 0;
  int64_t account = 0;
  std::string subscriber, service;  // as the AuthRequest named them
  int32_t billing = 0;
  int64_t start_unix = 0;
};

// A gateway's connect signal: its last datagram (every census commit that carries one, at most
// every few seconds per gateway).
struct GatewayPresence {
  std::string agent_id;
  int64_t last_seen_unix = 0;
  int64_t lost_unix = 0;  // when its sessions were marked lost carrier; 0 while present
};

class AuthorisationLedger {
 public:
  virtual ~AuthorisationLedger() = default;
  // The session charges `account` from now on: usage committed before the link (free time
  // while authorising) was not rated, and stays so.
  virtual void link_session(const SessionLink& link, int64_t now_unix) = 0;
  virtual std::vector<GatewayPresence> presence() = 0;
};

}  // namespace gm::host
