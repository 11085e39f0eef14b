#include "host/metrics/metrics_server.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

namespace gm::host {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

struct MetricsServer::Impl {
  std::string listen_ip;
  uint16_t port;
  std::function<std::string()> render;
  asio::io_context io{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;

  // One request, top to bottom, under a deadline that closes the socket.
  awaitable<void> serve(tcp::socket socket) {
    asio::steady_timer deadline(io, std::chrono::seconds(5));
    deadline.async_wait([&socket](boost::system::error_code ec) {
      if (!ec) socket.close();
    });
    boost::system::error_code ec;
    asio::streambuf request(8192);
    co_await asio::async_read_until(socket, request, "\r\n\r\n",
                                    asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    std::string line(asio::buffers_begin(request.data()), asio::buffers_end(request.data()));
    line = line.substr(0, line.find("\r\n"));
    std::string status = "404 Not Found", type = "text/plain", body = "not found\n";
    if (line.rfind("GET /metrics ", 0) == 0 || line == "GET /metrics") {
      status = "200 OK";
      type = "text/plain; version=0.0.4; charset=utf-8";
      body = render();
    } else if (line.rfind("GET ", 0) != 0) {
      status = "405 Method Not Allowed";
      body = "only GET\n";
    }
    const std::string response = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                                 "\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    co_await asio::async_write(socket, asio::buffer(response),
                               asio::redirect_error(use_awaitable, ec));
    socket.shutdown(tcp::socket::shutdown_both, ec);
    deadline.cancel();
  }

  awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket s = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor->is_open()) co_return;
        continue;
      }
      asio::co_spawn(io, serve(std::move(s)), asio::detached);
    }
  }
};

MetricsServer::MetricsServer(std::string listen_ip, uint16_t port,
                             std::function<std::string()> render)
    : impl_(std::make_unique<Impl>()) {
  impl_->listen_ip = std::move(listen_ip);
  impl_->port = port;
  impl_->render = std::move(render);
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start() {
  Impl& m = *impl_;
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(m.listen_ip, ec);
  if (ec) throw std::runtime_error("metrics_listen: '" + m.listen_ip + "' is not an IP address");
  m.acceptor = std::make_unique<tcp::acceptor>(m.io);
  const tcp::endpoint ep(ip, m.port);
  m.acceptor->open(ep.protocol());
  m.acceptor->set_option(tcp::acceptor::reuse_address(true));
  m.acceptor->bind(ep, ec);
  if (ec)
    throw std::runtime_error("metrics_listen: cannot bind " + m.listen_ip + ":" +
                             std::to_string(m.port) + ": " + ec.message());
  m.acceptor->listen();
  port_ = m.acceptor->local_endpoint().port();
  asio::co_spawn(m.io, m.accept(), asio::detached);
  m.thread = std::thread([&m] { m.io.run(); });
}

void MetricsServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  asio::post(impl_->io, [m = impl_.get()] {
    boost::system::error_code ec;
    m->acceptor->close(ec);
  });
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace gm::host
