// The metrics endpoint: plain HTTP, `GET /metrics` answers the Prometheus text of every service
// the server runs (render()), anything else 404; served by an HttpEndpoint (http_endpoint.h):
// one io thread; a request is at most 8 KiB and must arrive within 5 s, so a slow or hostile
// client holds one coroutine briefly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace gm::host {

class MetricsServer {
 public:
  MetricsServer(std::string listen_ip, uint16_t port, std::function<std::string()> render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and serves on its own thread; throws std::runtime_error naming the address.
  void start();
  void stop();
  uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace gm::host
