// The census's view of open login sessions: for each, the agent, the tag key (a one-way hash
// of the session key, sealed in the store by the login service) and the replay window.
//
// It learns a login when a datagram names one it does not hold: it looks that id up in the
// store (login_ledger.h says why not by following a serial). Lookups are limited per second,
// so a flood of made-up ids costs a bounded number of small queries, and a real login refused
// meanwhile is only delayed: its agent resends. It forgets a login when the store says it was
// closed (poll(), which the census calls often), when it expires, or when the same agent's
// next login arrives. Memory is bounded by the number of agents, whatever arrives on the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "host/store/credential_vault.h"
#include "host/store/store.h"
#include "shared/frame/replay_window.h"

namespace gm::host {

struct LoginEntry {
  uint64_t id = 0;
  int64_t agent = 0;
  std::string agent_id;
  frame::TagKey key{};
  int64_t expires_unix = 0;
  // The window is per login session and may be touched by any receive thread (SO_REUSEPORT
  // spreads by address, and an agent's address may change).
  std::mutex window_mutex;
  frame::ReplayWindow window;
};

struct LoginRegistrySettings {
  uint32_t max_lookups_per_s = 2000;  // store lookups of unknown ids
  // How far back poll() asks for closed logins: covers the clocks of other hosts writing them.
  uint32_t clock_margin_s = 30;
};

class LoginRegistry {
 public:
  // Opens its own store connection (reads only), so lookups never wait for a commit, and loads
  // the open logins.
  LoginRegistry(const std::string& store, const CredentialVault& vault,
                LoginRegistrySettings settings = {});

  // The open login session with this id, or nullptr.
  std::shared_ptr<LoginEntry> find(uint64_t id);
  // Forgets logins the store closed since the last poll and those past their lifetime.
  void poll();
  size_t size() const;

 private:
  std::shared_ptr<LoginEntry> admit(const LoginSession& l);  // map_mutex_ held exclusively
  static int64_t now_unix();

  CredentialVault vault_;
  LoginRegistrySettings settings_;

  mutable std::shared_mutex map_mutex_;
  std::unordered_map<uint64_t, std::shared_ptr<LoginEntry>> by_id_;
  std::unordered_map<int64_t, uint64_t> by_agent_;

  std::mutex store_mutex_;  // guards store_ and the fields below
  std::unique_ptr<Store> store_;
  int64_t last_poll_unix_ = 0;
  std::chrono::steady_clock::time_point lookup_second_{};
  uint32_t lookups_this_second_ = 0;
};

}  // namespace gm::host
