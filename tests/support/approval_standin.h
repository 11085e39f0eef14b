// A stand-in for a realm's approval system (BILLING.md, "Authorisation and grants", 6), for
// tests and the demo: an HTTP/1.1 server on 127.0.0.1 only that answers every POST with
// {"decision":"approve"}, or {"decision":"reject","reason":...} when the inquiry's body holds
// the reject pattern, after an optional delay. It keeps the bodies it was sent.
//
// The same serves as the network management feed's webhook receiver (feed_webhook.h): any 200
// acknowledges a batch. It can refuse the first N requests (503), and append the body of each
// request it acknowledged to a file, one line each, so a test can read the event ids received.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gm::test {

class ApprovalStandin {
 public:
  struct Options {
    std::string reject_pattern;  // "" rejects nothing
    int delay_ms = 0;            // before each answer
  };
  // As the feed's webhook receiver.
  struct Receiving {
    int refuse_first = 0;     // answer the first N requests 503 Service Unavailable
    std::string record_path;  // "" none: else each acknowledged body appended as a line
  };
  explicit ApprovalStandin(Options options);
  ApprovalStandin(Options options, Receiving receiving);
  ~ApprovalStandin();
  ApprovalStandin(const ApprovalStandin&) = delete;
  ApprovalStandin& operator=(const ApprovalStandin&) = delete;

  // Binds 127.0.0.1:port (0: any free port) and serves on a thread of its own. Throws
  // std::runtime_error if it cannot bind.
  void start(uint16_t port = 0);
  void stop();
  uint16_t port() const;
  std::string url() const;                  // http://127.0.0.1:<port>/approve
  std::vector<std::string> bodies() const;  // every inquiry's body, in order

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::test
