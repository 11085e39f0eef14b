// The store's rules, on both databases (each test runs once on SQLite, once on a private
// PostgreSQL cluster): newest-wins, agent-restart closure and renewal, revocation, refusal
// counts, commands, the census's datagram rule, deltas; reopened to prove what a commit leaves.
#include <gtest/gtest.h>

#include <algorithm>

#include "host/store/store.h"
#include "shared/frame/frame_tag.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = open_store(db_->spec());
    ASSERT_TRUE(store_->add_agent("gw-1", {1, 2, 3}, 100));
    agent_ = store_->find_agent("gw-1")->id;
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
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
  LoginOpened login(uint64_t id, int64_t now, uint32_t boot = 1, bool continuing = false,
                    int64_t agent = 0) {
    NewLogin l;
    l.agent = agent ? agent : agent_;
    l.id = id;
    l.sealed_tag_key = {9, 9, 9};
    l.components = "agent=1";
    l.boot_count = boot;
    l.continuing = continuing;
    l.now_unix = now;
    l.expires_unix = now + 1000;
    return store_->open_login_session(l);
  }
  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  int64_t agent_ = 0;
};

// One datagram of login session `login` with frame seq `seq`, carrying `records` and
// confirming `confirmed`, appended to c.
void add_datagram(CensusCommit& c, int64_t agent, uint64_t login, uint32_t seq,
                  std::vector<VerifiedRecord> records, std::vector<int64_t> confirmed = {}) {
  const auto index = static_cast<uint32_t>(c.datagrams.size());
  c.datagrams.push_back({agent, login, seq});
  for (VerifiedRecord& v : records) {
    v.login_session = login;
    v.datagram = index;
    c.records.push_back(v);
  }
  for (int64_t id : confirmed) c.confirmations.push_back({index, id});
}

TEST_P(StoreTest, AgentIdsAreUnique) {
  EXPECT_FALSE(store_->add_agent("gw-1", {9}, 100));
  EXPECT_EQ(store_->list_agents().size(), 1u);
  EXPECT_FALSE(store_->find_agent("gw-2").has_value());
  EXPECT_EQ(store_->find_agent("gw-1")->sealed_credential, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_P(StoreTest, OpensAtTheLatestSchemaVersion) {
  EXPECT_GE(store_->schema_version(), 2);
  auto again = open_store(db_->spec());  // a second open migrates nothing
  EXPECT_EQ(again->schema_version(), store_->schema_version());
}

TEST_P(StoreTest, NewerRecordWinsOlderAndEqualChangeNothing) {
  store_->apply({record(1, 2)}, {}, 200);
  store_->apply({record(1, 1), record(1, 2)}, {}, 201);
  auto s = store_->session("gw-1", 1);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last_seq, 2u);
  EXPECT_EQ(s->totals.charged_s, 120u);
  EXPECT_EQ(s->updated_unix, 200);
  store_->apply({record(1, 5)}, {}, 202);
  EXPECT_EQ(store_->session("gw-1", 1)->totals.charged_s, 300u);
}

TEST_P(StoreTest, StopSetsStateAndCause) {
  auto stop = record(1, 3, gatemeter_RecordKind_RECORD_STOP);
  stop.record.cause = gatemeter_StopCause_STOP_IDLE_TIMEOUT;
  store_->apply({record(1, 1, gatemeter_RecordKind_RECORD_START), stop}, {}, 200);
  auto s = store_->session("gw-1", 1);
  EXPECT_EQ(s->state, SessionState::stopped);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_IDLE_TIMEOUT);
  EXPECT_EQ(s->realm, "isp.example");
  EXPECT_EQ(s->subscriber, "ann@isp.example");
  EXPECT_EQ(s->service, "gold");
  EXPECT_EQ(s->billing, gatemeter_BillingOption_BILLING_POSTPAID);
  EXPECT_EQ(s->start_unix, 1'790'000'000u);
}

TEST_P(StoreTest, FullSixtyFourBitValuesSurvive) {
  auto r = record(0xfedcba9876543210ull, 1);
  r.record.totals.octets_in = 0xffffffffffffff00ull;
  r.record.totals.charged_s = 0xfffffff0u;
  store_->apply({r}, {}, 200);
  auto s = store_->session("gw-1", 0xfedcba9876543210ull);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->totals.octets_in, 0xffffffffffffff00ull);
  EXPECT_EQ(s->totals.charged_s, 0xfffffff0u);
}

