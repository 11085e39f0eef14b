// A UDP socket served by one io thread (the billing and RADIUS servers): bound with the
// setting's name in any error, and stopped in the order that loses nothing taken: receiving
// ends first, the caller then finishes what it took, and the io thread runs what that posted
// (the answers) before it ends.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "host/census/receive_buffer.h"

namespace gm::host {

// Opens and binds `socket` on ip:port with a receive buffer of `buffer_bytes`; throws
// std::runtime_error naming `setting` ("radius_listen: cannot bind ...").
inline void bind_udp(boost::asio::ip::udp::socket& socket, const std::string& setting,
                     const std::string& ip, uint16_t port, int buffer_bytes) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address_v4(ip, ec);
  if (ec) throw std::runtime_error(setting + ": '" + ip + "' is not an IPv4 address");
  socket.open(boost::asio::ip::udp::v4());
  widen_receive_buffer(socket.native_handle(), buffer_bytes);
  socket.bind({address, port}, ec);
  if (ec)
    throw std::runtime_error(setting + ": cannot bind " + ip + ":" + std::to_string(port) + ": " +
                             ec.message());
}

// Cancels the receive on the io thread; on return nothing more is received.
inline void stop_receiving(boost::asio::io_context& io, boost::asio::ip::udp::socket& socket) {
  std::promise<void> stopped;
  boost::asio::post(io, [&] {
    boost::system::error_code ignored;
    socket.cancel(ignored);
    stopped.set_value();
  });
  stopped.get_future().wait();
}

// Ends the io thread after whatever was posted before this (the last answers) has run.
inline void end_io(boost::asio::io_context& io, std::thread& io_thread) {
  boost::asio::post(io, [&io] { io.stop(); });
  io_thread.join();
}

}  // namespace gm::host
