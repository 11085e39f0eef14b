#include "host/billing/billing_api_server.h"

#include <cstdio>
#include <ctime>

#include "host/billing/session_api.h"

namespace gm::billing {

BillingApiServer::BillingApiServer(std::string store, std::string listen_ip, uint16_t port)
    : store_spec_(std::move(store)),
      endpoint_("billing_api_listen", std::move(listen_ip), port,
                [this](const host::HttpRequest& r) { return answer(r.method, r.target); }) {}

// The store's answer; a failed store is a 503 and a connection opened anew next time.
host::HttpReply BillingApiServer::answer(std::string_view method, std::string_view target) {
  try {
    if (!store_) store_ = host::open_store(store_spec_);
    const ApiAnswer a = answer_api(method, target, store_->active_sessions(),
                                   static_cast<int64_t>(std::time(nullptr)));
    return {a.status, "application/json", a.body + "\n"};
  } catch (const std::exception& e) {
    std::fprintf(stderr, "billing api: %s\n", e.what());
    store_.reset();
    return {503, "application/json", "{\"error\":\"the store failed; try again\"}\n"};
  }
}

}  // namespace gm::billing
