// The PostgreSQL store's one row per session (session_changes.h): which records of a batch give a
// session its identity, its totals and its STOP, as applying them one by one would.
#include "host/store/session_changes.h"

#include <gtest/gtest.h>

namespace gm::host {
namespace {

VerifiedRecord rec(int64_t agent, uint64_t session, uint32_t seq,
                   uint8_t kind = gatemeter_RecordKind_RECORD_INTERIM) {
  VerifiedRecord v;
  v.agent = agent;
  v.record.session_id = session;
  v.record.seq = seq;
  v.record.kind = kind;
  return v;
}

std::vector<SessionChange> changes_of(const std::vector<VerifiedRecord>& records) {
  std::vector<uint32_t> all(records.size());
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<SessionChange> out;
  session_changes(records, all, out);
  return out;
}

TEST(SessionChanges, OneChangePerSessionWithItsFirstAndNewestRecord) {
  const auto c = changes_of({rec(1, 5, 2), rec(1, 5, 7), rec(1, 5, 3), rec(1, 5, 7)});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].first, 0u);
  EXPECT_EQ(c[0].newest, 1u) << "the first of two equal seqs: the second would not apply";
  EXPECT_EQ(c[0].stop, no_record);
}

TEST(SessionChanges, SessionsComeInTheDatabasesOrderOfSignedBigints) {
  const auto c = changes_of({rec(2, 1, 1), rec(1, 0x8000000000000000ull, 1), rec(1, 3, 1)});
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].session_id, 0x8000000000000000ull);  // negative as a BIGINT: first
  EXPECT_EQ(c[1].session_id, 3u);
  EXPECT_EQ(c[2].agent, 2);
}

TEST(SessionChanges, AStopFollowedByANewerRecordIsAppliedOnItsOwnFirst) {
  const auto c = changes_of({rec(1, 5, 1, gatemeter_RecordKind_RECORD_START),
                             rec(1, 5, 3, gatemeter_RecordKind_RECORD_STOP), rec(1, 5, 4)});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].stop, 1u);
  EXPECT_EQ(c[0].newest, 2u);
}

TEST(SessionChanges, AStopThatNeverAppliesIsNotSent) {
  // Seq 3 comes after seq 4 in the batch: applied one by one it changes nothing.
  const auto late = changes_of({rec(1, 5, 4), rec(1, 5, 3, gatemeter_RecordKind_RECORD_STOP)});
  EXPECT_EQ(late[0].stop, no_record);
  EXPECT_EQ(late[0].newest, 0u);
  const auto newest = changes_of({rec(1, 5, 2), rec(1, 5, 3, gatemeter_RecordKind_RECORD_STOP)});
  EXPECT_EQ(newest[0].stop, no_record) << "the newest row carries its own STOP";
  EXPECT_EQ(newest[0].newest, 1u);
}

TEST(SessionChanges, OnlyIncludedRecordsCount) {
  const std::vector<VerifiedRecord> records = {rec(1, 5, 9), rec(1, 5, 2), rec(1, 6, 1)};
  std::vector<uint32_t> included = {1, 2};
  std::vector<SessionChange> out;
  session_changes(records, included, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].newest, 1u);
  EXPECT_EQ(out[1].newest, 2u);
}

}  // namespace
}  // namespace gm::host
