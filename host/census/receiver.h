// Step 1 of the census, and the call to step 2: one UDP socket and the io thread that reads
// it, up to 64 datagrams per recvmmsg, verifies each (datagram_verifier.h) and hands what
// passed to the commit queue. Every receiver binds the same port with SO_REUSEPORT, so the
// kernel spreads the agents over the census's threads by address.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "host/census/census_stats.h"
#include "host/census/commit_queue.h"
#include "host/census/datagram_verifier.h"
#include "shared/frame/frame_format.h"

namespace gm::host {

class Receiver {
 public:
  // Opens and binds the socket (at.sin_port 0: a port the kernel picks, see port()). Throws
  // std::runtime_error naming the address.
  Receiver(const sockaddr_in& at, int receive_buffer_bytes, LoginLookup find_login,
           CommitQueue& queue, CensusStats& stats);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  uint16_t port() const { return port_; }

  void start();
  // Stops reading and joins the thread; a batch the full queue did not take is dropped (its
  // senders resend). The socket stays open until the receiver is destroyed: the acker may
  // still send the acks of what it took.
  void stop();

 private:
  static constexpr unsigned batch_datagrams = 64;  // per recvmmsg call
  static constexpr unsigned drain_rounds = 8;      // recvmmsg calls before a hand-over

  boost::asio::awaitable<void> receive();

  LoginLookup find_login_;
  CommitQueue& queue_;
  CensusStats& stats_;
  boost::asio::io_context io_{1};
  boost::asio::ip::udp::socket socket_{io_};
  uint16_t port_ = 0;
  // Waited on while the queue is full; cancelled, on this io thread, by wake_.
  boost::asio::steady_timer space_{io_};
  std::function<void()> wake_;
  std::thread thread_;
  // Fixed receive buffers: one frame each, plus a byte to see that a datagram was larger.
  std::vector<std::array<uint8_t, frame::max_frame_size + 1>> buffers_{batch_datagrams};
  std::array<mmsghdr, batch_datagrams> headers_{};
  std::array<iovec, batch_datagrams> iov_{};
  std::array<sockaddr_in, batch_datagrams> from_{};
  VerifiedBatch staged_;  // verified, not yet in the queue
};

}  // namespace gm::host
