// A RADIUS server stand-in for tests that drive Debian's radclient: a UDP socket on 127.0.0.1
// and a free port, a thread that parses each datagram and hands it to `answer`, which returns
// the reply's octets (empty: no reply). Stops when finished, or by itself after 20 s.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "host/radius/radius_packet.h"

namespace gm::test {

class RadiusResponder {
 public:
  using Answer = std::function<std::vector<uint8_t>(const radius::Packet&)>;
  explicit RadiusResponder(Answer answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~RadiusResponder() {
    finish();
    ::close(fd_);
  }
  // Joins the thread: what `answer` wrote is safe to read afterwards.
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void run() {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!stop_ && std::chrono::steady_clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      uint8_t buf[radius::max_packet_size];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n =
          ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      radius::Packet packet;
      if (n <= 0 || radius::parse(buf, static_cast<size_t>(n), packet) != radius::Refusal::none)
        continue;
      const std::vector<uint8_t> reply = answer_(packet);
      if (!reply.empty())
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  Answer answer_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace gm::test
