// The RADIUS accounting server (RFC 2866 over UDP): Start, Interim-Update and Stop from any NAS
// into the usage ledger beside the gateways' sessions, rated by billing in the same commit.
//
//   1. receive — one socket, one io thread (a coroutine)
//   2. verify  — parse (radius_packet.h), the client's secret by its address, the Request
//                Authenticator, what the request says (accounting_record.h); each refusal
//                counted by name and never answered (RFC 2866 section 4.1)
//   3. dedupe  — a request seen before (same client address and port, Identifier and Request
//                Authenticator: RFC 5080 section 2.2.2) is answered from the cache if its
//                commit is done, and dropped if it is on its way; the ledger's newest-wins
//                rule (radius_usage.h) makes any later repeat harmless too
//   4. commit  — one thread takes whatever waits: names each NAS and session in the store
//                (radius_ledger.h: (NAS, Acct-Session-Id, start), so an id a rebooted NAS
//                reuses names a new session), then commits the batch's records in one
//                transaction (group commit), rated and debited as the census's
//   5. answer  — the Accounting-Responses, only after that commit returned: durable first
//
// Accounting-On and Accounting-Off end every open session of that NAS (cause agent_restart),
// at its last reported totals, before they are answered.
//
// With `forward` set it is a routing server instead (store and forward): step 4 appends each
// request, as received, to its store's queue in one transaction and step 5 answers once that is
// durable; radius_forwarder.h sends the queue on to the central server at `forward`.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "host/radius/accounting_record.h"
#include "host/radius/access_proxy.h"
#include "host/radius/radius_forwarder.h"
#include "host/radius/radius_clients.h"
#include "host/radius/radius_packet.h"
#include "host/radius/radius_usage.h"

namespace gm::host {

struct RadiusSettings {
  std::string listen_ip = "127.0.0.1";
  uint16_t port = 1813;  // 0: any free port (tests)
  std::string clients_file;  // radius_clients.h
  radius::RadiusClients clients;  // read from clients_file at start, or given (tests)
  // How far apart two starts of one (NAS, Acct-Session-Id) may lie and still be one session:
  // a start is the event's second less the session's seconds, each rounded by the NAS.
  int64_t start_tolerance_s = 5;
  size_t max_queued = 65536;  // verified requests waiting for the committer
  bool rating = true;         // price linked sessions and debit accounts, as the census does
  // A routing server's central server (its secret is the clients file's line for its address);
  // empty: this server is the ledger.
  std::string forward_ip;
  uint16_t forward_port = 0;
  // The central settlement server: each committed request also kept as a raw settlement record
  // (host/settlement/SETTLEMENT.md), its stop's local time in this tzdata zone.
  bool settlement = false;
  std::string settlement_time_zone = "UTC";
  // Reject the Access-Requests of realms whose provider the settlement operator refuses
  // service (refused_realms.h), read from this store every refusal_refresh_s.
  bool settlement_refusals = false;
  uint32_t refusal_refresh_s = 10;
  // Roaming authentication (access_proxy.h), on when a realms file is named or local realms
  // are decided here.
  AccessProxySettings access;
  LocalAccessSettings local;  // billing's own realms (local_access.h)
  // A routing server to ask about realms neither the realms file nor billing knows (its
  // secret: the clients file's line for its address); empty: none.
  std::string route_via_ip;
  uint16_t route_via_port = 0;
};

struct RadiusStats {
  std::atomic<uint64_t> requests{0}, answered{0}, duplicates_answered{0}, duplicates_dropped{0},
      records_committed{0}, commits{0}, nas_reboots{0}, sessions_ended{0}, overloaded{0},
      store_failed{0};
  std::array<std::atomic<uint64_t>, radius::refusal_count> refused{};  // radius_packet.h
  std::array<std::atomic<uint64_t>, radius::accounting_refusal_count> unusable{};
  std::array<std::atomic<uint64_t>, radius::usage_refusal_count> not_stored{};
  std::atomic<uint64_t> queued{0};  // routing server: requests queued for the central server
  std::atomic<uint64_t> settlement_records{0};  // raw settlement records kept
  ForwardStats forward;
};

class RadiusServer {
 public:
  RadiusServer(std::string store, RadiusSettings settings);
  ~RadiusServer();
  RadiusServer(const RadiusServer&) = delete;
  RadiusServer& operator=(const RadiusServer&) = delete;

  // Throws std::runtime_error naming the setting at fault (address, clients file, store).
  void start();
  // Stops receiving, commits and answers what was taken.
  void stop();
  uint16_t port() const { return port_; }
  uint16_t auth_port() const { return access_ ? access_->port() : 0; }
  const AccessProxy* access() const { return access_.get(); }
  const LocalAccess* local() const { return local_.get(); }
  const RadiusStats& stats() const { return stats_; }
  const RadiusSettings& settings() const { return settings_; }

 private:
  struct Impl;
  std::string store_;
  RadiusSettings settings_;
  RadiusStats stats_;
  uint16_t port_ = 0;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<RadiusForwarder> forwarder_;
  std::unique_ptr<LocalAccess> local_;
  std::unique_ptr<RefusedRealms> refused_;
  std::unique_ptr<AccessProxy> access_;
};

}  // namespace gm::host