TEST_P(StoreTest, NewLoginAfterABootClosesOpenSessionsAtCommittedTotalsAndLaterRecordsRaiseThem) {
  login(77, 100, 1);
  auto stopped = record(2, 2, gatemeter_RecordKind_RECORD_STOP);
  store_->apply({record(1, 4), stopped}, {}, 200);
  const LoginOpened o = login(78, 300, 2);
  EXPECT_FALSE(o.renewal);
  EXPECT_EQ(o.sessions_closed, 1u);

  auto s = store_->session("gw-1", 1);
  EXPECT_EQ(s->state, SessionState::closed_by_restart);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(s->totals.charged_s, 240u);
  EXPECT_EQ(store_->session("gw-1", 2)->state, SessionState::stopped);

  store_->apply({record(1, 5)}, {}, 400);  // from the agent's flash, after the reboot
  s = store_->session("gw-1", 1);
  EXPECT_EQ(s->totals.charged_s, 300u);
  EXPECT_EQ(s->state, SessionState::closed_by_restart);

  const auto open = store_->open_logins(400);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, 78u);
  EXPECT_EQ(open[0].sealed_tag_key, (std::vector<uint8_t>{9, 9, 9}));
  EXPECT_EQ(open[0].boot_count, 2u);
  EXPECT_EQ(store_->logins_closed_since(300), std::vector<uint64_t>{77});
}

TEST_P(StoreTest, ARenewalInTheSameBootKeepsSessionsOpen) {
  login(77, 100, 5);
  store_->apply({record(1, 4)}, {}, 200);
  LoginOpened o = login(78, 300, 5, /*continuing=*/true);
  EXPECT_TRUE(o.renewal);
  EXPECT_EQ(o.sessions_closed, 0u);
  EXPECT_EQ(store_->session("gw-1", 1)->state, SessionState::open);
  // Continuing, but with another boot count: the agent did reboot, whatever it says.
  o = login(79, 400, 6, /*continuing=*/true);
  EXPECT_FALSE(o.renewal);
  EXPECT_EQ(store_->session("gw-1", 1)->state, SessionState::closed_by_restart);
}

TEST_P(StoreTest, FindOpenLoginSeesOnlyOpenUnexpiredLoginsOfEnabledAgents) {
  login(77, 100);  // expires at 1100
  EXPECT_TRUE(store_->find_open_login(77, 500).has_value());
  EXPECT_FALSE(store_->find_open_login(77, 1100).has_value());
  EXPECT_FALSE(store_->find_open_login(76, 500).has_value());
  ASSERT_TRUE(store_->set_agent_enabled("gw-1", false, 600));
  EXPECT_FALSE(store_->find_open_login(77, 700).has_value());
  EXPECT_TRUE(store_->open_logins(700).empty());
  EXPECT_EQ(store_->logins_closed_since(600), std::vector<uint64_t>{77});
  ASSERT_TRUE(store_->set_agent_enabled("gw-1", true, 800));
  EXPECT_FALSE(store_->find_open_login(77, 900).has_value());  // enabling reopens nothing
  EXPECT_FALSE(store_->set_agent_enabled("gw-9", false, 900));
}

TEST_P(StoreTest, DisablingAnAgentRefusesItsDatagramsAtCommit) {
  login(77, 100);
  CensusCommit before;
  add_datagram(before, agent_, 77, 1, {record(1, 1)});
  store_->commit_datagrams(before, 200);
  EXPECT_TRUE(before.datagrams[0].accepted());
  ASSERT_TRUE(store_->set_agent_enabled("gw-1", false, 300));
  CensusCommit after;  // a census that has not polled yet still holds the login
  add_datagram(after, agent_, 77, 2, {record(1, 2)});
  store_->commit_datagrams(after, 301);
  EXPECT_EQ(after.datagrams[0].verdict, DatagramVerdict::login_closed);
  EXPECT_EQ(store_->session("gw-1", 1)->last_seq, 1u);
}

TEST_P(StoreTest, RefusalsAddUp) {
  store_->apply({}, {{"bad_tag", 2}, {"short", 1}}, 100);
  store_->apply({}, {{"bad_tag", 3}}, 101);
  const auto r = store_->refusals();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].reason, "bad_tag");
  EXPECT_EQ(r[0].count, 5u);
  EXPECT_EQ(r[1].reason, "short");
}

// ---- the census's commit: datagram sequences in the store, confirmed commands --------------

TEST_P(StoreTest, DatagramAtOrBelowTheHighestCommittedSeqIsRefusedAndChangesNothing) {
  login(77, 100);
  EXPECT_EQ(store_->committed_datagram_seq(77), 0u);
  CensusCommit first;
  add_datagram(first, agent_, 77, 5, {record(1, 1)});
  store_->commit_datagrams(first, 200);
  ASSERT_TRUE(first.datagrams[0].accepted());
  EXPECT_EQ(store_->committed_datagram_seq(77), 5u);

  CensusCommit late;  // the same datagram again, and one the agent sent earlier
  add_datagram(late, agent_, 77, 5, {record(1, 9)});
  add_datagram(late, agent_, 77, 4, {record(2, 1)});
  add_datagram(late, agent_, 77, 6, {record(3, 1)});
  store_->commit_datagrams(late, 201);
  EXPECT_EQ(late.datagrams[0].verdict, DatagramVerdict::replayed);
  EXPECT_EQ(late.datagrams[1].verdict, DatagramVerdict::replayed);
  EXPECT_TRUE(late.datagrams[2].accepted());
  EXPECT_EQ(store_->session("gw-1", 1)->last_seq, 1u);
  EXPECT_FALSE(store_->session("gw-1", 2).has_value());
  EXPECT_TRUE(store_->session("gw-1", 3).has_value());
  EXPECT_EQ(store_->committed_datagram_seq(77), 6u);
}

