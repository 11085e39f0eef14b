#include "shared/frame/frame_tag.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/support/frames.h"

using namespace gm::frame;

// Known answers computed independently (Python's hmac/hashlib), key = 00 01 .. 1f.
TEST(FrameTag, MatchesHmacSha256TruncatedTo16Bytes) {
  const TagKey key = gm::test::test_key();
  const char msg[] = "gatemeter";
  uint8_t tag[tag_size];
  ASSERT_TRUE(compute_tag(key, reinterpret_cast<const uint8_t*>(msg), 9, tag));
  const uint8_t expected[tag_size] = {0xaa, 0x3e, 0x1d, 0xb0, 0x21, 0x82, 0xdb, 0xc7,
                                      0x41, 0x52, 0x3e, 0xc2, 0x06, 0xda, 0x08, 0xe4};
  EXPECT_EQ(0, std::memcmp(tag, expected, tag_size));
}

TEST(FrameTag, TagKeyIsHkdfSha256OfTheSessionKey) {
  const TagKey session = gm::test::test_key();
  TagKey derived{};
  ASSERT_TRUE(derive_tag_key(session.bytes, sizeof session.bytes, derived));
  const uint8_t expected[4] = {0x15, 0x4d, 0xa9, 0xc6};
  EXPECT_EQ(0, std::memcmp(derived.bytes, expected, 4));
  EXPECT_EQ(derived.bytes[31], 0x03);
}

TEST(FrameTag, DifferentSessionKeysGiveDifferentTagKeys) {
  TagKey a{}, b{};
  const TagKey ka = gm::test::test_key(0), kb = gm::test::test_key(1);
  ASSERT_TRUE(derive_tag_key(ka.bytes, 32, a));
  ASSERT_TRUE(derive_tag_key(kb.bytes, 32, b));
  EXPECT_NE(0, std::memcmp(a.bytes, b.bytes, 32));
}

TEST(FrameTag, TagsEqualComparesEveryByte) {
  uint8_t a[tag_size] = {}, b[tag_size] = {};
  EXPECT_TRUE(tags_equal(a, b));
  for (size_t i = 0; i < tag_size; ++i) {
    b[i] = 1;
    EXPECT_FALSE(tags_equal(a, b)) << i;
    b[i] = 0;
  }
}
