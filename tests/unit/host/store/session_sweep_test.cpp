// The billing service's sweep in the store (session_sweep.h), on both databases: a stale
// session closed at its last reported totals with its authorisation ended, its feed row and its
// COMMAND_END_SESSION in one transaction; a record committed after the read, or a gateway heard
// again, keeps it open; two connections sweeping at once close it once; a lost gateway is
// marked until the census hears it again; low-balance warnings queued once per crossing.
#include <gtest/gtest.h>

#include <thread>

#include "host/store/store.h"
#include "tests/support/frames.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

constexpr int64_t t0 = 1'800'000'000;

class SessionSweepTest : public test::StoreOnEachDatabase {
 protected:
  void SetUp() override {
    StoreOnEachDatabase::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(store_->add_agent("gw-1", {1}, 100));
    ASSERT_TRUE(store_->add_agent("gw-2", {2}, 100));
    agent_ = store_->find_agent("gw-1")->id;
    other_agent_ = store_->find_agent("gw-2")->id;
    account_ = add_account("acct-1", AccountKind::prepaid, 400'000);
  }
  int64_t add_account(const std::string& name, AccountKind kind, int64_t balance) {
    AccountRow a;
    a.name = name;
    a.kind = kind;
    a.balance_micros = balance;
    a.created_unix = 100;
    return store_->account_book().add_account(a);
  }
  // A live approved authorisation of `session`, linked to `account`.
  void authorise(uint64_t session, int64_t account) {
    store_->authorisations().authorise(
        {agent_, session, "", "", ""},
        [&](const AuthorisationRead&) {
          AuthorisationWrite w;
          StoredAuthorisation& a = w.authorisation;
          a.agent = agent_;
          a.session_id = session;
          a.account = account;
          a.subscriber = "ann@isp.example";
          a.option = 1;
          a.request = 1;
          a.response = {0x08};
          a.decision = 1;
          a.live = true;
          w.link = SessionLink{agent_, session, 77, account, "ann@isp.example", "web", 1, 1'000};
          return std::optional(w);
        },
        t0);
  }
  // The session's record `seq` (cumulative totals 60 s x seq, ...), committed at `now`.
  void report(uint64_t session, uint32_t seq, int64_t now, int64_t agent = 0) {
    VerifiedRecord v;
    v.agent = agent == 0 ? agent_ : agent;
    v.login_session = 77;
    ASSERT_TRUE(from_wire(test::make_record(session, seq), v.record));
    store_->apply({v}, {}, now);
  }
  void heard(int64_t agent, int64_t now) {
    CensusCommit c;
    c.present = {agent};
    store_->commit_datagrams(c, now);
  }
  std::vector<PendingCommand> commands() { return store_->pending_commands(100); }
  SessionSweep& sweep() { return store_->sweep(); }

  int64_t agent_ = 0, other_agent_ = 0, account_ = 0;
};

TEST_P(SessionSweepTest, AStaleSessionIsClosedAtItsLastTotalsWithItsFeedRowAndCommand) {
  const uint64_t session = 0xfedcba9876543210ull;
  authorise(session, account_);
  report(session, 3, t0 + 10);
  report(5, 1, t0 + 50);  // reported since: not quiet
  heard(agent_, t0 + 50);

  const SweepRead read = sweep().quiet_sessions(t0 + 40, 100);
  ASSERT_EQ(read.quiet.size(), 1u);
  EXPECT_EQ(read.quiet[0].agent, agent_);
  EXPECT_EQ(read.quiet[0].session_id, session);
  EXPECT_EQ(read.quiet[0].seq, 3u);
  EXPECT_EQ(read.quiet[0].updated_unix, t0 + 10);
  ASSERT_EQ(read.presence.size(), 1u);
  EXPECT_EQ(read.presence[0].last_seen_unix, t0 + 50);

  SweepWrite w;
  w.heard_after_unix = t0;
  w.close = {{agent_, session, 3, gatemeter_StopCause_STOP_SESSION_TIMEOUT}};
  const SweepDone done = sweep().close_sessions(w, t0 + 60);
  ASSERT_EQ(done.closed.size(), 1u);

  const auto s = store_->session("gw-1", session);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, SessionState::closed_by_restart) << "closed (state 2)";
  EXPECT_EQ(s->stop_cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(s->totals.charged_s, 180u) << "its last reported totals, nothing more";
  EXPECT_EQ(s->totals.octets_in, 3'000'000u);
  EXPECT_EQ(s->last_seq, 3u);
  EXPECT_FALSE(store_->authorisations().find_authorisation(agent_, session)->live);
  EXPECT_EQ(store_->session("gw-1", 5)->state, SessionState::open);

  const auto feed = store_->feed().undelivered(FeedSink::file, 10);
  ASSERT_EQ(feed.size(), 1u);
  EXPECT_EQ(feed[0].session_id, session);
  // The row as the link made it (subscriber, service, start) and the last record left it.
  EXPECT_EQ(feed[0].event,
            "{\"session_id\":18364758544493064720,\"subscriber\":\"ann@isp.example\","
            "\"service\":\"web\",\"billing\":\"prepaid\",\"start_unix\":1000,"
            "\"end_unix\":1800000060,\"charged_s\":180,\"free_s\":15,\"octets_in\":3000000,"
            "\"octets_out\":750000,\"stop_cause\":\"session_timeout\",\"amount_micros\":0}");
  const auto pending = commands();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].agent, agent_);
  EXPECT_EQ(wire_enum(pending[0].command.kind), gatemeter_CommandKind_COMMAND_END_SESSION);
  EXPECT_EQ(pending[0].command.session_id, session);
  EXPECT_EQ(wire_enum(pending[0].command.cause), gatemeter_StopCause_STOP_SESSION_TIMEOUT);

