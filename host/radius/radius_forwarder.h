// The routing server's second half (RADIUS.md, "The routing server"): what the accounting
// server queued (RadiusLedger::enqueue, durable before the client was answered) goes to the
// central server, signed with the central's secret, resent until the central answers it, and
// only then forgotten. Up to 256 in flight (one Identifier each); a request unanswered for 2 s
// goes again, the wait doubling to 30 s while the central stays silent.
//
// Killed at any moment, it loses nothing (a request leaves the queue only after its answer) and
// doubles nothing the central keeps: a request forwarded again is the same record, and the
// central's ledger applies a record once (newest wins). Acct-Delay-Time grows by the time a
// request waited here, so the central dates it as the NAS did (RFC 2866 section 5.2).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::host {

struct ForwardStats {
  std::atomic<uint64_t> forwarded{0}, resent{0}, refused_answers{0}, store_failed{0};
  std::atomic<int64_t> queued{0};  // requests in the queue at the last look
};

class RadiusForwarder {
 public:
  RadiusForwarder(std::string store, std::string bind_ip, std::string to_ip, uint16_t to_port,
                  std::string secret, ForwardStats& stats);
  ~RadiusForwarder();
  void start();
  void stop();
  void wake();  // something was queued

 private:
  void run();

  std::string store_, bind_ip_, to_ip_, secret_;
  uint16_t to_port_;
  ForwardStats& stats_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false, due_ = false;
  std::thread thread_;
};

// The request as the forwarder sends it: `packet`'s attributes with Acct-Delay-Time raised by
// `waited_s` (added if absent), Identifier `identifier`, signed with `secret`. Empty if
// `packet` does not parse.
std::vector<uint8_t> forwarded_request(const std::vector<uint8_t>& packet, uint8_t identifier,
                                       uint32_t waited_s, const std::string& secret);

// The request as the routing server queues it: with an Operator-Name (RFC 5580, namespace '1':
// a realm) of the local provider it came from, unless it carries one. The central server knows
// the serving network by it (settlement's local server), one hop further than the address.
// Unchanged for an empty realm, one over 252 octets, or a packet it would make too big; the
// Request Authenticator is left as it was (forwarded_request signs anew).
std::vector<uint8_t> with_operator_name(const std::vector<uint8_t>& packet,
                                        const std::string& realm);

}  // namespace gm::host
