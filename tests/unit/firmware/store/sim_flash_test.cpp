// The simulated NOR flash keeps the rules real NOR keeps, and its power cuts tear operations
// the way real ones do.
#include "firmware/store/sim_flash.h"

#include <gtest/gtest.h>

#include <vector>

using namespace gm;
using namespace gm::store;

namespace {

constexpr hal::FlashGeometry geo{1024, 4, 4};

struct Dev {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(4096);
  SimFlash flash{geo, bytes.data(), true, 42};
};

TEST(SimFlash, StartsErasedAndProgramsOnlyClearBits) {
  Dev d;
  for (uint8_t b : d.bytes) ASSERT_EQ(b, 0xFF);
  const uint8_t a[4] = {0xF0, 0x0F, 0x00, 0xFF};
  ASSERT_TRUE(d.flash.program(8, a, 4));
  const uint8_t more[4] = {0x30, 0x0F, 0x00, 0x7F};  // clears more bits: fine
  ASSERT_TRUE(d.flash.program(8, more, 4));
  uint8_t out[4];
  ASSERT_TRUE(d.flash.read(8, out, 4));
  EXPECT_EQ(out[0], 0x30);
  EXPECT_EQ(out[3], 0x7F);
  const uint8_t back[4] = {0xFF, 0x0F, 0x00, 0x7F};  // 0 -> 1 without erase: refused
  EXPECT_FALSE(d.flash.program(8, back, 4));
  EXPECT_EQ(d.flash.nor_violations(), 1u);
  ASSERT_TRUE(d.flash.read(8, out, 4));
  EXPECT_EQ(out[0], 0x30) << "a refused program changes nothing";
}

TEST(SimFlash, RefusesMisalignedOrOutOfRangeWrites) {
  Dev d;
  const uint8_t a[8] = {};
  EXPECT_FALSE(d.flash.program(2, a, 4));
  EXPECT_FALSE(d.flash.program(0, a, 3));
  EXPECT_FALSE(d.flash.program(4096, a, 4));
  EXPECT_FALSE(d.flash.erase(4));
  uint8_t out[8];
  EXPECT_FALSE(d.flash.read(4092, out, 8));
}

TEST(SimFlash, EraseRestoresOnesAndIsCountedPerSector) {
  Dev d;
  const uint8_t z[4] = {};
  ASSERT_TRUE(d.flash.program(1024, z, 4));
  ASSERT_TRUE(d.flash.erase(1));
  ASSERT_TRUE(d.flash.erase(1));
  EXPECT_EQ(d.bytes[1024], 0xFF);
  EXPECT_EQ(d.flash.erase_count(1), 2u);
  EXPECT_EQ(d.flash.erase_count(0), 0u);
  EXPECT_EQ(d.flash.operations(), 3u);
}

TEST(SimFlash, ACutProgramLeavesAPrefixAndOneHalfProgrammedWord) {
  int saw_partial_word = 0;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    std::vector<uint8_t> bytes(4096);
    SimFlash f(geo, bytes.data(), true, seed);
    std::vector<uint8_t> data(64, 0x00);
    f.cut_power_at(0);
    EXPECT_FALSE(f.program(0, data.data(), data.size()));
    EXPECT_FALSE(f.powered());
    // Words: some fully programmed (0x00000000), then at most one partial, then untouched.
    int state = 0;  // 0: programmed run, 1: after the torn word
    for (size_t w = 0; w < 16; ++w) {
      bool zero = true, ones = true;
      for (int b = 0; b < 4; ++b) {
        zero &= bytes[w * 4 + b] == 0x00;
        ones &= bytes[w * 4 + b] == 0xFF;
      }
      if (state == 0 && zero) continue;
      if (state == 0) {
        state = 1;
        if (!ones) ++saw_partial_word;
        continue;
      }
      EXPECT_TRUE(ones) << "seed " << seed << " word " << w;
    }
    uint8_t out[4];
    EXPECT_FALSE(f.read(0, out, 4)) << "no power, no reads";
    f.power_on();
    EXPECT_TRUE(f.read(0, out, 4));
  }
  EXPECT_GT(saw_partial_word, 10);
}

TEST(SimFlash, ATearPlacedAtAWordProgramsThePrefixAndLeavesThatWordAsAsked) {
  // 0xF0 over 0xFF: the torn word's four low bits are the ones being cleared.
  const std::vector<uint8_t> data(16, 0xF0);
  int random_partial = 0;
  for (size_t word = 0; word <= 4; ++word) {
    for (auto torn : {SimFlash::TornWord::untouched, SimFlash::TornWord::programmed,
                      SimFlash::TornWord::random}) {
      std::vector<uint8_t> bytes(16, 0xFF);
      uint64_t rng = 7 + word;
      SimFlash::tear_program_at(bytes.data(), 4, data.data(), data.size(), word, torn, rng);
      for (size_t i = 0; i < 16; ++i) {
        const size_t w = i / 4;
        if (w < word) {
          ASSERT_EQ(bytes[i], 0xF0) << "word " << w << " before the cut is programmed";
        } else if (w > word) {
          ASSERT_EQ(bytes[i], 0xFF) << "word " << w << " after the cut is untouched";
        } else if (torn == SimFlash::TornWord::untouched) {
          ASSERT_EQ(bytes[i], 0xFF);
        } else if (torn == SimFlash::TornWord::programmed) {
          ASSERT_EQ(bytes[i], 0xF0);
        } else {
          ASSERT_EQ(bytes[i] & 0xF0, 0xF0) << "a tear never clears a bit the write kept";
          if (bytes[i] != 0xFF && bytes[i] != 0xF0) ++random_partial;
        }
      }
    }
  }
  EXPECT_GT(random_partial, 0);
}

TEST(SimFlash, ACutEraseLeavesTheSectorPartlyErased) {
  Dev d;
  std::vector<uint8_t> z(1024, 0x00);
  ASSERT_TRUE(d.flash.program(0, z.data(), z.size()));
  d.flash.cut_power_at(d.flash.operations());
  EXPECT_FALSE(d.flash.erase(0));
  int erased = 0, unchanged = 0, other = 0;
  for (size_t w = 0; w < 256; ++w) {
    const uint32_t v = uint32_t{d.bytes[w * 4]} | uint32_t{d.bytes[w * 4 + 1]} << 8 |
                       uint32_t{d.bytes[w * 4 + 2]} << 16 | uint32_t{d.bytes[w * 4 + 3]} << 24;
    if (v == 0xFFFFFFFFu) ++erased;
    else if (v == 0) ++unchanged;
    else ++other;
  }
  EXPECT_GT(erased, 0);
  EXPECT_GT(unchanged, 0);
  EXPECT_GT(other, 0);
  for (size_t i = 1024; i < 4096; ++i) ASSERT_EQ(d.bytes[i], 0xFF) << "other sectors untouched";
}

TEST(SimFlash, StorageGivenAsUsedKeepsItsContents) {
  std::vector<uint8_t> bytes(4096, 0x5A);
  SimFlash f(geo, bytes.data(), false);
  uint8_t out[1];
  ASSERT_TRUE(f.read(100, out, 1));
  EXPECT_EQ(out[0], 0x5A);
}

}  // namespace
