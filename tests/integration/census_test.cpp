// The census against the test agent: verified, deduplicated, durable before acknowledged; and
// every kind of bad input refused with its reason counted, stored usage unchanged, the server
// still serving.
#include <gtest/gtest.h>

#include "tests/integration/server_fixture.h"
#include "tests/support/frames.h"

namespace gm::test {
namespace {

using frame::Refusal;

gatemeter_Command end_session_command(uint64_t session) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  c.session_id = session;
  c.cause = gatemeter_StopCause_STOP_ZERO_BALANCE;
  return c;
}

class CensusTest : public ServerFixture {
 protected:
  // Sends and waits for the ack of that datagram (acks of earlier ones are skipped).
  std::optional<gatemeter_Ack> send_and_ack(TestAgent& a, const gatemeter_MeteringBatch& b) {
    const uint32_t seq = a.send_batch(b);
    return ack_for(a, seq);
  }
  std::optional<gatemeter_Ack> ack_for(TestAgent& a, uint32_t seq) {
    for (int i = 0; i < 50; ++i) {
      auto ack = a.receive_ack(100);
      if (ack && ack->datagram_seq == seq) return ack;
    }
    return std::nullopt;
  }
  static gatemeter_MeteringBatch one(const gatemeter_UsageRecord& r) {
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    b.records[b.records_count++] = r;
    return b;
  }
  std::vector<host::SubscriberSession> usage() { return store_->sessions(""); }
  static bool same(const std::vector<host::SubscriberSession>& a,
                   const std::vector<host::SubscriberSession>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].session_id != b[i].session_id || a[i].last_seq != b[i].last_seq ||
          a[i].totals != b[i].totals || a[i].state != b[i].state)
        return false;
    return true;
  }
  // Sends datagram 1 of gw-1 (acknowledged, so committed), then queues a command for gw-1.
  // Returns datagram 1, as someone on the path would have captured it.
  std::vector<uint8_t> committed_then_command(TestAgent& a) {
    auto captured = a.seal(one(make_record(7, 1)), 1);
    EXPECT_TRUE(a.send_raw(captured));
    EXPECT_TRUE(ack_for(a, 1).has_value());
    store_->queue_command(store_->find_agent("gw-1")->id, end_session_command(7), 1'790'000'000);
    return captured;
  }
  // After a refusal: the same agent's next good datagram is still acknowledged.
  void expect_still_serving(TestAgent& a) {
    auto ack = send_and_ack(a, one(make_record(900, 1, gatemeter_RecordKind_RECORD_START)));
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->records_count, 1);
  }
};

TEST_F(CensusTest, FullSessionFromStartToStopIsStoredAndAcknowledged) {
  auto a = logged_in("gw-1");
  auto start = make_record(42, 1, gatemeter_RecordKind_RECORD_START);
  auto interim = make_record(42, 2);
  auto stop = make_record(42, 3, gatemeter_RecordKind_RECORD_STOP);
  stop.stop_cause = gatemeter_StopCause_STOP_USER_REQUEST;
  for (const auto& r : {start, interim, stop}) {
    auto ack = send_and_ack(*a, one(r));
    ASSERT_TRUE(ack.has_value()) << "no ack for seq " << r.seq;
    ASSERT_EQ(ack->records_count, 1);
    EXPECT_EQ(ack->records[0].session_id, 42u);
    EXPECT_EQ(ack->records[0].seq, r.seq);
    // Acknowledged means durable: the store already has it.
    auto s = store_->session("gw-1", 42);
    ASSERT_TRUE(s.has_value());
    EXPECT_GE(s->last_seq, r.seq);
  }
  auto s = store_->session("gw-1", 42);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, host::SessionState::stopped);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_USER_REQUEST);
  EXPECT_EQ(s->totals, (UsageTotals{180, 15, 3'000'000, 750'000}));
  EXPECT_EQ(s->subscriber, "user42@realm.example");
  EXPECT_EQ(s->realm, "realm.example");
  EXPECT_EQ(s->service, "wifi-basic");
  EXPECT_EQ(s->billing, gatemeter_BillingOption_BILLING_PREPAID);
}

TEST_F(CensusTest, ManyRecordsInOneDatagramAreAllAcknowledged) {
  auto a = logged_in("gw-1");
  auto ack = send_and_ack(*a, make_batch(20, 100, 1));
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->records_count, 20);
  EXPECT_EQ(usage().size(), 20u);
}

TEST_F(CensusTest, DuplicateDatagramIsRefusedAsReplayAndChangesNothing) {
  auto a = logged_in("gw-1");
  const auto d = a->seal(one(make_record(7, 1)), 1);
  ASSERT_TRUE(a->send_raw(d));
  ASSERT_TRUE(ack_for(*a, 1).has_value());
  const auto before = usage();
  ASSERT_TRUE(a->send_raw(d));  // the agent's extra copy, or the network's
  EXPECT_TRUE(eventually([&] { return refused(Refusal::replayed) == 1; }));
  EXPECT_TRUE(same(before, usage()));
}

TEST_F(CensusTest, ReorderedRecordsNeverMoveTotalsBackButAreAcknowledged) {
  auto a = logged_in("gw-1");
  ASSERT_TRUE(send_and_ack(*a, one(make_record(7, 3))).has_value());
  // seq 2 arrives after seq 3 (a resend overtaken), in a later datagram.
  auto ack = send_and_ack(*a, one(make_record(7, 2)));
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->records_count, 1);  // durable (superseded): the agent may forget it
  EXPECT_EQ(ack->records[0].seq, 2u);
  auto s = store_->session("gw-1", 7);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->last_seq, 3u);
  EXPECT_EQ(s->totals.charged_s, 180u);
  // The same record again in a new datagram: a duplicate (session, seq), applied once.
  ASSERT_TRUE(send_and_ack(*a, one(make_record(7, 3))).has_value());
  EXPECT_EQ(store_->session("gw-1", 7)->totals.charged_s, 180u);
}