TEST_P(StoreTest, EveryNewDatagramOfOneCommitIsAcceptedEachSeqOnce) {
  login(77, 100);
  CensusCommit c;
  add_datagram(c, agent_, 77, 3, {record(1, 3)});
  add_datagram(c, agent_, 77, 1, {record(1, 1)});  // reordered, but new: same commit
  add_datagram(c, agent_, 77, 3, {record(2, 1)});  // the same seq twice (two nodes' worth)
  store_->commit_datagrams(c, 200);
  EXPECT_TRUE(c.datagrams[0].accepted() != c.datagrams[2].accepted());
  EXPECT_TRUE(c.datagrams[1].accepted());
  EXPECT_EQ(store_->committed_datagram_seq(77), 3u);
  EXPECT_EQ(store_->session("gw-1", 1)->last_seq, 3u);  // newest wins inside one commit too
}

TEST_P(StoreTest, AnotherCensusNodeRefusesWhatTheFirstCommitted) {
  login(77, 100);
  auto other_node = open_store(db_->spec(), {.busy_writer = true});
  CensusCommit a;
  add_datagram(a, agent_, 77, 8, {record(1, 1)});
  store_->commit_datagrams(a, 200);
  CensusCommit b;  // the same datagram, replayed to the other node
  add_datagram(b, agent_, 77, 8, {record(1, 1)});
  other_node->commit_datagrams(b, 201);
  EXPECT_TRUE(a.datagrams[0].accepted());
  EXPECT_EQ(b.datagrams[0].verdict, DatagramVerdict::replayed);
}

TEST_P(StoreTest, ADatagramOfALoginTheStoreNeverOpenedIsRefused) {
  CensusCommit c;
  add_datagram(c, agent_, 99, 2, {record(1, 1)});
  store_->commit_datagrams(c, 200);
  EXPECT_EQ(c.datagrams[0].verdict, DatagramVerdict::login_closed);
  EXPECT_FALSE(store_->session("gw-1", 1).has_value());
}

TEST_P(StoreTest, ALoginClosedByTheAgentsNextLoginIsRefused) {
  login(77, 100, 1);
  login(78, 200, 1, /*continuing=*/true);
  CensusCommit c;
  add_datagram(c, agent_, 77, 1, {record(1, 1)});
  add_datagram(c, agent_, 78, 1, {record(2, 1)});
  store_->commit_datagrams(c, 300);
  EXPECT_EQ(c.datagrams[0].verdict, DatagramVerdict::login_closed);
  EXPECT_TRUE(c.datagrams[1].accepted());
}

TEST_P(StoreTest, DeltasAreWhatEachCommitChanged) {
  login(77, 100);
  CensusCommit first;
  first.want_deltas = true;
  add_datagram(first, agent_, 77, 1, {record(1, 2), record(2, 1)});
  add_datagram(first, agent_, 77, 2, {record(1, 3), record(1, 1)});  // 1 is older: no change
  store_->commit_datagrams(first, 200);
  ASSERT_EQ(first.deltas.size(), 2u);
  for (const UsageDelta& d : first.deltas) {
    EXPECT_TRUE(d.created);
    const UsageRecord& r = first.records[d.record].record;
    EXPECT_EQ(r.seq, r.session_id == 1 ? 3u : 1u) << "the newest record applied";
  }

  CensusCommit second;
  second.want_deltas = true;
  add_datagram(second, agent_, 77, 3, {record(1, 2), record(1, 5), record(2, 1)});
  store_->commit_datagrams(second, 201);
  ASSERT_EQ(second.deltas.size(), 1u) << "session 2 did not change";
  const UsageDelta& d = second.deltas[0];
  EXPECT_FALSE(d.created);
  EXPECT_EQ(d.before.charged_s, 180u);  // what seq 3 left
  EXPECT_EQ(second.records[d.record].record.seq, 5u);
  EXPECT_EQ(second.records[d.record].record.totals.charged_s - d.before.charged_s, 120u);

  CensusCommit replayed;  // a refused datagram changes nothing, so it has no delta
  replayed.want_deltas = true;
  add_datagram(replayed, agent_, 77, 3, {record(1, 9)});
  store_->commit_datagrams(replayed, 202);
  EXPECT_TRUE(replayed.deltas.empty());
}

