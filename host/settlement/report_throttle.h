// Failed logins of the settlement-reports service, counted so that guessing a provider's
// password is slow (SETTLEMENT.md "Access"). A plain class: time is passed in (steady seconds).
//
// The rule: 5 failed logins of one key within 60 s lock that key for 60 s from the fifth.
// The server keeps two throttles, one keyed by the provider the credentials name (only
// providers that exist: an unknown one has no password to guess) and one by the client's
// address; a login is refused (429) while either of its keys is locked, before its password is
// checked, so a locked guesser learns nothing and costs no hash. Failures are forgotten as
// their window passes; a success resets nothing (a guesser who also holds one password must
// not clear its count with it).
//
// Why both keys: the address alone lets a guesser with many addresses try one provider
// without end; the provider alone lets one address try every provider in turn. The cost: a
// stranger can lock a provider out for a minute at a time by failing on purpose; the provider
// then waits (Retry-After), its reports are not at risk.
//
// Memory is bounded: at most max_keys keys; a new key past that first drops the expired ones,
// then the one longest quiet (a locked key is not dropped while others are quieter).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace gm::settlement {

class ReportThrottle {
 public:
  static constexpr int failures_allowed = 5;
  static constexpr int64_t window_s = 60;
  static constexpr int64_t lockout_s = 60;
  static constexpr size_t max_keys = 4096;

  // Seconds until `key` may log in again (0: now).
  int64_t wait_s(const std::string& key, int64_t now) const;
  // One failed login of `key`; true when it locks the key.
  bool failed(const std::string& key, int64_t now);
  size_t keys() const { return keys_.size(); }

 private:
  struct Failures {
    // The latest failures' times, oldest first (INT64_MIN: none), since the last lockout.
    std::array<int64_t, failures_allowed> times;
    int64_t locked_until = 0;
    int64_t latest() const { return times.back(); }
  };
  void make_room(int64_t now);

  std::unordered_map<std::string, Failures> keys_;
};

}  // namespace gm::settlement