// Datagram 1 arrives after datagram 2 was committed: at or below the highest committed seq of
// its login session, it is refused (already_committed). Nothing is lost: unacknowledged, its record
// comes again in a later datagram (a higher seq), as the agent's outbox resends it.
TEST_F(CensusTest, DatagramOlderThanTheHighestCommittedIsRefusedAndItsRecordComesInALaterOne) {
  auto a = logged_in("gw-1");
  const auto d1 = a->seal(one(make_record(1, 1)), 1);
  const auto d2 = a->seal(one(make_record(2, 1)), 2);
  ASSERT_TRUE(a->send_raw(d2));
  ASSERT_TRUE(ack_for(*a, 2).has_value());
  EXPECT_EQ(store_->committed_datagram_seq(a->login_session()), 2u);
  ASSERT_TRUE(a->send_raw(d1));
  EXPECT_TRUE(eventually([&] { return census_->refused(static_cast<size_t>(host::CensusRefusal::already_committed)) == 1; }));
  EXPECT_FALSE(a->receive_ack(500).has_value());
  EXPECT_FALSE(store_->session("gw-1", 1).has_value());
  const auto d3 = a->seal(one(make_record(1, 2)), 3);  // the resend
  ASSERT_TRUE(a->send_raw(d3));
  ASSERT_TRUE(ack_for(*a, 3).has_value());
  EXPECT_EQ(usage().size(), 2u);
}

TEST_F(CensusTest, ForgedTagIsRefusedAndChangesNothing) {
  auto a = logged_in("gw-1");
  ASSERT_TRUE(send_and_ack(*a, one(make_record(5, 1))).has_value());
  const auto before = usage();
  auto forged = a->seal(one(make_record(5, 9)), 50);
  forged[frame::header_size + 3] ^= 0x40;  // a changed total
  ASSERT_TRUE(a->send_raw(forged));
  auto wrong_key = seal_batch(one(make_record(5, 10)), a->login_session(), 51, test_key(9));
  ASSERT_TRUE(a->send_raw(wrong_key));
  EXPECT_TRUE(eventually([&] { return refused(Refusal::bad_tag) == 2; }));
  EXPECT_TRUE(same(before, usage()));
  expect_still_serving(*a);
}

TEST_F(CensusTest, TruncatedAndGarbageDatagramsAreRefusedByReason) {
  auto a = logged_in("gw-1");
  const auto good = a->seal(make_batch(3), 10);
  const auto before = usage();

  std::vector<uint8_t> tiny(good.begin(), good.begin() + 5);
  std::vector<uint8_t> cut(good.begin(), good.end() - 9);  // payload cut: the tag cannot hold
  std::vector<uint8_t> garbage(200, 0x5a);
  std::vector<uint8_t> huge(frame::max_frame_size + 100, 0);
  huge[0] = 'G', huge[1] = 'M', huge[2] = frame::frame_version, huge[3] = 1;
  auto version = good;
  version[2] = 99;
  auto kind = good;
  kind[3] = 77;
  for (const auto* d : {&tiny, &cut, &garbage, &huge, &version, &kind}) ASSERT_TRUE(a->send_raw(*d));

  EXPECT_TRUE(eventually([&] {
    return refused(Refusal::short_frame) == 1 && refused(Refusal::bad_tag) == 1 &&
           refused(Refusal::bad_magic) == 1 && refused(Refusal::oversized) == 1 &&
           refused(Refusal::unknown_version) == 1 && refused(Refusal::unknown_kind) == 1;
  }));
  EXPECT_TRUE(same(before, usage()));
  expect_still_serving(*a);
}

