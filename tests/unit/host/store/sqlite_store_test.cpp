// The SQLite store: newest-wins, agent-restart closure, refusal counts, commands; on a file in
// a temporary folder, reopened to prove what a commit leaves on disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "host/store/usage_store.h"
#include "shared/frame/frame_tag.h"

namespace gm::host {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gm-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/usage.db";
    store_ = open_sqlite_store(path_);
    ASSERT_TRUE(store_->add_agent("gw-1", {1, 2, 3}, 100));
    agent_ = store_->find_agent("gw-1")->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  VerifiedRecord record(uint64_t session, uint32_t seq, uint8_t kind = gatemeter_RecordKind_RECORD_INTERIM) {
    VerifiedRecord v;
    v.agent = agent_;
    v.login_session = 77;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = kind;
    v.record.totals = {60 * seq, seq, 1000ull * seq, 10ull * seq};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, "ann@isp.example");
    copy_text(v.record.service, sizeof v.record.service, "gold");
    v.record.billing = gatemeter_BillingOption_BILLING_POSTPAID;
    v.record.start_unix = 1'790'000'000;
    return v;
  }
  std::string dir_, path_;
  std::unique_ptr<UsageStore> store_;
  int64_t agent_ = 0;
};

TEST_F(SqliteStoreTest, AgentIdsAreUnique) {
  EXPECT_FALSE(store_->add_agent("gw-1", {9}, 100));
  EXPECT_EQ(store_->list_agents().size(), 1u);
  EXPECT_FALSE(store_->find_agent("gw-2").has_value());
}

TEST_F(SqliteStoreTest, NewerRecordWinsOlderAndEqualChangeNothing) {
  store_->apply({record(1, 2)}, {}, {}, 200);
  store_->apply({record(1, 1), record(1, 2)}, {}, {}, 201);
  auto s = store_->session("gw-1", 1);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last_seq, 2u);
  EXPECT_EQ(s->totals.charged_s, 120u);
  EXPECT_EQ(s->updated_unix, 200);
  store_->apply({record(1, 5)}, {}, {}, 202);
  EXPECT_EQ(store_->session("gw-1", 1)->totals.charged_s, 300u);
}

TEST_F(SqliteStoreTest, StopSetsStateAndCause) {
  auto stop = record(1, 3, gatemeter_RecordKind_RECORD_STOP);
  stop.record.cause = gatemeter_StopCause_STOP_IDLE_TIMEOUT;
  store_->apply({record(1, 1, gatemeter_RecordKind_RECORD_START), stop}, {}, {}, 200);
  auto s = store_->session("gw-1", 1);
  EXPECT_EQ(s->state, SessionState::stopped);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_IDLE_TIMEOUT);
  EXPECT_EQ(s->realm, "isp.example");
}

TEST_F(SqliteStoreTest, FullSixtyFourBitValuesSurvive) {
  auto r = record(0xfedcba9876543210ull, 1);
  r.record.totals.octets_in = 0xffffffffffffff00ull;
  store_->apply({r}, {}, {}, 200);
  auto s = store_->session("gw-1", 0xfedcba9876543210ull);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->totals.octets_in, 0xffffffffffffff00ull);
}

TEST_F(SqliteStoreTest, NewLoginClosesOpenSessionsAtCommittedTotalsAndLaterRecordsRaiseThem) {
  frame::TagKey k{};
  store_->open_login_session(agent_, 77, k, "agent=1", 100);
  auto stopped = record(2, 2, gatemeter_RecordKind_RECORD_STOP);
  store_->apply({record(1, 4), stopped}, {}, {}, 200);
  EXPECT_EQ(store_->open_login_session(agent_, 78, k, "agent=1", 300), 1u);

  auto s = store_->session("gw-1", 1);
  EXPECT_EQ(s->state, SessionState::closed_by_restart);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(s->totals.charged_s, 240u);
  EXPECT_EQ(store_->session("gw-1", 2)->state, SessionState::stopped);

  store_->apply({record(1, 5)}, {}, {}, 400);  // from the agent's flash, after the reboot
  s = store_->session("gw-1", 1);
  EXPECT_EQ(s->totals.charged_s, 300u);
  EXPECT_EQ(s->state, SessionState::closed_by_restart);

  const auto open = store_->open_login_sessions_after(0);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, 78u);
  EXPECT_TRUE(store_->open_login_sessions_after(open[0].serial).empty());
}

