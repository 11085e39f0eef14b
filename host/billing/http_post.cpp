#include "host/billing/http_post.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gm::billing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;

bool parse_http_url(const std::string& url, HttpUrl& out) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return false;
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  out.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  return !out.host.empty() && !out.port.empty();
}

HttpAnswer post_json(const std::string& url, const std::string& body,
                     std::chrono::milliseconds timeout) {
  HttpUrl u;
  if (!parse_http_url(url, u)) return {0, "", "not an http:// URL: " + url};
  HttpAnswer out{0, "", "no reply"};
  asio::io_context io{1};
  // One request, top to bottom; every step under the stream's deadline.
  auto ask = [&]() -> asio::awaitable<void> {
    try {
      asio::ip::tcp::resolver resolver(io);
      beast::tcp_stream stream(io);
      stream.expires_after(timeout);
      const auto addresses = co_await resolver.async_resolve(u.host, u.port, use_awaitable);
      co_await stream.async_connect(addresses, use_awaitable);
      http::request<http::string_body> request{http::verb::post, u.target, 11};
      request.set(http::field::host, u.host);
      request.set(http::field::content_type, "application/json");
      request.set(http::field::connection, "close");
      request.body() = body;
      request.prepare_payload();
      stream.expires_after(timeout);
      co_await http::async_write(stream, request, use_awaitable);
      beast::flat_buffer buffer;
      http::response<http::string_body> response;
      stream.expires_after(timeout);
      co_await http::async_read(stream, buffer, response, use_awaitable);
      out = {static_cast<int>(response.result_int()), std::move(response.body()), ""};
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    } catch (const std::exception& e) {
      out = {0, "", e.what()};
    }
  };
  asio::co_spawn(io, ask(), asio::detached);
  // The resolver has no deadline of its own: bound the whole request too.
  io.run_for(timeout * 4);
  return out;
}

}  // namespace gm::billing
