// Who is logged in to the web console (WEB.md "Accounts and roles"): a table of sessions kept in
// the server's memory, keyed by a random token the browser holds in a cookie. A plain class:
// time is passed in (steady seconds), and the console's one worker thread owns it, so it needs
// no lock.
//
// Each session carries its own CSRF token, which the page reads once (GET /api/me) and sends
// back in a header with every state-changing request: a page of another site can make the
// browser send the cookie, but cannot read the token (same-origin policy), so it cannot forge
// the header. SameSite=Strict on the cookie is the second line, not the only one.
//
// Sessions end after idle_s without a request, or lifetime_s after the login whatever happens,
// or at logout. A restart of the server logs everyone out; nothing of a session is stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gm::web {

enum class Role { operator_role, provider, subscriber };
const char* role_name(Role r);  // "operator", "provider", "subscriber"
bool parse_role(std::string_view text, Role& out);

struct Principal {
  Role role = Role::subscriber;
  std::string name;  // the operator's, the provider's id, the subscriber's user@realm
};

struct ConsoleSession {
  std::string token;  // the cookie's value: 32 random bytes as hex
  std::string csrf;   // what X-CSRF-Token must say: 16 random bytes as hex
  Principal who;
  int64_t created = 0, last_seen = 0;
};

class ConsoleSessions {
 public:
  static constexpr int64_t idle_s = 30 * 60;
  static constexpr int64_t lifetime_s = 12 * 3600;
  // Past this, a new login first drops the expired sessions, then the one longest idle.
  static constexpr size_t max_sessions = 20000;

  const ConsoleSession& open(Principal who, int64_t now);
  // The live session of a token, its last_seen moved to now; nullptr for an unknown or expired
  // one (an expired one is forgotten here).
  const ConsoleSession* find(std::string_view token, int64_t now);
  void close(std::string_view token);
  size_t size() const { return sessions_.size(); }

 private:
  bool expired(const ConsoleSession& s, int64_t now) const;
  void make_room(int64_t now);

  std::unordered_map<std::string, ConsoleSession> sessions_;
};

// Whether two tokens are equal, in time that does not depend on where they differ.
bool same_token(std::string_view a, std::string_view b);

}  // namespace gm::web
