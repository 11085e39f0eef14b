#include "shared/crc/crc32.h"

#include <gtest/gtest.h>

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(gm::crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(gm::crc32("", 0), 0u);
}

TEST(Crc32, ContinuesAcrossPieces) {
  const char s[] = "gatemeter flash journal";
  const uint32_t whole = gm::crc32(s, sizeof s - 1);
  EXPECT_EQ(gm::crc32(s + 8, sizeof s - 1 - 8, gm::crc32(s, 8)), whole);
}

TEST(Crc32, DetectsEverySingleBitFlip) {
  uint8_t buf[64];
  for (size_t i = 0; i < sizeof buf; ++i) buf[i] = static_cast<uint8_t>(i * 37);
  const uint32_t good = gm::crc32(buf, sizeof buf);
  for (size_t bit = 0; bit < sizeof buf * 8; ++bit) {
    buf[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(gm::crc32(buf, sizeof buf), good) << bit;
    buf[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}
