// The service manager's read (BILLING.md, "The service manager"): the sessions open in the
// usage ledger with what billing knows of them (subscriber address, account and balance, the
// service type, the current line's rate, the charge so far), a page at a time in key order, so
// a store with 10,000 live sessions is never read whole. One SELECT both databases run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gm::host {

struct ActiveSession {
  std::string agent_id;
  uint64_t session_id = 0;
  std::string subscriber, realm, service;
  std::string service_type;  // services' type of the service; "data" when it names none
  int32_t billing = 0;       // gatemeter.BillingOption
  std::string address;       // the subscriber's address as the AuthRequest named it; "" none
  std::string account;       // "" not billed
  int64_t balance_micros = 0;
  int64_t start_unix = 0;    // the agent's clock
  int64_t updated_unix = 0;  // when its newest record was committed (0: none yet)
  uint64_t charged_s = 0, free_s = 0, octets_in = 0, octets_out = 0;
  int64_t amount_micros = 0;  // charged so far: closed lines and the current one
  int64_t rate_id = 0;        // the current line's rate; 0 none yet
  std::string rate_unit;      // second, minute, megabyte; "" none
  int64_t rate_price_micros = 0;
};

// Where a page starts: after this session, in the store's key order (agent, session id).
struct SessionKey {
  std::string agent_id;
  uint64_t session_id = 0;
};

class ActiveSessions {
 public:
  // At most `limit` open sessions after `after` (none: from the first). An `after` naming an
  // agent the store does not know gives none.
  virtual std::vector<ActiveSession> active_sessions(const std::optional<SessionKey>& after,
                                                     size_t limit) = 0;
  // One session if it is open.
  virtual std::optional<ActiveSession> active_session(const SessionKey& key) = 0;
  // The open sessions an account pays for (the web console's subscriber view), at most
  // `limit`, by the index of live authorisations: never a scan of every session.
  virtual std::vector<ActiveSession> account_sessions(const std::string& account,
                                                      size_t limit) = 0;

 protected:
  ~ActiveSessions() = default;
};

}  // namespace gm::host
