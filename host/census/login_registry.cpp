#include "host/census/login_registry.h"

#include <cstdio>
#include <ctime>
#include <vector>

namespace gm::host {

LoginRegistry::LoginRegistry(const std::string& store, const CredentialVault& vault,
                             LoginRegistrySettings settings)
    : vault_(vault), settings_(settings), store_(open_store(store)) {
  last_poll_unix_ = now_unix();
  const auto open = store_->open_logins(last_poll_unix_);
  std::unique_lock lock(map_mutex_);
  for (const LoginSession& l : open) admit(l);
}

int64_t LoginRegistry::now_unix() { return static_cast<int64_t>(std::time(nullptr)); }

std::shared_ptr<LoginEntry> LoginRegistry::admit(const LoginSession& l) {
  const auto key = vault_.open_tag_key(l.sealed_tag_key, l.id);
  if (!key) {
    // Sealed under another vault key, or not by us: nothing tagged under it can be checked.
    std::fprintf(stderr, "census: login session %016llx of %s: tag key does not open\n",
                 static_cast<unsigned long long>(l.id), l.agent_id.c_str());
    return nullptr;
  }
  if (auto old = by_agent_.find(l.agent); old != by_agent_.end() && old->second != l.id) {
    // Two logins of one agent: keep the later (logins of an agent start in order).
    auto held = by_id_.find(old->second);
    if (held != by_id_.end() && held->second->expires_unix > l.expires_unix) return nullptr;
    by_id_.erase(old->second);
  }
  auto e = std::make_shared<LoginEntry>();
  e->id = l.id;
  e->agent = l.agent;
  e->agent_id = l.agent_id;
  e->key = *key;
  e->expires_unix = l.expires_unix;
  by_id_[l.id] = e;
  by_agent_[l.agent] = l.id;
  return e;
}

std::shared_ptr<LoginEntry> LoginRegistry::find(uint64_t id) {
  const int64_t now = now_unix();
  {
    std::shared_lock lock(map_mutex_);
    if (auto it = by_id_.find(id); it != by_id_.end() && it->second->expires_unix > now)
      return it->second;
  }
  std::optional<LoginSession> found;
  {
    std::lock_guard lock(store_mutex_);
    const auto t = std::chrono::steady_clock::now();
    if (t - lookup_second_ >= std::chrono::seconds(1)) {
      lookup_second_ = t;
      lookups_this_second_ = 0;
    }
    if (lookups_this_second_ >= settings_.max_lookups_per_s) return nullptr;
    ++lookups_this_second_;
    try {
      found = store_->find_open_login(id, now);
    } catch (const StoreError& e) {
      // Refused as unknown_session until the store answers; the agent resends.
      std::fprintf(stderr, "census: cannot look up login session: %s\n", e.what());
      return nullptr;
    }
  }
  if (!found) return nullptr;
  std::unique_lock lock(map_mutex_);
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;  // another thread won
  return admit(*found);
}

void LoginRegistry::poll() {
  const int64_t now = now_unix();
  std::vector<uint64_t> closed;
  {
    std::lock_guard lock(store_mutex_);
    try {
      closed = store_->logins_closed_since(last_poll_unix_ - settings_.clock_margin_s);
    } catch (const StoreError& e) {
      std::fprintf(stderr, "census: cannot read closed login sessions: %s\n", e.what());
      return;
    }
    last_poll_unix_ = now;
  }
  std::unique_lock lock(map_mutex_);
  auto forget = [&](uint64_t id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    if (auto a = by_agent_.find(it->second->agent); a != by_agent_.end() && a->second == id)
      by_agent_.erase(a);
    by_id_.erase(it);
  };
  for (uint64_t id : closed) forget(id);
  std::vector<uint64_t> expired;
  for (const auto& [id, e] : by_id_)
    if (e->expires_unix <= now) expired.push_back(id);
  for (uint64_t id : expired) forget(id);
}

size_t LoginRegistry::size() const {
  std::shared_lock lock(map_mutex_);
  return by_id_.size();
}

}  // namespace gm::host
