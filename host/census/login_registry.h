// The census's view of open login sessions: for each, the agent, the tag key (a one-way hash
// of the session key, written to the store by the login service) and the replay window.
//
// It follows the store's login_sessions table by serial, so the login service may be another
// process. Only open sessions are held, one per agent: when an agent logs in again its earlier
// session leaves the registry, and frames still tagged under it are refused as
// unknown_session. Memory is bounded by the number of agents, whatever arrives on the wire.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "host/store/usage_store.h"
#include "shared/frame/replay_window.h"

namespace gm::host {

struct LoginEntry {
  uint64_t id = 0;
  int64_t agent = 0;
  std::string agent_id;
  frame::TagKey key{};
  // The window is per login session and may be touched by any receive thread (SO_REUSEPORT
  // spreads by address, and an agent's address may change).
  std::mutex window_mutex;
  frame::ReplayWindow window;
};

class LoginRegistry {
 public:
  // Opens its own store connection (reads only), so lookups never wait for a commit.
  explicit LoginRegistry(const std::string& store_path,
                         std::chrono::milliseconds min_refresh = std::chrono::milliseconds(20));

  // The open login session with this id. On a miss it re-reads the store, but not more often
  // than min_refresh, so a flood of made-up ids costs at most one small query per interval.
  std::shared_ptr<LoginEntry> find(uint64_t id);
  // Reads logins newer than the last one seen; the in-process login service calls this after
  // each login.
  void refresh();
  size_t size() const;

 private:
  void refresh_locked();

  mutable std::shared_mutex map_mutex_;
  std::unordered_map<uint64_t, std::shared_ptr<LoginEntry>> by_id_;
  std::unordered_map<int64_t, uint64_t> by_agent_;

  std::mutex store_mutex_;
  std::unique_ptr<UsageStore> store_;
  int64_t serial_ = 0;
  std::chrono::milliseconds min_refresh_;
  std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace gm::host
