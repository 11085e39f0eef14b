// A small HTTP/1.1 endpoint (Boost.Beast) for what the servers show over HTTP: the metrics page
// (metrics_server.h) and the billing service's JSON API (billing_api_server.h). One io thread;
// each request is read (at most 8 KiB, within 5 s, so a slow or hostile client holds one
// coroutine briefly; a larger body limit where one is given), handed to the handler on that
// thread, answered and the connection closed. A handler that waits holds every later request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace gm::host {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};
// method ("GET", ...), target ("/sessions?limit=10") and body, as the request says them.
struct HttpRequest {
  std::string_view method, target, body;
};
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

class HttpEndpoint {
 public:
  // setting: what errors name ("metrics_listen").
  static constexpr size_t default_body_limit = 8192;
  HttpEndpoint(std::string setting, std::string listen_ip, uint16_t port, HttpHandler handler,
               size_t body_limit = default_body_limit);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Binds (port 0: any free one) and serves on its own thread; throws std::runtime_error naming
  // the setting and the address.
  void start();
  void stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace gm::host
