// The RADIUS ledger (radius_ledger.h) on both databases: a NAS's agent row made once and
// unable to log in, sessions named by (NAS, Acct-Session-Id, start) within a tolerance, the
// nearest start winning, and Accounting-On ending only that NAS's open sessions.
#include <gtest/gtest.h>

#include <cstring>

#include "gatemeter.pb.h"
#include "host/store/store.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

class RadiusTablesTest : public test::StoreOnEachDatabase {
 protected:
  RadiusLedger& radius() { return store_->radius(); }
  void record(int64_t agent, uint64_t session, uint32_t seq, uint8_t kind) {
    VerifiedRecord v;
    v.agent = agent;
    v.record.session_id = session;
    v.record.start_unix = 1'000;
    v.record.seq = seq;
    v.record.kind = kind;
    v.record.totals = {seq, 0, 10ull * seq, 0};
    std::strcpy(v.record.subscriber, "ann@isp.example");
    std::strcpy(v.record.service, "data");
    CensusCommit c;
    c.datagrams.push_back({agent, 0, 0, DatagramVerdict::none});
    c.records.push_back(v);
    store_->commit_records(c, 2'000);
  }
};

TEST_P(RadiusTablesTest, ANasGetsOneAgentRowThatNoLoginCanUse) {
  const int64_t a = radius().nas_agent("nas-1", 100);
  EXPECT_EQ(radius().nas_agent("nas-1", 200), a);
  EXPECT_NE(radius().nas_agent("nas-2", 100), a);
  const auto agent = store_->find_agent("radius:nas-1");
  ASSERT_TRUE(agent.has_value());
  EXPECT_EQ(agent->id, a);
  EXPECT_EQ(agent->sealed_credential.size(), 1u);  // opens under no vault
}

TEST_P(RadiusTablesTest, StartsWithinTheToleranceNameOneSessionAndFartherOnesAnother) {
  const int64_t a = radius().nas_agent("nas-1", 100);
  const int64_t b = radius().nas_agent("nas-2", 100);
  const auto first = radius().sessions_of({{a, "0001", 1'000, ""}, {a, "0001", 1'001, ""},
                                           {a, "0001", 999, ""}, {b, "0001", 1'000, ""}},
                                          5, 100);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_NE(first[0], 0u);
  EXPECT_EQ(first[1], first[0]);
  EXPECT_EQ(first[2], first[0]);
  EXPECT_NE(first[3], first[0]);  // another NAS's 0001
  // Reused after a reboot: 800 s later is another session; the old one is still found.
  const auto later = radius().sessions_of({{a, "0001", 1'800, ""}, {a, "0001", 1'004, ""},
                                           {a, "0001", 1'802, ""}, {a, "0002", 1'000, ""}},
                                          5, 200);
  EXPECT_NE(later[0], first[0]);
  EXPECT_EQ(later[1], first[0]);
  EXPECT_EQ(later[2], later[0]);
  EXPECT_NE(later[3], first[0]);
  // Between two, the nearer start wins.
  const auto between = radius().sessions_of({{a, "0001", 1'797, ""}, {a, "0001", 1'006, ""}}, 10, 300);
  EXPECT_EQ(between[0], later[0]);
  EXPECT_EQ(between[1], first[0]);
}

TEST_P(RadiusTablesTest, AccountingOnEndsOnlyThatNassOpenSessionsWithTheirFeedRows) {
  const int64_t a = radius().nas_agent("nas-1", 100);
  const int64_t b = radius().nas_agent("nas-2", 100);
  record(a, 11, 40, gatemeter_RecordKind_RECORD_INTERIM);
  record(a, 12, 80, gatemeter_RecordKind_RECORD_STOP);  // ended already
  record(b, 13, 40, gatemeter_RecordKind_RECORD_INTERIM);
  const size_t feed_before = store_->feed().undelivered(FeedSink::file, 100).size();
  EXPECT_EQ(radius().end_nas_sessions(a, gatemeter_StopCause_STOP_AGENT_RESTART, 3'000), 1u);
  EXPECT_EQ(radius().end_nas_sessions(a, gatemeter_StopCause_STOP_AGENT_RESTART, 3'000), 0u);
  const auto s11 = store_->session("radius:nas-1", 11);
  ASSERT_TRUE(s11.has_value());
  EXPECT_NE(s11->state, SessionState::open);
  EXPECT_EQ(s11->stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(s11->totals.charged_s, 40u);  // its last reported totals
  EXPECT_EQ(store_->session("radius:nas-2", 13)->state, SessionState::open);
  EXPECT_EQ(store_->feed().undelivered(FeedSink::file, 100).size(), feed_before + 1);
}

TEST_P(RadiusTablesTest, CommitRecordsAppliesWithoutTheReplayRuleAndNewestWins) {
  const int64_t a = radius().nas_agent("nas-1", 100);
  record(a, 21, 50, gatemeter_RecordKind_RECORD_INTERIM);
  record(a, 21, 30, gatemeter_RecordKind_RECORD_INTERIM);  // older: changes nothing
  const auto s = store_->session("radius:nas-1", 21);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last_seq, 50u);
  EXPECT_EQ(s->totals.octets_in, 500u);
}

TEST_P(RadiusTablesTest, TheRoutingQueueKeepsRequestsInOrderUntilForwarded) {
  radius().enqueue({{1, 2, 3}, {4, 5}}, 100);
  radius().enqueue({{6}}, 200);
  radius().enqueue({}, 300);  // nothing: no transaction, nothing added
  auto q = radius().queued(0, 10);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].packet, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(q[1].packet, (std::vector<uint8_t>{4, 5}));
  EXPECT_EQ(q[2].received_unix, 200);
  EXPECT_LT(q[0].id, q[1].id);
  EXPECT_EQ(radius().queued(q[0].id, 1).at(0).id, q[1].id);  // from above an id, at most 1
  EXPECT_EQ(radius().queue_length(), 3);
  radius().forwarded({q[0].id, q[2].id});
  q = radius().queued(0, 10);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].packet, (std::vector<uint8_t>{4, 5}));
  EXPECT_EQ(radius().queue_length(), 1);
}

TEST_P(RadiusTablesTest, ANewSessionOfAKnownSubscriberIsLinkedToItsAccount) {
  AccountRow acct;
  acct.name = "acct-r";
  acct.balance_micros = 1'000'000;
  acct.created_unix = 100;
  const int64_t account = store_->account_book().add_account(acct);  // (rated: see the
                                                                     // accounting test)
  store_->account_book().add_subscriber({"ann@isp.example", "acct-r"});
  acct.name = "acct-off";
  acct.enabled = false;
  store_->account_book().add_account(acct);
  store_->account_book().add_subscriber({"off@isp.example", "acct-off"});
  const int64_t a = radius().nas_agent("nas-1", 100);
  const auto ids = radius().sessions_of({{a, "k1", 1'000, "ann@isp.example"},
                                         {a, "k2", 1'000, "bob@isp.example"},
                                         {a, "k3", 1'000, "off@isp.example"}},
                                        5, 100);
  record(a, ids[0], 4, gatemeter_RecordKind_RECORD_INTERIM);
  record(a, ids[1], 4, gatemeter_RecordKind_RECORD_INTERIM);
  record(a, ids[2], 4, gatemeter_RecordKind_RECORD_INTERIM);
  const auto linked = store_->session("radius:nas-1", ids[0]);
  ASSERT_TRUE(linked.has_value());
  EXPECT_EQ(linked->totals.charged_s, 4u);  // the record applied after the link
  EXPECT_EQ(linked->billing, gatemeter_BillingOption_BILLING_PREPAID);
  EXPECT_EQ(store_->session("radius:nas-1", ids[1])->billing, 0);  // not a subscriber
  EXPECT_EQ(store_->session("radius:nas-1", ids[2])->billing, 0);  // a disabled account
  (void)account;
}

INSTANTIATE_TEST_SUITE_P(Databases, RadiusTablesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
