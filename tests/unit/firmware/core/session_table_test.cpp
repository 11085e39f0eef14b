#include "firmware/core/session_table.h"

#include <gtest/gtest.h>

using namespace gm::core;

TEST(SessionTable, AllocatesUpToCapacityThenNothing) {
  SessionTable t;
  for (size_t i = 0; i < SessionTable::capacity; ++i) {
    Session* s = t.allocate();
    ASSERT_NE(s, nullptr);
    s->id = i + 1;
    s->state = SessionState::active;
  }
  EXPECT_EQ(t.allocate(), nullptr);
  EXPECT_EQ(t.in_use(), SessionTable::capacity);
  t.release(*t.find(5));
  EXPECT_EQ(t.in_use(), SessionTable::capacity - 1);
  EXPECT_NE(t.allocate(), nullptr);
  EXPECT_EQ(t.find(5), nullptr);
}

TEST(SessionTable, ValidIdentityNeedsUserAndRealm) {
  EXPECT_TRUE(valid_identity("alice@isp.example"));
  EXPECT_FALSE(valid_identity(""));
  EXPECT_FALSE(valid_identity("alice"));
  EXPECT_FALSE(valid_identity("@isp"));
  EXPECT_FALSE(valid_identity("alice@"));
  EXPECT_FALSE(valid_identity("a@b@c"));
  EXPECT_FALSE(valid_identity("al ice@isp"));
  std::string longest(47, 'u');
  EXPECT_TRUE(valid_identity((longest.substr(0, 44) + "@isp").c_str()));  // 48 characters
  EXPECT_FALSE(valid_identity((longest + "@isp").c_str()));               // 51 characters
}

TEST(SessionTable, ServicesAreInternedUpToTheCapacity) {
  SessionTable t;
  EXPECT_EQ(t.intern_service("basic"), 0);
  EXPECT_EQ(t.intern_service("premium"), 1);
  EXPECT_EQ(t.intern_service("basic"), 0);
  EXPECT_STREQ(t.service_name(1), "premium");
  for (size_t i = 2; i < gm::config::max_services; ++i)
    EXPECT_EQ(t.intern_service(("s" + std::to_string(i)).c_str()), static_cast<int>(i));
  EXPECT_EQ(t.intern_service("one-too-many"), -1);
  EXPECT_EQ(t.intern_service("premium"), 1);
  EXPECT_EQ(t.intern_service("a-service-name-that-is-too-long"), -1);
}
