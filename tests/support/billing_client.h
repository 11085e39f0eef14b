// The agent's side of the billing exchange for integration tests: AuthRequest and OfferRequest
// frames sealed under a TestAgent's login key, answers opened with a replay window of its own,
// as the firmware does. Blocking, with timeouts; 127.0.0.1 only.
#pragma once

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <vector>

#include "gatemeter.pb.h"
#include "shared/frame/frame_codec.h"
#include "shared/record/usage_record.h"
#include "tests/support/test_agent.h"

namespace gm::test {

// The agent's side of the billing exchange: seals requests under the login's key with its own
// rising sequence and opens answers with a replay window, as the firmware does.
class BillingClient {
 public:
  BillingClient(const TestAgent& agent, uint16_t port)
      : login_(agent.login_session()), key_(agent.tag_key()) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    to_.sin_family = AF_INET;
    to_.sin_port = htons(port);
    to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~BillingClient() { ::close(fd_); }

  struct Answer {
    frame::Header header;
    std::vector<uint8_t> payload;  // the message's bytes, as sent
    gatemeter_AuthResponse auth = gatemeter_AuthResponse_init_zero;
    gatemeter_OfferResponse offer = gatemeter_OfferResponse_init_zero;
  };

  std::vector<uint8_t> seal(frame::FrameKind kind, const void* message, uint32_t seq) const {
    std::vector<uint8_t> out(frame::max_frame_size);
    out.resize(frame::seal({kind, login_, seq}, message, key_, out.data(), out.size()));
    return out;
  }
  uint32_t send(frame::FrameKind kind, const void* message) {
    const uint32_t seq = ++seq_;
    send_raw(seal(kind, message, seq));
    return seq;
  }
  void send_raw(const std::vector<uint8_t>& f) const {
    ::sendto(fd_, f.data(), f.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_);
  }
  // The next answer within timeout_ms, opened as `kind` (nullopt: none, or refused).
  std::optional<Answer> receive(frame::FrameKind kind, int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
    uint8_t buf[frame::max_frame_size + 1];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    Answer a;
    void* message = kind == frame::FrameKind::auth_response ? static_cast<void*>(&a.auth)
                                                     : static_cast<void*>(&a.offer);
    if (frame::peek(buf, static_cast<size_t>(n), a.header) != frame::Refusal::none ||
        a.header.login_session != login_ ||
        frame::open(buf, static_cast<size_t>(n), a.header, key_, window_, kind, message) !=
            frame::Refusal::none)
      return std::nullopt;
    a.payload.assign(buf + frame::header_size, buf + n - frame::tag_size);
    return a;
  }
  // Sends and waits (bounded) for the answer to that frame.
  std::optional<Answer> ask(const gatemeter_AuthRequest& r) {
    last_seq = send(frame::FrameKind::auth_request, &r);
    return receive(frame::FrameKind::auth_response, 3000);
  }
  uint32_t last_seq = 0;

 private:
  uint64_t login_;
  frame::TagKey key_;
  frame::ReplayWindow window_;
  int fd_ = -1;
  sockaddr_in to_{};
  uint32_t seq_ = 0;
};

// A prepaid AuthRequest (service "web", address 10.0.0.9) unless told otherwise.
inline gatemeter_AuthRequest auth(
    uint64_t session, const char* subscriber, uint32_t request = 1, const char* account = "",
    gatemeter_BillingOption option = gatemeter_BillingOption_BILLING_PREPAID) {
  gatemeter_AuthRequest r = gatemeter_AuthRequest_init_zero;
  r.session_id = session;
  copy_text(r.subscriber, sizeof r.subscriber, subscriber);
  copy_text(r.service, sizeof r.service, "web");
  r.billing = option;
  copy_text(r.account, sizeof r.account, account);
  copy_text(r.subscriber_address, sizeof r.subscriber_address, "10.0.0.9");
  r.request = request;
  return r;
}

}  // namespace gm::test