TEST_F(SqliteStoreTest, RefusalsAddUp) {
  store_->apply({}, {{"bad_tag", 2}, {"short", 1}}, {}, 100);
  store_->apply({}, {{"bad_tag", 3}}, {}, 101);
  const auto r = store_->refusals();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].reason, "bad_tag");
  EXPECT_EQ(r[0].count, 5u);
}

TEST_F(SqliteStoreTest, CommandsStayPendingUntilMarkedDelivered) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
  c.interval_s = 120;
  const int64_t id = store_->queue_command(agent_, c, 100);
  auto pending = store_->pending_commands(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].command.interval_s, 120u);
  store_->apply({}, {}, {id}, 101);
  EXPECT_TRUE(store_->pending_commands(10).empty());
}

// ---- the census's commit: datagram sequences in the store, confirmed commands --------------

// One datagram of login session `login` with frame seq `seq`, carrying `records` and
// confirming `confirmed`, appended to c.
void add_datagram(CensusCommit& c, int64_t agent, uint64_t login, uint32_t seq,
                  std::vector<VerifiedRecord> records, std::vector<int64_t> confirmed = {}) {
  const auto index = static_cast<uint32_t>(c.datagrams.size());
  c.datagrams.push_back({agent, login, seq, false});
  for (VerifiedRecord& v : records) {
    v.login_session = login;
    v.datagram = index;
    c.records.push_back(v);
  }
  for (int64_t id : confirmed) c.confirmations.push_back({index, id});
}

TEST_F(SqliteStoreTest, DatagramAtOrBelowTheHighestCommittedSeqIsRefusedAndChangesNothing) {
  store_->open_login_session(agent_, 77, frame::TagKey{}, "", 100);
  EXPECT_EQ(store_->committed_datagram_seq(77), 0u);
  CensusCommit first;
  add_datagram(first, agent_, 77, 5, {record(1, 1)});
  store_->commit_datagrams(first, 200);
  ASSERT_TRUE(first.datagrams[0].accepted);
  EXPECT_EQ(store_->committed_datagram_seq(77), 5u);

  CensusCommit late;  // the same datagram again, and one the agent sent earlier
  add_datagram(late, agent_, 77, 5, {record(1, 9)});
  add_datagram(late, agent_, 77, 4, {record(2, 1)});
  add_datagram(late, agent_, 77, 6, {record(3, 1)});
  store_->commit_datagrams(late, 201);
  EXPECT_FALSE(late.datagrams[0].accepted);
  EXPECT_FALSE(late.datagrams[1].accepted);
  EXPECT_TRUE(late.datagrams[2].accepted);
  EXPECT_EQ(store_->session("gw-1", 1)->last_seq, 1u);
  EXPECT_FALSE(store_->session("gw-1", 2).has_value());
  EXPECT_TRUE(store_->session("gw-1", 3).has_value());
  EXPECT_EQ(store_->committed_datagram_seq(77), 6u);
}

TEST_F(SqliteStoreTest, EveryNewDatagramOfOneCommitIsAcceptedEachSeqOnce) {
  store_->open_login_session(agent_, 77, frame::TagKey{}, "", 100);
  CensusCommit c;
  add_datagram(c, agent_, 77, 3, {record(1, 3)});
  add_datagram(c, agent_, 77, 1, {record(1, 1)});  // reordered, but new: same commit
  add_datagram(c, agent_, 77, 3, {record(2, 1)});  // the same seq twice (two nodes' worth)
  store_->commit_datagrams(c, 200);
  EXPECT_TRUE(c.datagrams[0].accepted != c.datagrams[2].accepted);
  EXPECT_TRUE(c.datagrams[1].accepted);
  EXPECT_EQ(store_->committed_datagram_seq(77), 3u);
}

