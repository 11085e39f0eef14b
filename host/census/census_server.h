// The census server: receives the agents' tagged metering datagrams over UDP and, for each,
//
//   1. receive  — recvmmsg, up to 64 datagrams a call, on one SO_REUSEPORT socket per thread
//                 (receiver.h)
//   2. verify   — peek the header, find the login session, check the tag and replay window,
//                 decode, validate every record (datagram_verifier.h: a plain function); what
//                 passed goes to the commit queue (commit_queue.h), at most max_queued_records
//   3. dedupe   — the store applies a record only if its seq is newer than what it holds for
//                 (agent, session); duplicates and older records change nothing
//   4. commit   — one committer thread with its own store connection applies everything
//                 verified since its last commit in one transaction (committer.h; group commit:
//                 the batch grows by itself under load). In the same transaction the store
//                 refuses (`already_committed`) every datagram whose seq is at or below the highest it has
//                 committed for that login session, by any node at any time
//                 (login_session_seq), and `login_closed` every datagram of a closed login, and
//                 marks delivered the commands that accepted datagrams confirm
//   5. ack      — only after the commit returns, and only for accepted datagrams: the ack lists
//                 every record of the datagram (older duplicates too, since what they carried
//                 is durable) and the agent's unconfirmed commands when one is due for
//                 (re)sending (command_schedule.h), sealed with the login session's tag key and
//                 sent by a thread of its own (acker.h).
//
// Every refusal is counted by reason (refused()), logged at 1, 10, 100, ... per reason, and
// added to the store's refusals table with the next commit. Memory is bounded: fixed receive
// buffers per thread, at most max_queued_records awaiting commit (a receive thread stops
// reading while the queue is full, and the kernel's buffer absorbs or drops; agents resend),
// and a login registry bounded by the number of agents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/census/census_stats.h"
#include "host/settlement/raw_from_roaming.h"
#include "host/census/login_registry.h"

namespace gm::billing {
class CatalogCache;
class CatalogRater;
}  // namespace gm::billing

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
  bool rating = true;  // price linked sessions' growth and debit accounts in each commit
  // census_settlement*: each ended roaming session kept as a raw settlement record in the
  // commit that ends it (host/store/roaming_keeper.h); the billing service's sweep and the
  // login service get the same settings (ServerConfig::resolve_paths), as they end sessions too.
  settlement::RoamingSettlement settlement;
};

class Acker;
class CommitQueue;
class Committer;
class Receiver;

class CensusServer {
 public:
  // store: the spec open_store() opens (the census opens its own connections); vault opens
  // the login sessions' sealed tag keys.
  CensusServer(std::string store, const CredentialVault& vault, CensusSettings settings);
  ~CensusServer();
  CensusServer(const CensusServer&) = delete;
  CensusServer& operator=(const CensusServer&) = delete;

  // Opens the committer's store connection, binds every socket and starts the threads;
  // throws StoreError naming the store, or std::runtime_error naming the address.
  void start();
  // Stops receiving, commits and acknowledges what was verified, then returns.
  void stop();
  uint16_t port() const { return port_; }
  LoginRegistry& registry() { return *registry_; }
  const CensusStats& stats() const { return stats_; }
  // Billing's counts of what the commits could not price; null when rating is off.
  const billing::CatalogRater* rater() const { return rater_.get(); }
  uint64_t refused(size_t reason) const { return stats_.refused[reason].load(); }

 private:
  std::string store_spec_;
  CensusSettings settings_;
  CensusStats stats_;
  std::unique_ptr<LoginRegistry> registry_;
  uint16_t port_ = 0;
  // The steps' parts, from the end of the line to its start: start() starts them in this
  // order, so nothing is received that cannot be committed and acknowledged, and stop() ends
  // them in reverse, so what was verified is committed and acknowledged before the end.
  std::unique_ptr<Store> committer_store_;
  // Billing's part of the commit (settings.rating): the catalog in memory and its rater.
  std::unique_ptr<billing::CatalogCache> catalog_;
  std::unique_ptr<billing::CatalogRater> rater_;
  std::unique_ptr<CommitQueue> queue_;
  std::unique_ptr<Acker> acker_;
  std::unique_ptr<Committer> committer_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
};

}  // namespace gm::host
