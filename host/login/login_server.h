// The login service: TLS over TCP, speaking exactly the agent's side in
// firmware/core/login_exchange.cpp (each message a 2-byte big-endian length and a nanopb
// message):
//
//   server -> LoginChallenge {server_nonce}
//   agent  -> LoginRequest   {agent_id, client_nonce, proof, components, boot_count}
//   server -> LoginResponse  {status, login session, session key, interval, track_usage,
//                             census list, component updates, server time, server_proof}
//
// On success the store gets, in one transaction, the new login session with the *tag key*
// (derive_tag_key of the session key: the census never holds the key itself) sealed under the
// vault, and the agent's earlier login sessions are closed, with their open subscriber sessions
// unless the agent says it is continuing without a reboot (login_ledger.h). The census learns
// of the login through the store, so it may be another process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "host/login/tls_identity.h"
#include "host/settlement/raw_from_roaming.h"
#include "host/store/credential_vault.h"

namespace gm::host {

struct ComponentOffer {
  std::string name;
  uint32_t version = 0;
  std::string location;
};

struct LoginSettings {
  std::string listen_ip = "127.0.0.1";
  uint16_t port = 7000;  // 0: any free port (tests)
  uint32_t metering_interval_s = 60;
  bool track_usage = true;
  std::vector<std::string> census;  // "a.b.c.d:port", in order of preference; the first
                                    // wire::max_census are sent
  std::vector<ComponentOffer> updates;
  uint32_t timeout_s = 10;          // a whole login, handshake included
  uint32_t login_lifetime_s = 86400;  // a login session ends this long after it was granted
  uint32_t max_connections = 256;   // beyond this, new connections are closed at once
  // The census's census_settlement*: a restart's login ends the agent's roaming sessions too.
  settlement::RoamingSettlement settlement;
  // Billing servers ("a.b.c.d:port"), primary first (LoginResponse.billing); none: the gateway
  // decides alone. Defaults to the billing service of this process when it runs.
  std::vector<std::string> billing;
  // The gateways' realm (LoginResponse.realm), whose offers and outage policy each login carries
  // (with the offers of scope gateway:<agent_id>, which win over the realm's for their option).
  std::string default_realm;
};

struct LoginStats {
  std::atomic<uint64_t> ok{0}, bad_credential{0}, unknown_agent{0}, disabled{0}, malformed{0},
      failed{0};  // TLS or I/O failures, timeouts
};

class LoginServer {
 public:
  // store: the spec open_store() opens (the service keeps one connection, on its thread).
  LoginServer(std::string store, CredentialVault vault, TlsIdentity tls, LoginSettings settings);
  ~LoginServer();
  LoginServer(const LoginServer&) = delete;
  LoginServer& operator=(const LoginServer&) = delete;

  // Binds and starts serving on its own thread; throws std::runtime_error naming the address.
  void start();
  void stop();
  uint16_t port() const { return bound_port_; }
  const LoginStats& stats() const { return stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LoginStats stats_;
  uint16_t bound_port_ = 0;
};

}  // namespace gm::host
