#include <gtest/gtest.h>

#include <string>

#include "firmware/store/journal.h"

TEST(JournalStatus, EveryStatusHasItsOwnName) {
  using gm::store::JournalStatus;
  std::string seen;
  for (int s = 0; s <= static_cast<int>(JournalStatus::bad_geometry); ++s) {
    const std::string name = gm::store::journal_status_name(static_cast<JournalStatus>(s));
    EXPECT_NE(name, "invalid");
    EXPECT_EQ(seen.find("|" + name + "|"), std::string::npos) << name;
    seen += "|" + name + "|";
  }
}
