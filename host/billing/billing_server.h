// The billing server: answers the agents' AuthRequest and OfferRequest frames over UDP, and
// follows up on what it decided. For each frame,
//
//   1. receive — one UDP socket, one io thread (a coroutine: receive())
//   2. verify  — peek the header, find the login session (LoginRegistry, this server's own, so
//                its own replay window), check the tag and the window, decode as the kind it
//                says (auth_request or offer_request); refused frames get no answer and are
//                counted by reason
//   3. decide  — on a decision thread of a small pool, never the io thread: one store
//                transaction per AuthRequest (SessionAuthoriser: the account row locked, the
//                stored answer, the other live sessions, authorise(), the write and the link);
//                the catalog alone for an OfferRequest
//   4. answer  — the AuthResponse (the stored one, byte for byte, for a request answered
//                before) or the OfferResponse, sealed under the login's key with the request
//                frame's own sequence number, as the census's acks are, so the agent's replay
//                window takes acks and billing answers alike; sent by the io thread. An answer
//                leaves only after its transaction committed: what the agent is told is durable.
//
// Beside them a follow-up thread, every follow_up_ms: remote approvals (approval_client.h) for
// temporary approvals still asking, retried with backoff until their temporary period ends,
// each answer recorded and told to the agent through the command mailbox (COMMAND_GRANT or
// COMMAND_END_SESSION); authorisations of sessions the usage ledger holds as ended are ended;
// and live prepaid sessions holding a final grant whose account can fund more (a top-up) are
// sent a new grant (COMMAND_GRANT); once per metering interval, the sweep (stale_sweep.h):
// open sessions nobody reports while their gateway is heard are closed at their last reported
// totals (STOP_SESSION_TIMEOUT), those of gateways no longer heard as lost carrier, each with
// its feed row and COMMAND_END_SESSION; and live prepaid sessions whose account fell to its
// low-balance threshold are warned (COMMAND_LOW_BALANCE), once per crossing. Everything it
// does is in the store, so a restarted server resumes it. And the network management feed's
// delivery (feed_delivery.h), on threads of its own, when feed_file or feed_webhook is set;
// and the service manager's JSON API (billing_api_server.h) on billing_api_listen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/billing/billing_stats.h"
#include "host/billing/feed_delivery.h"
#include "host/settlement/raw_from_roaming.h"
#include "host/store/credential_vault.h"

namespace gm::host {

struct BillingSettings {
  std::string listen_ip = "127.0.0.1";
  uint16_t port = 7200;                // 0: any free port (tests)
  std::vector<std::string> advertise;  // billing_advertise: what agents are told; default listen
  uint32_t grant_intervals = 3;        // a grant is worth this many metering intervals
  uint32_t grant_validity_s = 3600;    // the longest a grant lasts unused
  // The census's census_settlement*: the sweep ends stale roaming sessions too.
  settlement::RoamingSettlement settlement;
  uint64_t interval_octets = 100'000'000;  // what an interval carries at an octet rate
  uint32_t approval_timeout_s = 5;         // one HTTP attempt at a realm's approval endpoint
  uint32_t metering_interval_s = 60;       // the login service's (metering_interval_s)
  // Each with its own store connection; 0: by the store, 1 on SQLite (one writer at a time: a
  // second would only wait for the lock, in SQLite's sleeping busy handler), 2 on PostgreSQL.
  unsigned decision_threads = 0;
  size_t max_queued_requests = 4096;       // verified, waiting for a decision thread
  uint32_t follow_up_ms = 500;             // remote inquiries, ended sessions, top-ups
  // The sweep (stale_sweep.h): a session with no record for stale_intervals x the interval is
  // closed; 0: no sweep. track_usage: the login service's (off: no session is stale).
  uint32_t stale_intervals = 3;
  bool track_usage = true;
  // Live prepaid sessions are warned at or below this (an account's own low_balance_micros
  // wins when set); 0: only accounts with their own threshold are warned.
  int64_t low_balance_micros = 1'000'000;
  std::string zoneinfo = "/usr/share/zoneinfo";
  // Reject the authorisations of realms whose provider settlement refuses service
  // (refused_realms.h), read from the store every refusal_refresh_s.
  bool settlement_refusals = false;
  uint32_t refusal_refresh_s = 10;
  billing::FeedSettings feed;  // feed_file, feed_webhook, feed_lease_s (feed_delivery.h)
  // billing_api_listen: the service manager's JSON API (billing_api_server.h); port 0 any free
  // one; api_ip "" no API. Filled by the server's configuration (server_config.cpp).
  std::string api_ip;
  uint16_t api_port = 0;
  bool api_listen_given = false;  // set (or "off"): not derived from billing_listen
};

class BillingServer {
 public:
  // store: the spec open_store() opens (the server opens its own connections); vault opens
  // the login sessions' sealed tag keys.
  BillingServer(std::string store, const CredentialVault& vault, BillingSettings settings);
  ~BillingServer();
  BillingServer(const BillingServer&) = delete;
  BillingServer& operator=(const BillingServer&) = delete;

  // Opens the store connections, binds the socket and starts the threads; throws StoreError
  // naming the store, or std::runtime_error naming the address.
  void start();
  // Stops receiving, answers what was taken, then returns.
  void stop();
  uint16_t port() const { return port_; }
  uint16_t api_port() const { return api_port_; }  // the service manager's API; 0 none
  const BillingStats& stats() const { return stats_; }
  size_t logins_held() const;

 private:
  struct Impl;
  std::string store_spec_;
  CredentialVault vault_;
  BillingSettings settings_;
  BillingStats stats_;
  uint16_t port_ = 0, api_port_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::host
