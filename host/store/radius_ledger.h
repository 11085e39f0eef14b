// What the RADIUS accounting server needs of the store beside the usage ledger: an agent row
// for each NAS (its sessions sit beside the gateways' in subscriber_sessions, rated and fed the
// same way), the session a NAS's (Acct-Session-Id, start) names, and the end of a rebooted
// NAS's sessions (host/radius/, SCHEMA.md "radius_sessions").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gm::host {

struct RadiusSessionKey {
  int64_t agent = 0;  // nas_agent()
  std::string acct_session_id;
  int64_t start_unix = 0;  // the event's time less Acct-Session-Time
  std::string subscriber;  // "user@realm": a new session of a subscriber billing knows is linked
};

// A request the routing server holds for the central server (radius_queue).
struct QueuedRequest {
  int64_t id = 0;
  std::vector<uint8_t> packet;  // as the client sent it
  int64_t received_unix = 0;
};

// An open session of a NAS as an operator lists it (radiusctl sessions).
struct OpenRadiusSession {
  std::string nas;  // agents.agent_id without "radius:"
  std::string acct_session_id;
  int64_t start_unix = 0;
  std::string subscriber;
  uint64_t charged_s = 0, octets_in = 0, octets_out = 0;
  int64_t updated_unix = 0;  // the newest record's commit
  std::string account;       // "" not billed
  int64_t amount_micros = 0;
};

class RadiusLedger {
 public:
  virtual ~RadiusLedger() = default;
  // The agent row of a NAS ("radius:" + its name), made on first use with a random credential
  // nobody holds, so no gateway can log in as it.
  virtual int64_t nas_agent(const std::string& nas, int64_t now_unix) = 0;
  // For each key, the store's session id: the one already named for its NAS and Acct-Session-Id
  // whose start lies within tolerance_s of the key's (the nearest), else a new one named for
  // this start. A session id a NAS reuses after a reboot starts later, so it names a new
  // session. A new session whose subscriber belongs to an enabled account (`subscribers`) is
  // linked to it in the same transaction, so billing rates and debits its usage from its first
  // record. One transaction; nodes asking at once about one NAS wait for each other, so all
  // get the same answer.
  virtual std::vector<uint64_t> sessions_of(const std::vector<RadiusSessionKey>& keys,
                                            int64_t tolerance_s, int64_t now_unix) = 0;
  // Accounting-On / -Off: each open session of the NAS ends with `cause`, at its last reported
  // totals, with its feed row. Returns how many ended.
  virtual size_t end_nas_sessions(int64_t agent, int32_t cause, int64_t now_unix) = 0;

  // The routing server's queue: requests appended in one transaction (durable when it
  // returns), read oldest first from above an id, and forgotten once forwarded.
  virtual void enqueue(const std::vector<std::vector<uint8_t>>& packets, int64_t now_unix) = 0;
  virtual std::vector<QueuedRequest> queued(int64_t after_id, size_t limit) = 0;
  virtual void forwarded(const std::vector<int64_t>& ids) = 0;
  virtual int64_t queue_length() = 0;

  // Open sessions (state 0) of every NAS, or of `nas` alone, oldest start first, at most
  // `limit`.
  virtual std::vector<OpenRadiusSession> open_sessions(const std::string& nas, size_t limit) = 0;
};

}  // namespace gm::host
