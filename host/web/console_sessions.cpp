#include "host/web/console_sessions.h"

#include <openssl/crypto.h>

#include <cstring>

#include "host/store/credential_vault.h"

namespace gm::web {

const char* role_name(Role r) {
  switch (r) {
    case Role::operator_role: return "operator";
    case Role::provider: return "provider";
    case Role::subscriber: return "subscriber";
  }
  return "?";
}

bool parse_role(std::string_view text, Role& out) {
  for (Role r : {Role::operator_role, Role::provider, Role::subscriber})
    if (text == role_name(r)) {
      out = r;
      return true;
    }
  return false;
}

namespace {

std::string random_hex(size_t bytes) {
  uint8_t buf[32];
  host::random_bytes(buf, bytes);
  return host::to_hex(buf, bytes);
}

}  // namespace

bool ConsoleSessions::expired(const ConsoleSession& s, int64_t now) const {
  return now - s.last_seen >= idle_s || now - s.created >= lifetime_s;
}

void ConsoleSessions::make_room(int64_t now) {
  std::erase_if(sessions_, [&](const auto& kv) { return expired(kv.second, now); });
  if (sessions_.size() < max_sessions) return;
  auto quietest = sessions_.begin();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
    if (it->second.last_seen < quietest->second.last_seen) quietest = it;
  sessions_.erase(quietest);
}

const ConsoleSession& ConsoleSessions::open(Principal who, int64_t now) {
  if (sessions_.size() >= max_sessions) make_room(now);
  ConsoleSession s;
  s.token = random_hex(32);
  s.csrf = random_hex(16);
  s.who = std::move(who);
  s.created = s.last_seen = now;
  const std::string key = s.token;
  return sessions_.insert_or_assign(key, std::move(s)).first->second;
}

const ConsoleSession* ConsoleSessions::find(std::string_view token, int64_t now) {
  const auto it = sessions_.find(std::string(token));
  if (it == sessions_.end()) return nullptr;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_seen = now;
  return &it->second;
}

void ConsoleSessions::close(std::string_view token) {
  sessions_.erase(std::string(token));
}

bool same_token(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gm::web
