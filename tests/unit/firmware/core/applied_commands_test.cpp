// The table of applied command ids on its own: what is applied, what is confirmed and until
// when, and what happens when it is full.
#include "firmware/core/applied_commands.h"

#include <gtest/gtest.h>
#include <pb_encode.h>

using namespace gm;
using namespace gm::core;
using Arrival = AppliedCommands::Arrival;

namespace {
constexpr uint64_t t0 = 5'000'000;

std::vector<uint64_t> carried(AppliedCommands& t, uint32_t frame_seq) {
  uint64_t ids[AppliedCommands::max_confirming] = {};
  const pb_size_t n = t.fill(ids, frame_seq);
  return {ids, ids + n};
}
}  // namespace

TEST(AppliedCommands, AnIdIsAppliedOnceHoweverOftenItArrives) {
  AppliedCommands t;
  EXPECT_EQ(t.arrive(41, t0), Arrival::fresh);
  EXPECT_EQ(t.arrive(41, t0 + 10), Arrival::repeat);
  EXPECT_EQ(t.arrive(41, t0 + 99'000), Arrival::repeat);
  EXPECT_EQ(t.arrive(42, t0), Arrival::fresh);
  EXPECT_TRUE(t.remembers(41));
  EXPECT_FALSE(t.remembers(43));
  EXPECT_EQ(t.confirming(), 2u);
}

TEST(AppliedCommands, IdZeroIsAppliedButNeitherRememberedNorConfirmed) {
  AppliedCommands t;
  EXPECT_EQ(t.arrive(0, t0), Arrival::unnumbered);
  EXPECT_EQ(t.arrive(0, t0), Arrival::unnumbered);
  EXPECT_EQ(t.confirming(), 0u);
  EXPECT_TRUE(carried(t, 1).empty());
  EXPECT_EQ(t.wire_bytes(), 0u);
}

TEST(AppliedCommands, ConfirmingIdsRideInEveryDatagramUntilOneSealedAfterThemIsAcknowledged) {
  AppliedCommands t;
  t.arrive(7, t0);
  EXPECT_TRUE(t.uncarried());
  EXPECT_EQ(carried(t, 10), (std::vector<uint64_t>{7}));
  EXPECT_FALSE(t.uncarried());
  EXPECT_EQ(carried(t, 11), (std::vector<uint64_t>{7}));
  t.acknowledged(9, t0 + 1);  // sealed before 7 arrived: says nothing about it
  EXPECT_EQ(t.confirming(), 1u);
  t.acknowledged(11, t0 + 2);  // carried 7, and its confirmation is committed
  EXPECT_EQ(t.confirming(), 0u);
  EXPECT_TRUE(carried(t, 12).empty());
  EXPECT_TRUE(t.remembers(7));
  EXPECT_EQ(t.arrive(7, t0 + 3), Arrival::repeat);  // a stale node: confirmed again, not applied
  EXPECT_EQ(carried(t, 13), (std::vector<uint64_t>{7}));
}

TEST(AppliedCommands, ANewLoginCountsNothingAsCarried) {
  AppliedCommands t;
  t.arrive(7, t0);
  carried(t, 500);
  t.restart_sequence();  // frame sequences start again at 1 under the new login
  EXPECT_TRUE(t.uncarried());
  t.acknowledged(3, t0 + 1);  // an ack of the new login's datagram 3, sealed before any carried 7
  EXPECT_EQ(t.confirming(), 1u);
  carried(t, 4);
  t.acknowledged(4, t0 + 2);
  EXPECT_EQ(t.confirming(), 0u);
}

TEST(AppliedCommands, NoMoreIdsConfirmAtOnceThanOneDatagramCarries) {
  AppliedCommands t;
  for (uint64_t id = 1; id <= AppliedCommands::max_confirming; ++id)
    ASSERT_EQ(t.arrive(id, t0), Arrival::fresh);
  EXPECT_EQ(t.arrive(100, t0), Arrival::full);  // not applied: the census resends it
  EXPECT_FALSE(t.remembers(100));
  EXPECT_EQ(carried(t, 1).size(), AppliedCommands::max_confirming);
  t.acknowledged(1, t0 + 1);
  EXPECT_EQ(t.arrive(100, t0 + 2), Arrival::fresh);
}

TEST(AppliedCommands, ASettledIdKeepsItsSlotForTheRememberPeriodThenTheOldestGoesFirst) {
  AppliedCommands t;
  // Fill every slot with confirmed ids, the first batch settling earliest.
  uint64_t id = 1;
  uint32_t seq = 1;
  for (uint64_t settled = t0; id <= AppliedCommands::capacity; settled += 1000) {
    for (size_t k = 0; k < AppliedCommands::max_confirming && id <= AppliedCommands::capacity; ++k)
      ASSERT_EQ(t.arrive(id++, settled), Arrival::fresh);
    carried(t, seq);
    t.acknowledged(seq++, settled);
  }
  ASSERT_EQ(t.confirming(), 0u);
  const uint64_t first_free_at = t0 + config::command_remember_ms;
  EXPECT_EQ(t.arrive(900, first_free_at - 1), Arrival::full);  // every id may still come back
  EXPECT_EQ(t.arrive(900, first_free_at), Arrival::fresh);     // one of the oldest made room
  size_t forgotten = 0;
  for (uint64_t old = 1; old <= AppliedCommands::capacity; ++old) forgotten += !t.remembers(old);
  EXPECT_EQ(forgotten, 1u);
  EXPECT_TRUE(t.remembers(AppliedCommands::capacity));  // the newest is kept
}

TEST(AppliedCommands, WireBytesCoverTheEncodedConfirmations) {
  AppliedCommands t;
  gatemeter_MeteringBatch empty = gatemeter_MeteringBatch_init_zero;
  size_t base = 0;
  ASSERT_TRUE(pb_get_encoded_size(&base, gatemeter_MeteringBatch_fields, &empty));
  for (uint64_t id : {1ull, 300ull, 1ull << 40, ~0ull >> 1, ~0ull}) {
    t.arrive(id, t0);
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    b.confirmed_commands_count = t.fill(b.confirmed_commands, 1);
    size_t size = 0;
    ASSERT_TRUE(pb_get_encoded_size(&size, gatemeter_MeteringBatch_fields, &b));
    EXPECT_LE(size - base, t.wire_bytes()) << b.confirmed_commands_count << " ids";
  }
}
