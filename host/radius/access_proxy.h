// Roaming authentication (RADIUS.md, "Roaming authentication"): Access-Requests from this
// server's clients, by the realm of their User-Name, proxied to that provider's home servers
// (the realms file: in failover order) and the answer relayed back (access_relay.h); a realm it
// does not list is decided by billing if it is this operator's own (local_access.h), else
// rejected at once ("unknown realm"). One socket toward the NASes, one toward
// the home servers, one thread. A home server silent for response_window is passed over for
// the next of its realm (and for 30 s for every request); with none left the request goes
// unanswered and the NAS's retry starts again. A NAS's retransmission (same address, port,
// Identifier and authenticator) while its request is out is dropped, and once answered gets the
// same answer (RFC 5080 section 2.2.2).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "host/radius/access_relay.h"
#include "host/radius/local_access.h"
#include "host/radius/radius_clients.h"
#include "host/radius/realm_routes.h"
#include "host/settlement/refused_realms.h"

namespace gm::host {

// The realms file: lines `realm address:port secret`, a realm's lines in failover order, mode
// 0600 (it holds secrets). Throws std::runtime_error naming the file and line.
std::map<std::string, std::vector<HomeServer>> load_home_servers(const std::string& path);

struct AccessProxySettings {
  std::string listen_ip = "127.0.0.1";
  uint16_t port = 1812;  // 0: any free port (tests)
  std::string realms_file;
  std::map<std::string, std::vector<HomeServer>> realms;  // read from realms_file, or given
  uint32_t response_window_ms = 3000;
  // Routing mode (realm_routes.h): answer each Access-Request with the home servers of its
  // realm (the realms file) instead of proxying it.
  bool routing = false;
  uint32_t route_keep_s = 300;  // how long an asker may keep a routing answer
  // Ask this routing server about realms neither the realms file nor billing knows (its secret:
  // the clients file's line for its address); 0: none.
  uint32_t route_via_address = 0;
  uint16_t route_via_port = 0;
  std::string route_via_secret;
};

struct AccessProxyStats {
  std::atomic<uint64_t> requests{0}, proxied{0}, accepted{0}, rejected{0}, challenged{0},
      unknown_realm{0}, provider_refused{0}, local{0}, routes_asked{0}, routes_answered{0}, failovers{0}, unanswered{0}, duplicates{0}, unknown_client{0},
      busy{0};
  std::array<std::atomic<uint64_t>, radius::relay_refusal_count> refused{};
};

class AccessProxy {
 public:
  // `local` (may be null) decides the realms the realms file does not list: billing's own.
  // `refused` (may be null): realms whose provider the settlement operator refuses service;
  // their Access-Requests, and routing questions about them, are rejected here.
  AccessProxy(AccessProxySettings settings, const radius::RadiusClients& clients,
              LocalAccess* local = nullptr, const RefusedRealms* refused = nullptr);
  ~AccessProxy();
  void start();  // throws std::runtime_error naming radius_auth_listen
  void stop();
  uint16_t port() const { return port_; }
  const AccessProxyStats& stats() const { return stats_; }
  const AccessProxySettings& settings() const { return settings_; }

 private:
  void run();

  AccessProxySettings settings_;
  const radius::RadiusClients& clients_;
  LocalAccess* local_;
  const RefusedRealms* refused_;
  AccessProxyStats stats_;
  int nas_fd_ = -1, home_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gm::host