TEST_F(CensusTest, AuthenticButUndecodablePayloadIsRefused) {
  auto a = logged_in("gw-1");
  auto d = a->seal(make_batch(1), 3);
  d[frame::header_size] = 0xff;  // not a valid protobuf tag
  resign(d, a->tag_key());
  ASSERT_TRUE(a->send_raw(d));
  EXPECT_TRUE(eventually([&] { return refused(Refusal::undecodable) == 1; }));
  EXPECT_TRUE(usage().empty());
  expect_still_serving(*a);
}

TEST_F(CensusTest, AckFrameSentToTheCensusIsRefusedAsWrongKind) {
  auto a = logged_in("gw-1");
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
  std::vector<uint8_t> d(frame::max_frame_size);
  d.resize(frame::seal({frame::FrameKind::ack, a->login_session(), 4}, &ack, a->tag_key(), d.data(),
                       d.size()));
  ASSERT_TRUE(a->send_raw(d));
  EXPECT_TRUE(eventually([&] { return refused(Refusal::wrong_kind) == 1; }));
}

TEST_F(CensusTest, RecordsForUnknownSessionsAreRefused) {
  auto a = logged_in("gw-1");
  const auto d = seal_batch(make_batch(2), a->login_session() ^ 0x5555, 1, a->tag_key());
  ASSERT_TRUE(a->send_raw(d));
  EXPECT_TRUE(eventually([&] { return refused(Refusal::unknown_session) == 1; }));
  EXPECT_TRUE(usage().empty());
  expect_still_serving(*a);
}

TEST_F(CensusTest, InvalidRecordInAuthenticDatagramIsRefusedAndNotStored) {
  auto a = logged_in("gw-1");
  auto b = make_batch(2, 60);
  std::snprintf(b.records[1].subscriber, sizeof b.records[1].subscriber, "no-realm");
  auto ack = send_and_ack(*a, b);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->records_count, 1);
  EXPECT_EQ(census_->refused(static_cast<size_t>(host::CensusRefusal::invalid_record)), 1u);
  EXPECT_TRUE(store_->session("gw-1", 60).has_value());
  EXPECT_FALSE(store_->session("gw-1", 61).has_value());
}

TEST_F(CensusTest, ReloginClosesOpenSessionsAndRefusesTheOldLoginSession) {
  auto a = logged_in("gw-1");
  ASSERT_TRUE(send_and_ack(*a, one(make_record(8, 1, gatemeter_RecordKind_RECORD_START))).has_value());
  ASSERT_TRUE(send_and_ack(*a, one(make_record(8, 2))).has_value());
  const auto old_datagram = a->seal(one(make_record(8, 40)), 77);

  // The agent reboots and logs in again.
  const TestAgent::Bytes32 credential = [&] {
    // logged_in() generated the credential; read it back the way the login service does.
    return *vault_->open(store_->find_agent("gw-1")->sealed_credential, "gw-1");
  }();
  TestAgent rebooted("gw-1", credential);
  ASSERT_TRUE(rebooted.login("127.0.0.1", login_->port(), tls_.pin)) << rebooted.error();
  ASSERT_TRUE(rebooted.open_census());
  auto s = store_->session("gw-1", 8);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, host::SessionState::closed_by_restart);
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(s->totals.charged_s, 120u);  // its last committed totals

  // A datagram from the old login session (captured, or late) is refused: by the registry once
  // it has polled (unknown_session), by the commit before that (login_closed).
  const auto before = usage();
  ASSERT_TRUE(rebooted.send_raw(old_datagram));
  EXPECT_TRUE(eventually([&] {
    return refused(Refusal::unknown_session) +
               census_->refused(static_cast<size_t>(host::CensusRefusal::login_closed)) ==
           1;
  }));
  EXPECT_TRUE(same(before, usage()));

  // The agent's flash still held a newer record of that session: it raises the totals.
  auto stop = make_record(8, 3, gatemeter_RecordKind_RECORD_STOP);
  stop.stop_cause = gatemeter_StopCause_STOP_AGENT_RESTART;
  ASSERT_TRUE(send_and_ack(rebooted, one(stop)).has_value());
  s = store_->session("gw-1", 8);
  EXPECT_EQ(s->totals.charged_s, 180u);
  EXPECT_EQ(s->last_seq, 3u);
  EXPECT_EQ(s->login_session, rebooted.login_session());
}