// The SQLite store reads a commit's sessions by range scans where one agent's ids lie close
// together and one by one where they do not: either way each session starts from what it held.
TEST_P(StoreTest, SessionsCloseTogetherAndFarApartEachStartFromWhatTheyHeld) {
  login(77, 100);
  const uint64_t top = UINT64_MAX;  // stored as -1: a run that crosses no sign
  std::vector<uint64_t> held, fresh;
  for (uint64_t id = 10; id < 42; ++id) (id % 2 == 0 ? held : fresh).push_back(id);
  for (uint64_t id = top - 15; id != 0; ++id) (id % 2 == 0 ? held : fresh).push_back(id);
  held.push_back(1'000'000);  // alone
  CensusCommit first;
  std::vector<VerifiedRecord> rs;
  for (uint64_t id : held) rs.push_back(record(id, 2));
  add_datagram(first, agent_, 77, 1, rs);
  store_->commit_datagrams(first, 200);

  CensusCommit second;
  second.want_deltas = true;
  rs.clear();
  for (uint64_t id : fresh) rs.push_back(record(id, 3));
  for (uint64_t id : held) rs.push_back(record(id, 3));
  rs.push_back(record(10, 1));  // older than held: changes nothing
  add_datagram(second, agent_, 77, 2, rs);
  store_->commit_datagrams(second, 201);
  ASSERT_EQ(second.deltas.size(), held.size() + fresh.size());
  for (const UsageDelta& d : second.deltas) {
    const uint64_t id = second.records[d.record].record.session_id;
    const bool was_held = std::find(held.begin(), held.end(), id) != held.end();
    EXPECT_EQ(d.created, !was_held) << id;
    EXPECT_EQ(d.before.charged_s, was_held ? 120u : 0u) << id;
    EXPECT_EQ(second.records[d.record].record.seq, 3u) << id;
  }
  for (uint64_t id : {uint64_t{10}, uint64_t{11}, top, top - 15, uint64_t{1'000'000}})
    EXPECT_EQ(store_->session("gw-1", id)->totals.charged_s, 180u) << id;
}

TEST_P(StoreTest, PendingCommandsCarryTheStoreIdOnTheWire) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  c.session_id = 5;
  const int64_t id = store_->queue_command(agent_, c, 100);
  const int64_t id2 = store_->queue_command(agent_, c, 100);
  auto pending = store_->pending_commands(10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].command.id, static_cast<uint64_t>(id));
  EXPECT_EQ(pending[0].command.session_id, 5u);
  EXPECT_EQ(pending[1].id, id2);
  EXPECT_EQ(store_->pending_commands(1).size(), 1u);
}

TEST_P(StoreTest, OnlyAnAcceptedDatagramOfTheSameAgentConfirmsACommand) {
  ASSERT_TRUE(store_->add_agent("gw-2", {4}, 100));
  const int64_t other = store_->find_agent("gw-2")->id;
  login(77, 100);
  login(88, 100, 1, false, other);
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
  EXPECT_FALSE(replayed.datagrams[0].accepted());
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);
}

TEST_P(StoreTest, CommittedRecordsAreThereAfterReopening) {
  store_->apply({record(1, 1), record(2, 1)}, {}, 100);
  store_.reset();
  store_ = open_store(db_->spec());
  EXPECT_EQ(store_->sessions("").size(), 2u);
  EXPECT_EQ(store_->sessions("gw-1").size(), 2u);
  EXPECT_TRUE(store_->sessions("gw-2").empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// ---- opening: specs, errors ----------------------------------------------------------------

TEST(OpenStore, UnopenableFileNamesThePath) {
  try {
    open_store("sqlite:/tmp/gm-no/such/folder/usage.db");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/folder"), std::string::npos) << e.what();
  }
}

TEST(OpenStore, AnUnknownKindIsRefusedNotCreatedAsAFile) {
  try {
    open_store("postgress:host=db1");
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("expected sqlite:PATH or postgresql:CONNINFO"),
              std::string::npos)
        << e.what();
  }
}

TEST(OpenStore, PasswordsNeverReachLogs) {
  EXPECT_EQ(describe_store("postgresql:host=db1 password=s3cret user=gm"),
            "postgresql:host=db1 password=*** user=gm");
  EXPECT_EQ(describe_store("postgresql:password = 'a b' dbname=x"),
            "postgresql:password = *** dbname=x");
  EXPECT_EQ(describe_store("postgresql:postgresql://gm:s3cret@db1/usage"),
            "postgresql:postgresql://gm:***@db1/usage");
  EXPECT_EQ(describe_store("sqlite:/var/lib/gm/usage.db"), "sqlite:/var/lib/gm/usage.db");
}

}  // namespace
}  // namespace gm::host
