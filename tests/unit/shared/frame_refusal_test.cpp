// Every way a frame is refused, each with its own reason, and that a refused frame changes
// nothing: the replay window does not move.
#include <gtest/gtest.h>

#include "shared/frame/frame_codec.h"
#include "tests/support/frames.h"

using namespace gm::frame;
using gm::test::make_batch;
using gm::test::resign;
using gm::test::seal_batch;
using gm::test::test_key;

namespace {

struct Receiver {
  TagKey key = test_key();
  ReplayWindow window;
  gatemeter_MeteringBatch msg = gatemeter_MeteringBatch_init_zero;

  Refusal receive(const std::vector<uint8_t>& f) {
    Header h;
    const Refusal r = peek(f.data(), f.size(), h);
    if (r != Refusal::none) return r;
    return open(f.data(), f.size(), h, key, window, FrameKind::metering_batch, &msg);
  }
};

std::vector<uint8_t> good_frame(uint32_t seq = 10) {
  return seal_batch(make_batch(4), 99, seq, test_key());
}

}  // namespace

TEST(FrameRefusal, ShortFrame) {
  Receiver rx;
  auto f = good_frame();
  for (size_t len : {size_t{0}, size_t{1}, header_size, overhead - 1}) {
    std::vector<uint8_t> cut(f.begin(), f.begin() + static_cast<long>(len));
    EXPECT_EQ(rx.receive(cut), Refusal::short_frame) << len;
  }
}

TEST(FrameRefusal, OversizedFrame) {
  Receiver rx;
  auto f = good_frame();
  f.resize(max_frame_size + 1, 0);
  EXPECT_EQ(rx.receive(f), Refusal::oversized);
}

TEST(FrameRefusal, BadMagic) {
  Receiver rx;
  auto f = good_frame();
  f[0] = 'X';
  EXPECT_EQ(rx.receive(f), Refusal::bad_magic);
}

TEST(FrameRefusal, UnknownVersion) {
  Receiver rx;
  auto f = good_frame();
  f[2] = frame_version + 1;
  resign(f, rx.key);  // even an authentic frame of a future version is refused
  EXPECT_EQ(rx.receive(f), Refusal::unknown_version);
}

TEST(FrameRefusal, UnknownKind) {
  Receiver rx;
  // The first value past the last kind the codec knows, and the extremes.
  const auto next = static_cast<uint8_t>(static_cast<uint8_t>(FrameKind::offer_response) + 1);
  for (uint8_t kind : {uint8_t{0}, next, uint8_t{255}}) {
    auto f = good_frame();
    f[3] = kind;
    EXPECT_EQ(rx.receive(f), Refusal::unknown_kind) << int{kind};
  }
}

TEST(FrameRefusal, ForgedTagWithTheWrongKey) {
  Receiver rx;
  const auto f = seal_batch(make_batch(4), 99, 10, test_key(100));
  EXPECT_EQ(rx.receive(f), Refusal::bad_tag);
}

TEST(FrameRefusal, AnySingleBitFlipBreaksTheTag) {
  Receiver rx;
  const auto good = good_frame();
  // Bytes 0..3 are checked before the tag (magic, version, kind); every other bit is tagged.
  for (size_t bit = 4 * 8; bit < good.size() * 8; bit += 7) {
    auto f = good;
    f[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_EQ(rx.receive(f), Refusal::bad_tag) << "bit " << bit;
  }
}

TEST(FrameRefusal, TruncatedPayloadIsABadTag) {
  Receiver rx;
  auto f = good_frame();
  f.erase(f.begin() + 20, f.begin() + 30);  // bytes lost from inside the payload
  EXPECT_EQ(rx.receive(f), Refusal::bad_tag);
  auto g = good_frame();
  g.pop_back();  // a byte lost from the end
  EXPECT_EQ(rx.receive(g), Refusal::bad_tag);
}

TEST(FrameRefusal, ReplayedSequence) {
  Receiver rx;
  const auto f = good_frame(10);
  EXPECT_EQ(rx.receive(f), Refusal::none);
  EXPECT_EQ(rx.receive(f), Refusal::replayed);
}

TEST(FrameRefusal, SequenceOlderThanTheWindow) {
  Receiver rx;
  EXPECT_EQ(rx.receive(good_frame(1000)), Refusal::none);
  EXPECT_EQ(rx.receive(good_frame(1000 - ReplayWindow::width)), Refusal::too_old);
}

TEST(FrameRefusal, AuthenticPayloadThatDoesNotDecode) {
  Receiver rx;
  auto f = good_frame(10);
  // Field 1 (records) as a length-delimited field claiming 16383 bytes that are not there.
  f[header_size] = 0x0A;
  f[header_size + 1] = 0xFF;
  f[header_size + 2] = 0x7F;
  resign(f, rx.key);
  EXPECT_EQ(rx.receive(f), Refusal::undecodable);
  // Authentic garbage must not move the window: the genuine frame with that seq still passes.
  EXPECT_EQ(rx.receive(good_frame(10)), Refusal::none);
}

TEST(FrameRefusal, AuthenticFrameOfAnotherKind) {
  Receiver rx;
  auto f = good_frame(10);
  f[3] = static_cast<uint8_t>(FrameKind::ack);
  resign(f, rx.key);
  EXPECT_EQ(rx.receive(f), Refusal::wrong_kind);
}

TEST(FrameRefusal, ForgedFrameDoesNotMoveTheWindow) {
  Receiver rx;
  const auto forged = seal_batch(make_batch(1), 99, 1'000'000, test_key(100));
  EXPECT_EQ(rx.receive(forged), Refusal::bad_tag);
  EXPECT_EQ(rx.window.highest(), 0u);
  EXPECT_EQ(rx.receive(good_frame(5)), Refusal::none);
}
