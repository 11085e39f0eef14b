#include "tests/support/approval_standin.h"

#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "host/metrics/http_endpoint.h"

namespace gm::test {

namespace {

// A feed batch is far larger than an approval inquiry; the stand-in takes either.
constexpr size_t body_limit = 16u << 20;

}  // namespace

struct ApprovalStandin::Impl {
  Options options;
  Receiving receiving;
  std::unique_ptr<host::HttpEndpoint> endpoint;
  mutable std::mutex mutex;
  std::vector<std::string> bodies;

  // One inquiry, top to bottom; on the endpoint's one thread, so a delay holds later ones too
  // (billing asks one at a time, and the feed posts one batch at a time).
  host::HttpReply answer(const host::HttpRequest& request) {
    const std::string body(request.body);
    bool refuse = false;
    {
      std::lock_guard lock(mutex);
      bodies.push_back(body);
      refuse = static_cast<int>(bodies.size()) <= receiving.refuse_first;
    }
    if (options.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options.delay_ms));
    if (!refuse && !receiving.record_path.empty()) {
      // Recorded before the answer leaves: what the sender hears acknowledged is in the file.
      std::lock_guard lock(mutex);
      if (std::FILE* f = std::fopen(receiving.record_path.c_str(), "a")) {
        std::string line = body;
        for (char& c : line)
          if (c == '\n') c = ' ';
        std::fprintf(f, "%s\n", line.c_str());
        std::fclose(f);
      }
    }
    const bool reject =
        !options.reject_pattern.empty() && body.find(options.reject_pattern) != std::string::npos;
    return {refuse ? 503 : 200, "application/json",
            reject ? R"({"decision": "reject", "reason": "refused by the stand-in"})"
                   : R"({"decision":"approve"})"};
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
  impl_->endpoint = std::make_unique<host::HttpEndpoint>(
      "approval stand-in", "127.0.0.1", port,
      [m = impl_.get()](const host::HttpRequest& r) { return m->answer(r); }, body_limit);
  impl_->endpoint->start();
}

void ApprovalStandin::stop() {
  if (impl_->endpoint) impl_->endpoint->stop();
}

uint16_t ApprovalStandin::port() const {
  return impl_->endpoint ? impl_->endpoint->port() : 0;
}

std::string ApprovalStandin::url() const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/approve";
}

std::vector<std::string> ApprovalStandin::bodies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bodies;
}

}  // namespace gm::test
