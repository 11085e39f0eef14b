// Billing servers in a test's memory: open the agent's AuthRequest and OfferRequest frames with
// the login session's tag key (each server with its own replay window, as separate processes
// would have), keep what was asked, and seal the answers the test decides on. As the real
// billing service must (firmware/core/auth_client.h), an answer's frame carries the sequence of
// the request frame it answers.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "shared/frame/frame_codec.h"

namespace gm::test {

class FakeBilling {
 public:
  FakeBilling(uint64_t login_session, const uint8_t (&session_key)[32]) : login_(login_session) {
    frame::derive_tag_key(session_key, 32, key_);
  }

  struct Asked {
    size_t server = 0;       // which billing server it was sent to
    uint32_t frame_seq = 0;  // the request frame's sequence, which the answer's frame carries
    gatemeter_AuthRequest request = gatemeter_AuthRequest_init_zero;
  };
  struct OffersAsked {
    size_t server = 0;
    uint32_t frame_seq = 0;
    gatemeter_OfferRequest request = gatemeter_OfferRequest_init_zero;
  };

  std::vector<Asked> asked;  // every AuthRequest frame opened, resends included
  std::vector<OffersAsked> offers_asked;
  uint64_t refused = 0;

  // Opens one datagram sent to billing server `server`; false if refused.
  bool receive(size_t server, const std::vector<uint8_t>& d) {
    frame::Header h;
    if (frame::peek(d.data(), d.size(), h) != frame::Refusal::none || h.login_session != login_) {
      ++refused;
      return false;
    }
    if (h.kind == frame::FrameKind::offer_request) {
      OffersAsked o{server, h.seq};
      if (frame::open(d.data(), d.size(), h, key_, windows_[server], h.kind, &o.request) !=
          frame::Refusal::none) {
        ++refused;
        return false;
      }
      offers_asked.push_back(o);
      return true;
    }
    Asked a{server, h.seq};
    if (frame::open(d.data(), d.size(), h, key_, windows_[server], frame::FrameKind::auth_request,
                    &a.request) != frame::Refusal::none) {
      ++refused;
      return false;
    }
    asked.push_back(a);
    return true;
  }

  // The answer to `to`: its session and request number are filled in from it.
  std::vector<uint8_t> answer(const Asked& to, gatemeter_AuthResponse r) const {
    r.session_id = to.request.session_id;
    r.request = to.request.request;
    return seal(frame::FrameKind::auth_response, to.frame_seq, &r);
  }
  std::vector<uint8_t> answer(const OffersAsked& to, const gatemeter_OfferResponse& r) const {
    return seal(frame::FrameKind::offer_response, to.frame_seq, &r);
  }
  // Any frame under this login, for tests that forge sequences or kinds.
  std::vector<uint8_t> seal(frame::FrameKind kind, uint32_t seq, const void* msg) const {
    std::vector<uint8_t> out(frame::max_frame_size);
    out.resize(frame::seal({kind, login_, seq}, msg, key_, out.data(), out.size()));
    return out;
  }

 private:
  uint64_t login_;
  frame::TagKey key_{};
  std::map<size_t, frame::ReplayWindow> windows_;
};

}  // namespace gm::test
