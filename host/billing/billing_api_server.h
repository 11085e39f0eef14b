// The service manager's JSON API (session_api.h) over HTTP (http_endpoint.h), served by the
// billing service on billing_api_listen. The endpoint's one io thread has its own store
// connection: each request is one store read (a page of at most 1,000 sessions), answered in
// turn. No authentication: it listens on 127.0.0.1 unless the operator says otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "host/metrics/http_endpoint.h"
#include "host/store/store.h"

namespace gm::billing {

class BillingApiServer {
 public:
  BillingApiServer(std::string store, std::string listen_ip, uint16_t port);

  // Binds (port 0: any free one) and serves; throws std::runtime_error naming
  // billing_api_listen and the address.
  void start() { endpoint_.start(); }
  void stop() { endpoint_.stop(); }
  uint16_t port() const { return endpoint_.port(); }

 private:
  host::HttpReply answer(std::string_view method, std::string_view target);

  std::string store_spec_;
  std::unique_ptr<host::Store> store_;  // the endpoint's thread's alone
  host::HttpEndpoint endpoint_;
};

}  // namespace gm::billing