TEST_F(SqliteStoreTest, AnotherCensusNodeRefusesWhatTheFirstCommitted) {
  store_->open_login_session(agent_, 77, frame::TagKey{}, "", 100);
  auto other_node = open_sqlite_store(path_);
  CensusCommit a;
  add_datagram(a, agent_, 77, 8, {record(1, 1)});
  store_->commit_datagrams(a, 200);
  CensusCommit b;  // the same datagram, replayed to the other node
  add_datagram(b, agent_, 77, 8, {record(1, 1)});
  other_node->commit_datagrams(b, 201);
  EXPECT_TRUE(a.datagrams[0].accepted);
  EXPECT_FALSE(b.datagrams[0].accepted);
}

TEST_F(SqliteStoreTest, LoginSessionsFromBeforeTheSeqTableGetTheirRowOnFirstCommit) {
  CensusCommit c;  // login 99 was never opened through this store version
  add_datagram(c, agent_, 99, 2, {record(1, 1)});
  store_->commit_datagrams(c, 200);
  EXPECT_TRUE(c.datagrams[0].accepted);
  EXPECT_EQ(store_->committed_datagram_seq(99), 2u);
  CensusCommit again;
  add_datagram(again, agent_, 99, 2, {});
  store_->commit_datagrams(again, 201);
  EXPECT_FALSE(again.datagrams[0].accepted);
}

TEST_F(SqliteStoreTest, PendingCommandsCarryTheStoreIdOnTheWire) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  c.session_id = 5;
  const int64_t id = store_->queue_command(agent_, c, 100);
  auto pending = store_->pending_commands(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].command.id, static_cast<uint64_t>(id));
}

TEST_F(SqliteStoreTest, OnlyAnAcceptedDatagramOfTheSameAgentConfirmsACommand) {
  ASSERT_TRUE(store_->add_agent("gw-2", {4}, 100));
  const int64_t other = store_->find_agent("gw-2")->id;
  store_->open_login_session(agent_, 77, frame::TagKey{}, "", 100);
  store_->open_login_session(other, 88, frame::TagKey{}, "", 100);
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
  c.interval_s = 30;
  const int64_t id = store_->queue_command(agent_, c, 100);

  CensusCommit wrong_agent;
  add_datagram(wrong_agent, other, 88, 1, {}, {id});
  store_->commit_datagrams(wrong_agent, 200);
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);

  CensusCommit ok;
  add_datagram(ok, agent_, 77, 4, {}, {id});
  store_->commit_datagrams(ok, 201);
  EXPECT_TRUE(store_->pending_commands(10).empty());

  store_->queue_command(agent_, c, 300);
  const int64_t id2 = store_->pending_commands(10).at(0).id;
  CensusCommit replayed;  // seq 4 again: refused, so it confirms nothing
  add_datagram(replayed, agent_, 77, 4, {}, {id2});
  store_->commit_datagrams(replayed, 301);
  EXPECT_FALSE(replayed.datagrams[0].accepted);
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);
}

TEST_F(SqliteStoreTest, CommittedRecordsAreThereAfterReopening) {
  store_->apply({record(1, 1), record(2, 1)}, {}, {}, 100);
  store_.reset();
  store_ = open_sqlite_store(path_);
  EXPECT_EQ(store_->sessions("").size(), 2u);
}

TEST_F(SqliteStoreTest, UnopenableFileNamesThePath) {
  try {
    open_sqlite_store(dir_ + "/no/such/folder/usage.db");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/folder"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gm::host
