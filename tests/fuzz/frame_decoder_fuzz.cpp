// libFuzzer target for the receiving side of the frame codec: peek() then open().
//
// The first input byte chooses a mode. Odd: the rest is re-tagged with the receiver's key
// before decoding, so the fuzzer reaches the replay window and nanopb with authentic frames
// (a forger cannot, but a bug there must still not crash). Even: the rest is decoded as is.
// Invariant checked beyond "no crash": whatever open() accepts re-seals, and the re-sealed
// frame re-opens under the same header to a payload equal to the first, field by field
// (wire_properties.h); sealing that second payload gives the re-sealed frame byte for byte.
// Any difference traps.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "shared/frame/frame_codec.h"
#include "tests/fuzz/wire_properties.h"

using namespace gm::frame;
using gm::fuzz::require;

namespace {
TagKey fuzz_key() {
  TagKey k{};
  for (size_t i = 0; i < sizeof k.bytes; ++i) k.bytes[i] = static_cast<uint8_t>(i);
  return k;
}

union AnyMessage {
  gatemeter_MeteringBatch batch;
  gatemeter_Ack ack;
  gatemeter_AuthRequest auth_request;
  gatemeter_AuthResponse auth_response;
  gatemeter_OfferRequest offer_request;
  gatemeter_OfferResponse offer_response;
};

bool same_payload(FrameKind kind, const AnyMessage& a, const AnyMessage& b) {
  using gm::fuzz::same;
  switch (kind) {
    case FrameKind::metering_batch: return same(a.batch, b.batch);
    case FrameKind::ack: return same(a.ack, b.ack);
    case FrameKind::auth_request: return same(a.auth_request, b.auth_request);
    case FrameKind::auth_response: return same(a.auth_response, b.auth_response);
    case FrameKind::offer_request: return same(a.offer_request, b.offer_request);
    case FrameKind::offer_response: return same(a.offer_response, b.offer_response);
  }
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TagKey key = fuzz_key();
  static ReplayWindow window;  // kept across inputs: the window's state is part of the surface
  static uint8_t frame[max_frame_size + 64];
  if (size == 0) return 0;
  const bool resign = data[0] & 1u;
  const size_t n = size - 1 < sizeof frame ? size - 1 : sizeof frame;
  std::memcpy(frame, data + 1, n);
  if (resign && n >= overhead) {
    uint8_t tag[tag_size];
    compute_tag(key, frame, n - tag_size, tag);
    std::memcpy(frame + n - tag_size, tag, tag_size);
  }

  Header h;
  if (peek(frame, n, h) != Refusal::none) return 0;
  static AnyMessage msg;
  std::memset(&msg, 0, sizeof msg);
  if (open(frame, n, h, key, window, h.kind, &msg) != Refusal::none) return 0;

  static uint8_t again[max_frame_size];
  const size_t m = seal(h, &msg, key, again, sizeof again);
  require(m != 0, "an accepted payload re-seals");
  Header h3;
  static AnyMessage back;
  std::memset(&back, 0, sizeof back);
  require(peek(again, m, h3) == Refusal::none, "a re-sealed frame passes peek");
  require(h3.kind == h.kind && h3.login_session == h.login_session && h3.seq == h.seq,
          "a re-sealed frame has the accepted header");
  ReplayWindow fresh;
  require(open(again, m, h3, key, fresh, h3.kind, &back) == Refusal::none,
          "a re-sealed frame opens");
  require(same_payload(h.kind, msg, back), "the re-opened payload equals the accepted one");
  static uint8_t third[max_frame_size];
  const size_t m3 = seal(h3, &back, key, third, sizeof third);
  require(m3 == m && std::memcmp(third, again, m) == 0,
          "the re-opened payload re-seals to the same bytes");
  return 0;
}
