// Access-Requests of this operator's own realms, decided by billing (RADIUS.md, "Local
// realms"): a realm in billing's catalog with no provider is this operator's, and its users are
// decided here rather than proxied. For each request, in one worker thread (a password check
// costs tens of milliseconds of Argon2id and must not hold up the proxy's socket):
//
//   1. the user: User-Name, with the client's realm appended when it carries none; a realm
//      that is neither billing's own nor proxied is rejected ("unknown realm")
//   2. the password: User-Password revealed under the client's secret and checked against the
//      subscriber's Argon2id hash (billingctl subscriber password); CHAP is refused, since only
//      a hash is stored; an unknown subscriber costs the same hash and hears the same words
//   3. billing's answer to the session it would be (SessionAuthoriser::decide_only: the
//      account, its kind, enabled, funds, the realm's offers and approval rules), nothing
//      written: the Accounting-Start names the session and links it to the account
//   4. the answer: Access-Accept with Session-Timeout (what the unreserved balance buys at the
//      rate that prices it now, cut where that rate ends, at most longest_session_s),
//      Idle-Timeout and Acct-Interim-Interval; Access-Reject with billing's reason
//
// The NAS ends a prepaid session at its Session-Timeout: the RADIUS way to cut off what the
// balance cannot pay, without Disconnect-Request.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gatemeter.pb.h"
#include "host/radius/access_relay.h"
#include "host/radius/radius_packet.h"

namespace gm::host {

struct LocalAccessSettings {
  bool on = false;                       // radius_local_auth
  uint32_t longest_session_s = 86'400;   // the longest Session-Timeout given
  uint32_t interim_interval_s = 60;      // Acct-Interim-Interval asked of the NAS (0: none)
  size_t max_waiting = 64;               // requests waiting for the worker; more are dropped
  std::string zoneinfo = "/usr/share/zoneinfo";
};

// Why a request of a local realm was refused before billing was asked.
enum class LocalRefusal : uint8_t {
  none,
  unknown_realm,   // neither billing's own realm nor a proxied one
  no_password,     // no User-Password (and no CHAP-Password)
  chap,            // CHAP-Password: only a hash is stored, CHAP needs the clear text
  bad_password,    // wrong, unknown subscriber, or no password set: one answer for all three
};
inline constexpr size_t local_refusal_count = 5;
const char* refusal_name(LocalRefusal r);

// Step 4 as a plain function: billing's answer becomes the NAS's. `accept` is set for an
// approval only: a temporary approval waits for the realm's approval system, which nothing
// over RADIUS would ever follow up, so it is an Access-Reject that says so.
radius::AccessTerms access_terms_of(const gatemeter_AuthResponse& r,
                                    const LocalAccessSettings& settings, bool& accept);

struct LocalAccessStats {
  std::atomic<uint64_t> decided{0}, accepted{0}, rejected{0}, dropped{0}, store_failed{0};
  std::array<std::atomic<uint64_t>, local_refusal_count> refused{};
};

class LocalAccess {
 public:
  // One request the proxy hands over; `answer` is filled by the worker (empty: none is sent,
  // the store failed and the NAS will retry).
  struct Job {
    uint32_t address = 0;
    uint16_t port = 0;
    std::vector<uint8_t> request;  // authentic (Message-Authenticator checked by the proxy)
    std::string secret, default_realm;
    std::vector<uint8_t> answer;
  };

  LocalAccess(std::string store, LocalAccessSettings settings);
  ~LocalAccess();
  void start();  // opens the store: throws StoreError naming it
  void stop();
  // False (and counted dropped) if max_waiting wait already: the NAS retries.
  bool submit(Job job);
  // Whether the realm is billing's own (no provider), as the catalog was at most a second ago:
  // the proxy's question before it asks a routing server. Any thread.
  bool serves(const std::string& realm) const;
  // An eventfd readable while answers wait; take() empties it.
  int ready_fd() const { return ready_fd_; }
  std::vector<Job> take();
  const LocalAccessStats& stats() const { return stats_; }

 private:
  struct Decider;
  void run();

  std::string store_;
  LocalAccessSettings settings_;
  LocalAccessStats stats_;
  std::unique_ptr<Decider> decider_;
  void learn_own_realms();  // the worker's: from its catalog copy into own_

  mutable std::mutex mutex_;
  std::set<std::string, std::less<>> own_;
  int64_t own_version_ = -1;
  std::condition_variable wake_;
  std::deque<Job> waiting_;
  std::vector<Job> done_;
  bool stopping_ = false;
  int ready_fd_ = -1;
  std::thread thread_;
};

}  // namespace gm::host
