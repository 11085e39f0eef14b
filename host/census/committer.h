// Steps 3 and 4 of the census, and the start of 5: one thread with its own store connection
// takes everything verified since its last commit (group commit: the batch grows by itself
// under load) and commits it in one transaction. The store dedupes in it: a record changes a
// session only if its seq is newer; a datagram at or below the highest seq committed for its
// login session, by any node at any time, is refused (`already_committed`), one of a closed login too
// (`login_closed`); confirmations of accepted datagrams mark their commands delivered. Only
// then does it hand the accepted datagrams' acks, with the commands due to ride in them, to
// the acker.
//
// Every command_poll it also reads the pending commands and lets the login registry drop the
// logins the store closed. Each commit also records the presence of the gateways it heard
// (at most every 5 s per gateway) and, with billing on, prices and debits what it commits.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "host/census/acker.h"
#include "host/census/census_stats.h"
#include "host/census/command_schedule.h"
#include "host/census/commit_queue.h"
#include "host/census/login_registry.h"
#include "host/store/command_mailbox.h"
#include "host/store/commit_rater.h"
#include "host/store/usage_ledger.h"

namespace gm::host {

class Committer {
 public:
  // ledger and mailbox: the committer's own store connection, used on its thread only.
  Committer(UsageLedger& ledger, CommandMailbox& mailbox, LoginRegistry& registry,
            CommitQueue& queue, Acker& acker, CensusStats& stats,
            std::chrono::milliseconds command_poll, std::chrono::milliseconds command_resend);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Billing's part of each commit: rater prices the growth of linked sessions inside the
  // transaction; refresh (its catalog) runs between commits, once a second.
  void rate_with(CommitRater& rater, std::function<void()> refresh);

  void start();
  // Returns once the queue is closed and what it last held is committed and its acks handed
  // to the acker.
  void join();

 private:
  void run();
  // Applies batch and the refusals counted since the last commit; false if the store failed.
  bool commit(VerifiedBatch& batch);
  void read_commands();
  std::vector<AckJob> acks_of(VerifiedBatch& batch);

  UsageLedger& ledger_;
  CommandMailbox& mailbox_;
  LoginRegistry& registry_;
  CommitQueue& queue_;
  Acker& acker_;
  CensusStats& stats_;
  const std::chrono::milliseconds command_poll_;
  CommandSchedule schedule_;
  std::array<uint64_t, census_refusal_reasons> refusals_committed_{};
  static constexpr std::chrono::seconds presence_every{presence_every_s};
  std::unordered_map<int64_t, std::chrono::steady_clock::time_point> last_presence_;
  CommitRater* rater_ = nullptr;
  std::function<void()> refresh_;
  std::chrono::steady_clock::time_point next_refresh_{};
  std::thread thread_;
};

}  // namespace gm::host
