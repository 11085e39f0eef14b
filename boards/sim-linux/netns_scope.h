// Runs a stretch of code inside a named network namespace (`ip netns add NAME`), then returns
// the calling thread to the namespace it came from. A TAP device attached, or a socket opened,
// inside the scope stays in that namespace afterwards: that is how the simulator puts its lwIP
// interface next to the servers while the rest of the process stays where it was.
//
// setns(2) moves only the calling thread, and needs CAP_SYS_ADMIN (root).
#pragma once

#include <string>

namespace gm::board {

class NetnsScope {
 public:
  NetnsScope() = default;
  ~NetnsScope() { leave(); }
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

  // Enters /var/run/netns/NAME. False with `error` set (and nothing changed) on failure.
  bool enter(const std::string& name, std::string& error);
  // Back to where enter() was called from; a no-op if not inside.
  void leave();
  bool inside() const { return home_fd_ >= 0; }

 private:
  int home_fd_ = -1;
};

}  // namespace gm::board
