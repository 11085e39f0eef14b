#include "host/metrics/metrics_server.h"

#include "host/metrics/http_endpoint.h"

namespace gm::host {

struct MetricsServer::Impl {
  HttpEndpoint endpoint;
  Impl(std::string listen_ip, uint16_t port, std::function<std::string()> render)
      : endpoint("metrics_listen", std::move(listen_ip), port,
                 [render = std::move(render)](const HttpRequest& r) {
                   if (r.method != "GET") return HttpReply{405, "text/plain", "only GET\n"};
                   if (r.target != "/metrics") return HttpReply{404, "text/plain", "not found\n"};
                   return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", render()};
                 }) {}
};

MetricsServer::MetricsServer(std::string listen_ip, uint16_t port,
                             std::function<std::string()> render)
    : impl_(std::make_unique<Impl>(std::move(listen_ip), port, std::move(render))) {}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::start() {
  impl_->endpoint.start();
  port_ = impl_->endpoint.port();
}

void MetricsServer::stop() {
  if (impl_) impl_->endpoint.stop();
}

}  // namespace gm::host
