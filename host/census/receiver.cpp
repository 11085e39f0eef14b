#include "host/census/receiver.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "host/census/receive_buffer.h"

namespace gm::host {

namespace asio = boost::asio;
using asio::use_awaitable;

Receiver::Receiver(const sockaddr_in& at, int receive_buffer_bytes, LoginLookup find_login,
                   CommitQueue& queue, CensusStats& stats)
    : find_login_(std::move(find_login)), queue_(queue), stats_(stats) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const int one = 1;
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("census: cannot create a UDP socket: " + why);
  }
  widen_receive_buffer(fd, receive_buffer_bytes);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &at.sin_addr, ip, sizeof ip);
    throw std::runtime_error("census_listen: cannot bind " + std::string(ip) + ":" +
                             std::to_string(ntohs(at.sin_port)) + ": " + why);
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.sin_port);
  socket_.assign(asio::ip::udp::v4(), fd);
  wake_ = [this] { asio::post(io_, [this] { space_.cancel(); }); };
}

Receiver::~Receiver() { stop(); }

void Receiver::start() {
  asio::co_spawn(io_, receive(), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

void Receiver::stop() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

asio::awaitable<void> Receiver::receive() {
  const int fd = socket_.native_handle();
  for (;;) {
    co_await socket_.async_wait(asio::ip::udp::socket::wait_read, use_awaitable);
    for (unsigned round = 0; round < drain_rounds; ++round) {
      for (unsigned i = 0; i < batch_datagrams; ++i) {
        iov_[i] = {buffers_[i].data(), buffers_[i].size()};
        headers_[i] = {};
        headers_[i].msg_hdr.msg_iov = &iov_[i];
        headers_[i].msg_hdr.msg_iovlen = 1;
        headers_[i].msg_hdr.msg_name = &from_[i];
        headers_[i].msg_hdr.msg_namelen = sizeof from_[i];
      }
      const int n = ::recvmmsg(fd, headers_.data(), batch_datagrams, MSG_DONTWAIT, nullptr);
      if (n <= 0) break;
      for (int i = 0; i < n; ++i) {
        ++stats_.datagrams;
        const Verification v = verify_datagram({buffers_[i].data(), headers_[i].msg_len},
                                               {fd, from_[i]}, find_login_, staged_);
        if (!v.accepted()) {
          count_refusal(stats_, static_cast<size_t>(v.refusal), from_[i]);
          continue;
        }
        for (uint32_t k = 0; k < v.invalid_records; ++k)
          count_refusal(stats_, static_cast<size_t>(CensusRefusal::invalid_record), from_[i]);
        ++stats_.datagrams_accepted;
      }
      if (static_cast<unsigned>(n) < batch_datagrams) break;
    }
    // Bounded: while the committer is behind, this socket is not read and the kernel's
    // receive buffer holds (or drops) datagrams; agents resend what is not acked. The io
    // thread does not block meanwhile: it waits on a timer that the queue's wake-up cancels.
    while (!staged_.empty() && !queue_.push(staged_, wake_)) {
      space_.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code cancelled;
      co_await space_.async_wait(asio::redirect_error(use_awaitable, cancelled));
    }
  }
}

}  // namespace gm::host
