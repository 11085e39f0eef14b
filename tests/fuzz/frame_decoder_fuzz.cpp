// libFuzzer target for the receiving side of the frame codec: peek() then open().
//
// The first input byte chooses a mode. Odd: the rest is re-tagged with the receiver's key
// before decoding, so the fuzzer reaches the replay window and nanopb with authentic frames
// (a forger cannot, but a bug there must still not crash). Even: the rest is decoded as is.
// Invariant checked beyond "no crash": whatever open() accepts re-seals and re-opens to the
// same bytes of payload.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "shared/frame/frame_codec.h"

using namespace gm::frame;

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
};
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
  if (m == 0) std::abort();  // accepted input must re-encode
  Header h3;
  static AnyMessage back;
  std::memset(&back, 0, sizeof back);
  if (peek(again, m, h3) != Refusal::none) std::abort();
  ReplayWindow fresh;
  if (open(again, m, h3, key, fresh, h3.kind, &back) != Refusal::none) std::abort();
  return 0;
}