  // The same close again (another round, another node): nothing more.
  EXPECT_TRUE(sweep().close_sessions(w, t0 + 61).closed.empty());
  EXPECT_EQ(store_->feed().undelivered(FeedSink::file, 10).size(), 1u);
  EXPECT_EQ(commands().size(), 1u);
  EXPECT_TRUE(sweep().quiet_sessions(t0 + 100, 100).quiet.size() == 1u) << "only session 5";
}

TEST_P(SessionSweepTest, ANassSessionsAreLeftToTheNasNeverSweptAsStale) {
  // The RADIUS server's NAS (host/radius/): its interim interval is the NAS's own.
  const int64_t nas = store_->radius().nas_agent("nas-1", 100);
  report(7, 1, t0 + 10, nas);
  report(8, 1, t0 + 10);
  const SweepRead read = sweep().quiet_sessions(t0 + 40, 100);
  ASSERT_EQ(read.quiet.size(), 1u);
  EXPECT_EQ(read.quiet[0].agent, agent_);
  EXPECT_EQ(read.quiet[0].session_id, 8u);
}

TEST_P(SessionSweepTest, ARecordCommittedAfterTheReadKeepsTheSessionOpen) {
  report(7, 2, t0);
  heard(agent_, t0);
  const SweepRead read = sweep().quiet_sessions(t0 + 1, 100);
  ASSERT_EQ(read.quiet.size(), 1u);
  report(7, 3, t0 + 5);  // the census commits its next record meanwhile
  SweepWrite w;
  w.close = {{agent_, 7, read.quiet[0].seq, gatemeter_StopCause_STOP_SESSION_TIMEOUT}};
  EXPECT_TRUE(sweep().close_sessions(w, t0 + 6).closed.empty());
  EXPECT_EQ(store_->session("gw-1", 7)->state, SessionState::open);
  EXPECT_TRUE(store_->feed().undelivered(FeedSink::file, 10).empty());
  EXPECT_TRUE(commands().empty());
}

