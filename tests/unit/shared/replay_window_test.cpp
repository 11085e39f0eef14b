#include "shared/frame/replay_window.h"

#include <gtest/gtest.h>

using gm::frame::Refusal;
using gm::frame::ReplayWindow;

namespace {
Refusal accept(ReplayWindow& w, uint32_t seq) {
  const Refusal r = w.check(seq);
  if (r == Refusal::none) w.mark(seq);
  return r;
}
}  // namespace

TEST(ReplayWindow, AcceptsIncreasingSequences) {
  ReplayWindow w;
  for (uint32_t s = 1; s <= 200; ++s) ASSERT_EQ(accept(w, s), Refusal::none) << s;
  EXPECT_EQ(w.highest(), 200u);
}

TEST(ReplayWindow, RefusesTheSameSequenceTwice) {
  ReplayWindow w;
  EXPECT_EQ(accept(w, 7), Refusal::none);
  EXPECT_EQ(accept(w, 7), Refusal::replayed);
}

TEST(ReplayWindow, AcceptsReorderedSequencesInsideTheWindowOnce) {
  ReplayWindow w;
  EXPECT_EQ(accept(w, 100), Refusal::none);
  EXPECT_EQ(accept(w, 90), Refusal::none);
  EXPECT_EQ(accept(w, 99), Refusal::none);
  EXPECT_EQ(accept(w, 90), Refusal::replayed);
  EXPECT_EQ(accept(w, 100 - ReplayWindow::width + 1), Refusal::none);
  EXPECT_EQ(w.highest(), 100u);
}

TEST(ReplayWindow, RefusesSequencesOlderThanTheWindow) {
  ReplayWindow w;
  EXPECT_EQ(accept(w, 1000), Refusal::none);
  EXPECT_EQ(accept(w, 1000 - ReplayWindow::width), Refusal::too_old);
  EXPECT_EQ(accept(w, 1), Refusal::too_old);
}

TEST(ReplayWindow, RefusesSequenceZero) {
  ReplayWindow w;
  EXPECT_EQ(accept(w, 0), Refusal::too_old);
}

TEST(ReplayWindow, LargeJumpForgetsEverythingBehind) {
  ReplayWindow w;
  for (uint32_t s = 1; s <= 10; ++s) accept(w, s);
  EXPECT_EQ(accept(w, 10 + 5 * ReplayWindow::width), Refusal::none);
  EXPECT_EQ(accept(w, 10 + 5 * ReplayWindow::width - 1), Refusal::none);
  EXPECT_EQ(accept(w, 10), Refusal::too_old);
}

TEST(ReplayWindow, CheckAloneChangesNothing) {
  ReplayWindow w;
  accept(w, 5);
  EXPECT_EQ(w.check(6), Refusal::none);
  EXPECT_EQ(w.check(6), Refusal::none);
  EXPECT_EQ(w.highest(), 5u);
  EXPECT_EQ(accept(w, 6), Refusal::none);
}

TEST(ReplayWindow, WorksAtTheTopOfTheSequenceSpace) {
  ReplayWindow w;
  EXPECT_EQ(accept(w, 0xFFFFFFFFu), Refusal::none);
  EXPECT_EQ(accept(w, 0xFFFFFFFEu), Refusal::none);
  EXPECT_EQ(accept(w, 0xFFFFFFFFu), Refusal::replayed);
}
