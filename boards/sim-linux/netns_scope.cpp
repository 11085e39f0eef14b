#include "boards/sim-linux/netns_scope.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gm::board {

bool NetnsScope::enter(const std::string& name, std::string& error) {
  leave();
  const int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    error = std::string("netns: cannot open this thread's namespace: ") + std::strerror(errno);
    return false;
  }
  const std::string path = "/var/run/netns/" + name;
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
    error = "netns: cannot enter " + path + ": " + std::strerror(errno);
    if (target >= 0) ::close(target);
    ::close(home);
    return false;
  }
  ::close(target);
  home_fd_ = home;
  return true;
}

void NetnsScope::leave() {
  if (home_fd_ < 0) return;
  // Failing to return would leave the thread's later sockets in the wrong network: that is
  // not something to carry on from.
  if (::setns(home_fd_, CLONE_NEWNET) != 0) std::abort();
  ::close(home_fd_);
  home_fd_ = -1;
}

}  // namespace gm::board