TEST_P(SessionSweepTest, ALostGatewayIsMarkedAndItsSessionsClosedOnlyWhileStillUnheard) {
  report(1, 1, t0);
  report(2, 1, t0);
  report(3, 1, t0, other_agent_);
  heard(agent_, t0);
  heard(other_agent_, t0);
  SweepWrite w;
  w.heard_after_unix = t0 + 1;  // neither heard since t0
  w.close = {{agent_, 1, 1, gatemeter_StopCause_STOP_LOST_CARRIER},
             {agent_, 2, 1, gatemeter_StopCause_STOP_LOST_CARRIER},
             {other_agent_, 3, 1, gatemeter_StopCause_STOP_LOST_CARRIER}};
  w.lost = {agent_, other_agent_};
  heard(other_agent_, t0 + 2);  // gw-2 is heard again before the write
  const SweepDone done = sweep().close_sessions(w, t0 + 30);
  EXPECT_EQ(done.closed.size(), 2u);
  EXPECT_EQ(done.gateways_lost, 1u);
  EXPECT_EQ(store_->session("gw-1", 1)->stop_cause, gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(store_->session("gw-1", 2)->state, SessionState::closed_by_restart);
  EXPECT_EQ(store_->session("gw-2", 3)->state, SessionState::open) << "heard again";
  EXPECT_EQ(commands().size(), 2u) << "END_SESSION for when gw-1 comes back";
  for (const auto& c : commands())
    EXPECT_EQ(wire_enum(c.command.cause), gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(store_->feed().undelivered(FeedSink::webhook, 10).size(), 2u);

  auto presence = sweep().quiet_sessions(t0, 100).presence;
  ASSERT_EQ(presence.size(), 2u);
  EXPECT_EQ(presence[0].agent, agent_);
  EXPECT_EQ(presence[0].lost_unix, t0 + 30);
  EXPECT_EQ(presence[1].lost_unix, 0);
  EXPECT_EQ(sweep().close_sessions(w, t0 + 31).gateways_lost, 0u) << "marked once";
  // The census hears gw-1 again: present.
  heard(agent_, t0 + 40);
  presence = sweep().quiet_sessions(t0, 100).presence;
  EXPECT_EQ(presence[0].last_seen_unix, t0 + 40);
  EXPECT_EQ(presence[0].lost_unix, 0);
}

TEST_P(SessionSweepTest, TwoConnectionsSweepingAtOnceCloseEachSessionOnce) {
  for (uint64_t s = 1; s <= 40; ++s) report(s, 1, t0);
  heard(agent_, t0);
  SweepWrite w;
  w.heard_after_unix = t0 - 100;
  for (const QuietSession& q : sweep().quiet_sessions(t0 + 1, 100).quiet)
    w.close.push_back({q.agent, q.session_id, q.seq, gatemeter_StopCause_STOP_SESSION_TIMEOUT});
  ASSERT_EQ(w.close.size(), 40u);
  std::vector<size_t> closed(3);
  std::vector<std::thread> nodes;
  for (size_t i = 0; i < closed.size(); ++i)
    nodes.emplace_back([&, i] {
      auto node = open_store(db_->spec());
      closed[i] = node->sweep().close_sessions(w, t0 + 10).closed.size();
    });
  for (auto& t : nodes) t.join();
  EXPECT_EQ(closed[0] + closed[1] + closed[2], 40u);
  EXPECT_EQ(commands().size(), 40u);
  EXPECT_EQ(store_->feed().undelivered(FeedSink::file, 100).size(), 40u);
}

TEST_P(SessionSweepTest, LowBalanceIsWarnedOncePerCrossingAndATopUpReArmsIt) {
  authorise(1, account_);  // acct-1: prepaid, 0.40 left
  authorise(2, account_);
  const int64_t postpaid = add_account("acct-post", AccountKind::postpaid, -5'000'000);
  authorise(3, postpaid);
  authorise(4, account_);
  store_->authorisations().end_authorisation(agent_, 4, t0);

  auto candidates = sweep().low_balance_candidates(1'000'000);
  ASSERT_EQ(candidates.size(), 2u) << "live prepaid sessions only";
  EXPECT_EQ(candidates[0].session_id, 1u);
  EXPECT_EQ(candidates[0].account, account_);
  EXPECT_EQ(candidates[0].balance_micros, 400'000);
  EXPECT_EQ(candidates[0].warned_unix, 0);
  EXPECT_TRUE(sweep().low_balance_candidates(300'000).empty()) << "above that threshold";

  LowBalanceWrite w;
  for (const auto& c : candidates) w.warn.push_back({c.agent, c.session_id, c.account, 1'000'000});
  EXPECT_EQ(sweep().warn_low_balance(w, t0 + 5).warned, 2u);
  const auto pending = commands();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(wire_enum(pending[0].command.kind), gatemeter_CommandKind_COMMAND_LOW_BALANCE);
  EXPECT_EQ(pending[0].command.session_id, 1u);
  EXPECT_EQ(pending[0].command.balance_micros, 400'000);
  EXPECT_EQ(sweep().warn_low_balance(w, t0 + 6).warned, 0u) << "warned already";
  EXPECT_EQ(commands().size(), 2u);
  candidates = sweep().low_balance_candidates(1'000'000);
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].warned_unix, t0 + 5);

  // A re-arm while the balance is still low changes nothing; after a top-up it clears the mark.
  LowBalanceWrite rearm;
  for (const auto& c : candidates) rearm.rearm.push_back({c.agent, c.session_id, c.account, 1'000'000});
  EXPECT_EQ(sweep().warn_low_balance(rearm, t0 + 7).rearmed, 0u);
  store_->account_book().top_up("pay-1", "acct-1", 2'000'000, t0 + 8);
  candidates = sweep().low_balance_candidates(1'000'000);
  ASSERT_EQ(candidates.size(), 2u) << "warned ones come back to be re-armed";
  EXPECT_EQ(candidates[0].balance_micros, 2'400'000);
  EXPECT_EQ(sweep().warn_low_balance(rearm, t0 + 9).rearmed, 2u);
  EXPECT_TRUE(sweep().low_balance_candidates(1'000'000).empty());
  // A warning decided before the top-up committed finds the balance above and sends nothing.
  EXPECT_EQ(sweep().warn_low_balance(w, t0 + 10).warned, 0u);
  EXPECT_EQ(commands().size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Databases, SessionSweepTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
