#include "host/billing/feed_lease.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace gm::billing {

LeaseDecision decide_lease(const host::FeedLease& stored, const std::string& me, int64_t now,
                           int64_t lease_s, bool holder_gone) {
  const host::FeedLease mine{me, now + lease_s};
  if (stored.holder == me)
    return stored.expires_unix - now > lease_s / 2 ? LeaseDecision{LeaseStep::keep, stored}
                                                   : LeaseDecision{LeaseStep::renew, mine};
  if (stored.holder.empty() || stored.expires_unix <= now || holder_gone)
    return {LeaseStep::take, mine};
  return {LeaseStep::wait, stored};
}

namespace {
std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}
}  // namespace

std::string this_node() {
  return host_name() + ":" + std::to_string(::getpid());
}

bool holder_gone_here(const std::string& holder) {
  const auto colon = holder.rfind(':');
  if (colon == std::string::npos || holder.substr(0, colon) != host_name()) return false;
  pid_t pid = 0;
  const char* digits = holder.data() + colon + 1;
  const auto [end, ec] = std::from_chars(digits, holder.data() + holder.size(), pid);
  if (ec != std::errc() || end != holder.data() + holder.size() || pid <= 0) return false;
  // Signal 0 checks the process exists; EPERM means it does (another user's).
  return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace gm::billing
