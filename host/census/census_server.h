// The census server: receives the agents' tagged metering datagrams over UDP, and for each
//
//   1. receive  — recvmmsg, up to 64 datagrams a call, on one SO_REUSEPORT socket per thread
//   2. verify   — peek the header, find the login session, check the tag and replay window,
//                 decode, validate every record (from_wire)
//   3. dedupe   — the store applies a record only if its seq is newer than what it holds for
//                 (agent, session); duplicates and older records change nothing
//   4. commit   — one committer thread applies everything verified since its last commit in
//                 one transaction (group commit: the batch grows by itself under load). In the
//                 same transaction the store refuses (`already_committed`) every datagram whose seq is at
//                 or below the highest it has committed for that login session, by any node at
//                 any time (login_session_seq), and `login_closed` every datagram of a closed
//                 login, and marks delivered the commands that accepted datagrams confirm
//   5. ack      — only after the commit returns, and only for accepted datagrams: the ack lists
//                 every record of the datagram (older duplicates too, since what they carried
//                 is durable) and the agent's unconfirmed commands when one is due for
//                 (re)sending (send_acks), sealed with the login session's tag key.
//
// Every refusal is counted by reason (refusal_counts()), logged at 1, 10, 100, ... per reason,
// and added to the store's refusals table with the next commit. Memory is bounded: fixed
// receive buffers per thread, at most max_queued_records awaiting commit (receive threads
// wait when it is full and the kernel's buffer absorbs or drops; agents resend), and a login
// registry bounded by the number of agents.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/census/login_registry.h"
#include "shared/frame/frame_format.h"

namespace gm::host {

struct CensusSettings {
  std::string listen_ip = "127.0.0.1";
  uint16_t port = 7100;                // 0: any free port (tests)
  unsigned threads = 0;                // receive sockets/threads; 0 = one per core
  size_t max_queued_records = 65536;   // verified, waiting for the committer
  int receive_buffer_bytes = 8 << 20;  // SO_RCVBUF per socket (capped by net.core.rmem_max)
  uint32_t command_poll_ms = 500;      // how often pending commands are read from the store
  uint32_t command_resend_ms = 2000;   // an unconfirmed command goes out again after this long:
                                       // more than an agent needs to confirm (its next tick)
};

// Reasons beyond the frame codec's (frame::Refusal): appended after its count_.
enum class CensusRefusal : uint8_t {
  invalid_record = static_cast<uint8_t>(frame::Refusal::count_),  // authentic, fails from_wire
  store_failed,  // verified, but the commit failed: not acknowledged, the agent resends
  login_closed,  // its login session was closed in the store (agent disabled, logged in again)
  // Authentic and new to this node, but the store had committed its seq (or a later one) of
  // that login already: through another node, or before this node restarted.
  already_committed,
  count_,
};
inline constexpr size_t census_refusal_reasons = static_cast<size_t>(CensusRefusal::count_);
const char* census_refusal_name(size_t reason);

struct CensusStats {
  std::atomic<uint64_t> datagrams{0};          // received, refused or not
  std::atomic<uint64_t> datagrams_accepted{0}; // verified and queued
  std::atomic<uint64_t> records_committed{0};  // verified records in committed transactions
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> acks_sent{0};
  std::atomic<uint64_t> commands_sent{0};  // commands put into acks, resends included
  std::atomic<uint64_t> confirmations{0};  // command ids confirmed in committed datagrams
  std::array<std::atomic<uint64_t>, census_refusal_reasons> refused{};
  std::atomic<uint64_t> queued_records{0};  // verified, waiting for the committer

  // How long the store's commit took (fsync included): counts per bucket, the last above all.
  static constexpr std::array<double, 11> commit_bounds_s{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                          0.02,   0.05,  0.1,   0.25,  0.5, 1};
  std::array<std::atomic<uint64_t>, commit_bounds_s.size() + 1> commit_latency{};
  std::atomic<uint64_t> commit_latency_ns{0};
  void observe_commit(std::chrono::steady_clock::duration d) {
    const double s = std::chrono::duration<double>(d).count();
    size_t i = 0;
    while (i < commit_bounds_s.size() && s > commit_bounds_s[i]) ++i;
    ++commit_latency[i];
    commit_latency_ns += static_cast<uint64_t>(std::chrono::nanoseconds(d).count());
  }
};

class CensusServer {
 public:
  // store: the spec open_store() opens (the census opens its own connections); vault opens
  // the login sessions' sealed tag keys.
  CensusServer(std::string store, const CredentialVault& vault, CensusSettings settings);
  ~CensusServer();
  CensusServer(const CensusServer&) = delete;
  CensusServer& operator=(const CensusServer&) = delete;

  // Binds every socket and starts the threads; throws std::runtime_error naming the address.
  void start();
  // Stops receiving, commits and acknowledges what was verified, then returns.
  void stop();
  uint16_t port() const { return port_; }
  LoginRegistry& registry() { return *registry_; }
  const CensusStats& stats() const { return stats_; }
  uint64_t refused(size_t reason) const { return stats_.refused[reason].load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<LoginRegistry> registry_;
  CensusStats stats_;
  uint16_t port_ = 0;
};

}  // namespace gm::host
