#include "host/census/login_registry.h"

#include <cstdio>

namespace gm::host {

LoginRegistry::LoginRegistry(const std::string& store_path, std::chrono::milliseconds min_refresh)
    : store_(open_sqlite_store(store_path)), min_refresh_(min_refresh) {
  refresh();
}

std::shared_ptr<LoginEntry> LoginRegistry::find(uint64_t id) {
  {
    std::shared_lock lock(map_mutex_);
    if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  }
  {
    std::lock_guard lock(store_mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refresh_ < min_refresh_) return nullptr;
    refresh_locked();
  }
  std::shared_lock lock(map_mutex_);
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void LoginRegistry::refresh() {
  std::lock_guard lock(store_mutex_);
  refresh_locked();
}

void LoginRegistry::refresh_locked() {
  last_refresh_ = std::chrono::steady_clock::now();
  std::vector<LoginSession> fresh;
  try {
    fresh = store_->open_login_sessions_after(serial_);
  } catch (const StoreError& e) {
    // Datagrams under the new login are refused as unknown_session until the store answers;
    // the agent resends, so nothing is lost.
    std::fprintf(stderr, "census: cannot read login sessions: %s\n", e.what());
    return;
  }
  std::unique_lock lock(map_mutex_);
  for (const LoginSession& l : fresh) {
    serial_ = l.serial;
    if (auto old = by_agent_.find(l.agent); old != by_agent_.end()) by_id_.erase(old->second);
    auto e = std::make_shared<LoginEntry>();
    e->id = l.id;
    e->agent = l.agent;
    e->agent_id = l.agent_id;
    e->key = l.tag_key;
    by_id_[l.id] = e;
    by_agent_[l.agent] = l.id;
  }
}

size_t LoginRegistry::size() const {
  std::shared_lock lock(map_mutex_);
  return by_id_.size();
}

}  // namespace gm::host