// Sends one-record datagrams (session `session`, rising seqs) until an ack carries a command.
std::optional<gatemeter_Command> command_from(TestAgent& a, uint64_t session, uint32_t& seq) {
  for (int i = 0; i < 80; ++i) {
    gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
    b.records[b.records_count++] = make_record(session, ++seq);
    const uint32_t sent = a.send_batch(b);
    for (int k = 0; k < 20; ++k) {
      auto ack = a.receive_ack(100);
      if (!ack || ack->datagram_seq != sent) continue;
      if (ack->commands_count > 0) return ack->commands[0];
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return std::nullopt;
}

// An agent with no sessions sends an empty batch every interval (its heartbeat): the census
// accepts it, acknowledges it (no records) and puts the agent's pending commands in that ack.
TEST_F(CensusTest, EmptyHeartbeatBatchIsAcknowledgedAndCarriesPendingCommands) {
  auto a = logged_in("gw-1");
  gatemeter_MeteringBatch heartbeat = gatemeter_MeteringBatch_init_zero;
  heartbeat.agent_time_unix = 1'790'000'060ull;
  auto ack = send_and_ack(*a, heartbeat);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->records_count, 0);
  EXPECT_EQ(ack->commands_count, 0);
  store_->queue_command(store_->find_agent("gw-1")->id, end_session_command(42), 1'790'000'000);
  std::optional<gatemeter_Ack> with_command;
  for (int i = 0; i < 40 && !with_command; ++i) {  // until the census has read its mailbox
    ack = send_and_ack(*a, heartbeat);
    ASSERT_TRUE(ack.has_value());
    if (ack->commands_count > 0) with_command = ack;
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(with_command.has_value());
  EXPECT_EQ(wire_enum(with_command->commands[0].kind), gatemeter_CommandKind_COMMAND_END_SESSION);
  EXPECT_TRUE(usage().empty());  // nothing was stored for it but the datagram itself
}

// Delivered means confirmed: the command carries its id, stays pending while the agent does
// not confirm it (and is resent), and is delivered by the commit of the confirming datagram.
TEST_F(CensusTest, PendingCommandIsResentUntilTheAgentConfirmsItsId) {
  auto a = logged_in("gw-1");
  const int64_t id =
      store_->queue_command(store_->find_agent("gw-1")->id, end_session_command(42), 1'790'000'000);
  uint32_t seq = 0;
  auto c = command_from(*a, 42, seq);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(wire_enum(c->kind), gatemeter_CommandKind_COMMAND_END_SESSION);
  EXPECT_EQ(c->session_id, 42u);
  EXPECT_EQ(c->id, static_cast<uint64_t>(id));
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);  // sent is not delivered

  // The agent's confirmation was lost: after the resend interval the command comes again.
  auto again = command_from(*a, 42, seq);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, static_cast<uint64_t>(id));

  // A datagram of confirmations alone: acknowledged, and the command is delivered before that.
  gatemeter_MeteringBatch confirm = gatemeter_MeteringBatch_init_zero;
  confirm.confirmed_commands[confirm.confirmed_commands_count++] = static_cast<uint64_t>(id);
  auto ack = send_and_ack(*a, confirm);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->records_count, 0);
  EXPECT_EQ(ack->commands_count, 0);
  EXPECT_TRUE(store_->pending_commands(10).empty());
  EXPECT_GE(census_->stats().confirmations.load(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // past a resend interval and a poll
  for (int i = 0; i < 3; ++i) {
    ack = send_and_ack(*a, one(make_record(42, ++seq)));
    ASSERT_TRUE(ack.has_value());
    EXPECT_EQ(ack->commands_count, 0);
  }
}

TEST_F(CensusTest, UnconfirmedCommandGoesOutOncePerResendIntervalNotInEveryAckOfABurst) {
  host::CensusSettings slow = census_settings_;
  slow.command_resend_ms = 3000;
  restart_census(&slow);
  auto a = logged_in("gw-1");
  store_->queue_command(store_->find_agent("gw-1")->id, end_session_command(42), 1'790'000'000);
  uint32_t seq = 0;
  ASSERT_TRUE(command_from(*a, 42, seq).has_value());
  std::vector<uint32_t> burst;
  for (int i = 0; i < 10; ++i) burst.push_back(a->send_batch(one(make_record(42, ++seq))));
  int acks = 0, with_command = 0;
  for (int k = 0; k < 100 && acks < 10; ++k)
    if (auto ack = a->receive_ack(100)) ++acks, with_command += ack->commands_count > 0;
  EXPECT_EQ(acks, 10);
  EXPECT_EQ(with_command, 0);
  EXPECT_EQ(census_->stats().commands_sent.load(), 1u);
}

TEST_F(CensusTest, CommandConfirmedByAnotherAgentStaysPending) {
  auto a = logged_in("gw-1");
  auto b = logged_in("gw-2");
  const int64_t id =
      store_->queue_command(store_->find_agent("gw-1")->id, end_session_command(42), 1'790'000'000);
  gatemeter_MeteringBatch confirm = gatemeter_MeteringBatch_init_zero;
  confirm.confirmed_commands[confirm.confirmed_commands_count++] = static_cast<uint64_t>(id);
  ASSERT_TRUE(send_and_ack(*b, confirm).has_value());
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);
  uint32_t seq = 0;
  EXPECT_TRUE(command_from(*a, 42, seq).has_value());
}

// A captured datagram replayed to a census that restarted (its replay window is empty): the
// store holds the highest seq committed for the login session, so the replay is refused as
// `replayed`, draws no ack (which would carry the agent's pending command to whoever sent it),
// changes nothing and consumes no command.
TEST_F(CensusTest, DatagramReplayedAfterACensusRestartDrawsNoAckAndConsumesNoCommand) {
  auto a = logged_in("gw-1");
  const auto captured = committed_then_command(*a);
  restart_census();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the new census reads the command
  const auto before = usage();

  ASSERT_TRUE(a->send_raw(captured));
  EXPECT_TRUE(eventually([&] { return census_->refused(static_cast<size_t>(host::CensusRefusal::already_committed)) == 1; }));
  EXPECT_FALSE(a->receive_ack(1000).has_value()) << "a replay must draw no ack";
  EXPECT_TRUE(same(before, usage()));
  ASSERT_EQ(store_->pending_commands(10).size(), 1u);
  EXPECT_EQ(census_->stats().commands_sent.load(), 0u);

  // The agent's own next datagram still gets the command, and the refusal is in the store.
  ASSERT_TRUE(a->send_raw(a->seal(one(make_record(7, 2)), 2)));
  auto ack = ack_for(*a, 2);
  ASSERT_TRUE(ack.has_value());
  ASSERT_EQ(ack->commands_count, 1);
  EXPECT_EQ(ack->commands[0].session_id, 7u);
  EXPECT_TRUE(eventually([&] {
    for (const auto& r : store_->refusals())
      if (r.reason == "already_committed" && r.count >= 1) return true;
    return false;
  }));
}

// Several census nodes behind one address share the store: a datagram one node committed,
// replayed to another node (whose own window never saw it), is refused there too.
TEST_F(CensusTest, DatagramReplayedToAnotherCensusNodeDrawsNoAck) {
  auto a = logged_in("gw-1");
  const auto captured = committed_then_command(*a);
  host::CensusServer& node_b = another_census_node();
  ASSERT_TRUE(a->open_census("127.0.0.1:" + std::to_string(node_b.port())));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  ASSERT_TRUE(a->send_raw(captured));
  EXPECT_TRUE(
      eventually([&] { return node_b.refused(static_cast<size_t>(host::CensusRefusal::already_committed)) == 1; }));
  EXPECT_FALSE(a->receive_ack(1000).has_value());
  EXPECT_EQ(store_->pending_commands(10).size(), 1u);
  EXPECT_EQ(node_b.stats().commands_sent.load(), 0u);
}

TEST_F(CensusTest, RefusalsAreCountedInTheStoreByReason) {
  auto a = logged_in("gw-1");
  std::vector<uint8_t> garbage(100, 1);
  ASSERT_TRUE(a->send_raw(garbage));
  ASSERT_TRUE(eventually([&] { return refused(Refusal::bad_magic) == 1; }));
  ASSERT_TRUE(send_and_ack(*a, make_batch(1)).has_value());  // a commit flushes the counts
  EXPECT_TRUE(eventually([&] {
    for (const auto& r : store_->refusals())
      if (r.reason == "bad_magic" && r.count == 1) return true;
    return false;
  }));
}

}  // namespace
}  // namespace gm::test
