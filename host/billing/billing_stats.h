// What the billing service counts: frames, requests, decisions by outcome, refusals by reason,
// the decision's latency, remote inquiries, the sweep and the commands it queued. Atomics: the io thread,
// the decision threads and the follow-up thread write them while the metrics page reads them.
#pragma once

#include <netinet/in.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "gatemeter.pb.h"
#include "shared/frame/frame_format.h"

namespace gm::host {

// Reasons beyond the frame codec's (frame::Refusal): appended after its count_.
enum class BillingRefusal : uint8_t {
  store_failed = static_cast<uint8_t>(frame::Refusal::count_),  // verified, the store failed
  overloaded,  // verified, but the decision queue was full: the agent resends
  count_,
};
inline constexpr size_t billing_refusal_reasons = static_cast<size_t>(BillingRefusal::count_);
const char* billing_refusal_name(size_t reason);

// Decisions by outcome: 0 approve, 1 temporary, 1 + r for reject reason r (1..9).
inline constexpr size_t billing_outcomes = 2 + 9;
size_t outcome_index(const gatemeter_AuthResponse& r);
std::string outcome_name(size_t index);  // "approve", "temporary", "no_funds", ...

// The network management feed (feed_delivery.h): events delivered by this node, webhook
// attempts not acknowledged, and each destination's events not delivered yet (by any node;
// -1 while unknown or the destination is not configured).
struct FeedStats {
  std::atomic<uint64_t> written{0};        // lines appended to feed_file and fsynced
  std::atomic<uint64_t> posted{0};         // events the webhook acknowledged (2xx)
  std::atomic<uint64_t> post_failures{0};  // webhook attempts without a 2xx (retried)
  std::atomic<uint64_t> pruned{0};         // events past feed_retention_s deleted by this node
  std::atomic<int64_t> backlog_file{-1}, backlog_webhook{-1};
};

struct BillingStats {
  std::atomic<uint64_t> frames{0};          // received, refused or not
  std::atomic<uint64_t> auth_requests{0};   // verified AuthRequests
  std::atomic<uint64_t> offer_requests{0};  // verified OfferRequests
  std::atomic<uint64_t> answers_sent{0};
  std::atomic<uint64_t> repeated{0};  // a request answered before: its stored answer again
  std::atomic<uint64_t> stale{0};     // older than the request answered: no answer
  std::array<std::atomic<uint64_t>, billing_outcomes> outcomes{};
  std::array<std::atomic<uint64_t>, billing_refusal_reasons> refused{};
  std::atomic<uint64_t> queued{0};  // verified requests waiting for a decision thread

  // Remote approvals and top-ups (the follow-up thread).
  std::atomic<uint64_t> inquiries_sent{0};    // HTTP attempts
  std::atomic<uint64_t> inquiries_failed{0};  // attempts with no usable answer (retried)
  std::atomic<uint64_t> remote_approved{0}, remote_rejected{0}, remote_timed_out{0};
  std::atomic<uint64_t> grants_extended{0};  // top-ups that sent a running session more
  std::atomic<uint64_t> commands_grant{0}, commands_end_session{0};  // queued for agents
  FeedStats feed;

  // The sweep (stale_sweep.h, low_balance.h): sessions this node closed, by cause (each with
  // its COMMAND_END_SESSION, counted above too), gateways it marked lost, and the
  // COMMAND_LOW_BALANCE warnings it queued.
  std::atomic<uint64_t> sessions_swept{0};  // STOP_SESSION_TIMEOUT
  std::atomic<uint64_t> lost_carrier{0};    // STOP_LOST_CARRIER
  std::atomic<uint64_t> gateways_lost{0};
  std::atomic<uint64_t> low_balance_sent{0};

  // A request from verified to answered (the store's transaction and fsync included).
  static constexpr std::array<double, 10> decision_bounds_s{0.0005, 0.001, 0.002, 0.005, 0.01,
                                                            0.02,   0.05,  0.1,   0.25,  1};
  std::array<std::atomic<uint64_t>, decision_bounds_s.size() + 1> decision_latency{};
  std::atomic<uint64_t> decision_latency_ns{0};
  void observe_decision(std::chrono::steady_clock::duration d);
};

// Counts a refusal (a frame::Refusal or a BillingRefusal, as a number) and logs the 1st, 10th,
// 100th, ... of each reason with the sender's address.
void count_billing_refusal(BillingStats& stats, size_t reason, const sockaddr_in& from);

}  // namespace gm::host
