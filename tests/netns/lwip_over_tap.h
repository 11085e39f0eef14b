// The sim-linux board's network (SimLinuxNet: lwIP on the TAP as 192.0.2.2) up inside the
// test's namespace, a way to open kernel sockets at 192.0.2.1 there, and the board's loop turned
// a bounded number of times.
#pragma once

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "boards/sim-linux/netns_scope.h"
#include "boards/sim-linux/sim_linux_net.h"
#include "tests/netns/netns_fixture.h"

namespace gm::test {

struct Received {
  std::vector<std::string> datagrams;
  static void on(void* self, const uint8_t* d, size_t n) {
    static_cast<Received*>(self)->datagrams.emplace_back(reinterpret_cast<const char*>(d), n);
  }
};

// A socket of the namespace's kernel at 192.0.2.1:port (opened inside the namespace, used
// from anywhere afterwards).
inline int namespace_socket(const std::string& ns, int type, uint16_t port) {
  board::NetnsScope scope;
  std::string error;
  if (!scope.enter(ns, error)) return -1;
  const int fd = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      (type == SOCK_STREAM && ::listen(fd, 4) != 0)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class LwipOverTap : public NetnsTest {
 protected:
  void SetUp() override {
    NetnsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    board::SimLinuxNetConfig c;
    c.tap = tap;
    c.netns = ns;
    c.seed = static_cast<uint32_t>(::getpid());
    std::string error;
    ASSERT_TRUE(net.up(c, error)) << error;
  }

  // Turns the board's loop until `done`, at most `turns` times.
  bool run_until(const std::function<bool()>& done, int turns = 500) {
    for (int i = 0; i < turns; ++i) {
      if (done()) return true;
      net.poll(10);
    }
    return done();
  }

  Received rx;
  board::SimLinuxNet net{&Received::on, &rx};
};

}  // namespace gm::test
