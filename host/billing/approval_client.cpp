#include "host/billing/approval_client.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

#include "host/store/json_text.h"

namespace gm::billing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;

namespace {

struct Url {
  std::string host, port, target;
};

bool parse_url(const std::string& url, Url& out) {
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

}  // namespace

std::string inquiry_json(const ApprovalInquiry& q) {
  std::string out = "{";
  const std::pair<const char*, const std::string*> fields[] = {{"session", &q.session},
                                                               {"agent", &q.agent},
                                                               {"subscriber", &q.subscriber},
                                                               {"option", &q.option},
                                                               {"account", &q.account}};
  for (const auto& [name, value] : fields) {
    if (out.size() > 1) out += ',';
    out += host::json_string(name) + ":" + host::json_string(*value);
  }
  return out + "}";
}

std::string json_string_field(std::string_view body, std::string_view name) {
  // A flat object is all an approval system is asked to send: find "name", then : and a
  // string, reading its escapes (\uXXXX kept as is: reasons are for people).
  const std::string quoted = "\"" + std::string(name) + "\"";
  for (size_t at = body.find(quoted); at != std::string_view::npos;
       at = body.find(quoted, at + 1)) {
    size_t i = at + quoted.size();
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
      ++i;
    if (i >= body.size() || body[i] != ':') continue;  // a value that happens to read "name"
    ++i;
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
      ++i;
    if (i >= body.size() || body[i] != '"') return "";
    std::string value;
    for (++i; i < body.size() && body[i] != '"'; ++i) {
      if (body[i] == '\\' && i + 1 < body.size()) ++i;
      value += body[i];
    }
    return i < body.size() ? value : "";
  }
  return "";
}

ApprovalReply parse_approval_reply(std::string_view body) {
  const std::string decision = json_string_field(body, "decision");
  if (decision == "approve") return {ApprovalReply::Kind::approve, ""};
  if (decision == "reject") return {ApprovalReply::Kind::reject, json_string_field(body, "reason")};
  return {ApprovalReply::Kind::no_answer, "the reply says neither approve nor reject"};
}

ApprovalReply post_inquiry(const std::string& url, const std::string& body,
                           std::chrono::milliseconds timeout) {
  Url u;
  if (!parse_url(url, u)) return {ApprovalReply::Kind::no_answer, "not an http:// URL: " + url};
  ApprovalReply out{ApprovalReply::Kind::no_answer, "no reply"};
  asio::io_context io{1};
  // One inquiry, top to bottom; every step under the stream's deadline.
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
      if (response.result() != http::status::ok)
        out.reason = "HTTP status " + std::to_string(response.result_int());
      else
        out = parse_approval_reply(response.body());
      beast::error_code ignored;
      stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    } catch (const std::exception& e) {
      out = {ApprovalReply::Kind::no_answer, e.what()};
    }
  };
  asio::co_spawn(io, ask(), asio::detached);
  // The resolver has no deadline of its own: bound the whole inquiry too.
  io.run_for(timeout * 4);
  return out;
}

}  // namespace gm::billing
