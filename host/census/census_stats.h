// What the census counts: datagrams, commits, acks, and refusals by reason. Every step adds to
// one CensusStats (atomics: the receive threads, the committer and the acker write it while
// the metrics page reads it).
#pragma once

#include <netinet/in.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "shared/frame/frame_format.h"

namespace gm::host {

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
  std::atomic<uint64_t> sessions_rated{0};      // linked sessions whose growth was priced
  std::atomic<uint64_t> debited_micros{0};      // debited from accounts in committed commits
  std::atomic<uint64_t> counters_backwards{0};  // records whose counters were below the stored

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

// Counts one refusal (a frame::Refusal or a CensusRefusal, as a number) and logs the 1st,
// 10th, 100th, ... of each reason with the sender's address.
void count_refusal(CensusStats& stats, size_t reason, const sockaddr_in& from);

}  // namespace gm::host
