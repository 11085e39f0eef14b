#include "tests/support/approval_standin.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace gm::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using asio::ip::tcp;

struct ApprovalStandin::Impl {
  Options options;
  Receiving receiving;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<std::string> bodies;

  // One inquiry, top to bottom.
  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(10));
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    co_await http::async_read(stream, buffer, request, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    bool refuse = false;
    {
      std::lock_guard lock(mutex);
      bodies.push_back(request.body());
      refuse = static_cast<int>(bodies.size()) <= receiving.refuse_first;
    }
    if (options.delay_ms > 0) {
      asio::steady_timer wait(io, std::chrono::milliseconds(options.delay_ms));
      co_await wait.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (!refuse && !receiving.record_path.empty()) {
      // Recorded before the answer leaves: what the sender hears acknowledged is in the file.
      std::lock_guard lock(mutex);
      if (std::FILE* f = std::fopen(receiving.record_path.c_str(), "a")) {
        std::string line = request.body();
        for (char& c : line)
          if (c == '\n') c = ' ';
        std::fprintf(f, "%s\n", line.c_str());
        std::fclose(f);
      }
    }
    const bool reject = !options.reject_pattern.empty() &&
                        request.body().find(options.reject_pattern) != std::string::npos;
    http::response<http::string_body> response{refuse ? http::status::service_unavailable
                                                      : http::status::ok,
                                               request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = reject ? R"({"decision": "reject", "reason": "refused by the stand-in"})"
                             : R"({"decision":"approve"})";
    response.prepare_payload();
    co_await http::async_write(stream, response, asio::redirect_error(use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (!ec) asio::co_spawn(io, serve(std::move(s)), asio::detached);
    }
  }
};

ApprovalStandin::ApprovalStandin(Options options)
    : ApprovalStandin(std::move(options), Receiving()) {}

ApprovalStandin::ApprovalStandin(Options options, Receiving receiving)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->receiving = std::move(receiving);
}

ApprovalStandin::~ApprovalStandin() {
  stop();
}

void ApprovalStandin::start(uint16_t port) {
  // Loopback only: a stand-in answers approvals for anyone who reaches it.
  const tcp::endpoint at(asio::ip::address_v4::loopback(), port);
  beast::error_code ec;
  impl_->acceptor.open(at.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(at, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("approval stand-in: cannot listen on 127.0.0.1:" +
                             std::to_string(port) + ": " + ec.message());
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

void ApprovalStandin::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t ApprovalStandin::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string ApprovalStandin::url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/approve";
}

std::vector<std::string> ApprovalStandin::bodies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bodies;
}

}  // namespace gm::test
