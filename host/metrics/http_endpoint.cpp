#include "host/metrics/http_endpoint.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace gm::host {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using asio::ip::tcp;

struct HttpEndpoint::Impl {
  std::string setting, listen_ip;
  uint16_t port = 0;
  HttpHandler handler;
  size_t body_limit = HttpEndpoint::default_body_limit;
  asio::io_context io{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;

  // One request, top to bottom: read (8 KiB of header, the body limit, 5 s), answer, close.
  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5));
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(body_limit);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const auto& request = parser.get();
    HttpReply reply = handler(
        {std::string_view(request.method_string().data(), request.method_string().size()),
         std::string_view(request.target().data(), request.target().size()), request.body()});
    http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                               request.version()};
    response.set(http::field::content_type, reply.content_type);
    response.set(http::field::connection, "close");
    if (reply.status == 405) response.set(http::field::allow, "GET");
    response.body() = std::move(reply.body);
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::awaitable<void> accept() {
    for (;;) {
      beast::error_code ec;
      tcp::socket s = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor->is_open()) co_return;
        continue;
      }
      asio::co_spawn(io, serve(std::move(s)), asio::detached);
    }
  }
};

HttpEndpoint::HttpEndpoint(std::string setting, std::string listen_ip, uint16_t port,
                           HttpHandler handler, size_t body_limit)
    : impl_(std::make_unique<Impl>()) {
  impl_->body_limit = body_limit;
  impl_->setting = std::move(setting);
  impl_->listen_ip = std::move(listen_ip);
  impl_->port = port;
  impl_->handler = std::move(handler);
}

HttpEndpoint::~HttpEndpoint() {
  stop();
}

void HttpEndpoint::start() {
  Impl& m = *impl_;
  beast::error_code ec;
  const auto ip = asio::ip::make_address(m.listen_ip, ec);
  if (ec) throw std::runtime_error(m.setting + ": '" + m.listen_ip + "' is not an IP address");
  m.acceptor = std::make_unique<tcp::acceptor>(m.io);
  const tcp::endpoint at(ip, m.port);
  m.acceptor->open(at.protocol(), ec);
  if (!ec) m.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) m.acceptor->bind(at, ec);
  if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(m.setting + ": cannot bind " + m.listen_ip + ":" +
                             std::to_string(m.port) + ": " + ec.message());
  port_ = m.acceptor->local_endpoint().port();
  asio::co_spawn(m.io, m.accept(), asio::detached);
  m.thread = std::thread([&m] { m.io.run(); });
}

void HttpEndpoint::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  asio::post(impl_->io, [m = impl_.get()] {
    beast::error_code ec;
    m->acceptor->close(ec);
  });
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace gm::host
