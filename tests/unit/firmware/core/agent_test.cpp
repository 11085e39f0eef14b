// The agent end to end in memory: fake clock, a captured uplink, a census model, and the real
// journal over simulated NOR flash.
#include "firmware/core/agent.h"

#include "firmware/store/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "tests/support/agent_rig.h"
#include "tests/support/fake_census.h"
#include "tests/support/fake_hal.h"

using namespace gm;
using namespace gm::core;

namespace {

struct Harness : test::AgentRig {
  LoginGrant grant;
  std::unique_ptr<test::FakeCensus> census;
  bool deliver_acks = true;
  bool deliver_datagrams = true;

  Harness() { reboot(); }

  void login(uint64_t login_session = 7) {
    grant.login_session = login_session;
    for (int i = 0; i < 32; ++i) grant.session_key[i] = static_cast<uint8_t>(i + login_session);
    grant.interval_s = 60;
    census = std::make_unique<test::FakeCensus>(login_session, grant.session_key);
    agent->on_login(grant, uplink);
  }

  // The agent logs in again while running (a renewal): the census now knows only the new login
  // session, and keeps what it holds.
  void renew(uint64_t login_session) {
    grant.login_session = login_session;
    for (int i = 0; i < 32; ++i) grant.session_key[i] = static_cast<uint8_t>(3 * i + login_session);
    census->relogin(login_session, grant.session_key);
    agent->on_login(grant, uplink);
  }

  // Delivers every captured datagram to the census and (unless acks are lost) its ack back;
  // with deliver_datagrams off, every datagram is lost on the way to the census.
  void exchange() {
    auto sent = std::move(uplink.sent);
    uplink.sent.clear();
    if (!deliver_datagrams) return;
    for (const auto& d : sent) {
      auto ack = census->receive(d);
      if (deliver_acks && !ack.empty()) agent->on_datagram(ack.data(), ack.size());
    }
  }

  // Moves time on second by second, ticking and exchanging like a running gateway.
  void run_s(int seconds) {
    for (int i = 0; i < seconds; ++i) {
      clock.advance_s(1);
      agent->tick();
      exchange();
    }
  }

  uint64_t start(const char* who, uint8_t billing = gatemeter_BillingOption_BILLING_PREPAID) {
    uint64_t id = 0;
    EXPECT_EQ(agent->start_session(who, "wifi", billing, id), StartResult::ok);
    return id;
  }
  uint64_t start_active(const char* who) {
    const uint64_t id = start(who);
    EXPECT_TRUE(agent->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE));
    return id;
  }
  const UsageRecord& at_census(uint64_t id) { return census->sessions.at(id); }
};

}  // namespace

TEST(Agent, StartRecordReachesTheCensusAndIsAcknowledged) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("alice@isp.example");
  h.run_s(1);
  ASSERT_TRUE(h.census->sessions.count(id));
  EXPECT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_START);
  EXPECT_EQ(h.at_census(id).seq, 1u);
  EXPECT_STREQ(h.at_census(id).subscriber, "alice@isp.example");
  EXPECT_STREQ(h.at_census(id).service, "wifi");
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
}

TEST(Agent, InterimRecordsCarryCumulativeTotalsEveryInterval) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("alice@isp.example");
  h.agent->on_traffic(id, 1000, 200);
  h.run_s(60);
  EXPECT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_INTERIM);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 60u);
  EXPECT_EQ(h.at_census(id).totals.octets_in, 1000u);
  h.agent->on_traffic(id, 500, 0);
  h.run_s(60);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 120u);
  EXPECT_EQ(h.at_census(id).totals.octets_in, 1500u);
  EXPECT_EQ(h.at_census(id).totals.octets_out, 200u);
}

TEST(Agent, StopRecordCarriesFinalTotalsAndFreesTheSlot) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("alice@isp.example");
  h.run_s(30);
  h.agent->on_traffic(id, 10, 20);
  ASSERT_TRUE(h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
  h.run_s(1);
  EXPECT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_USER_REQUEST);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 30u);
  EXPECT_EQ(h.at_census(id).totals.octets_out, 20u);
  EXPECT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->sessions().in_use(), 0u);
  EXPECT_FALSE(h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
}

TEST(Agent, IdleTimeoutStopsASilentSession) {
  Harness h;
  h.login();
  const uint64_t id = h.start(("bob@isp.example"));
  ASSERT_TRUE(h.agent->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE, 0, 0, 120));
  h.run_s(100);
  h.agent->on_traffic(id, 1, 1);  // activity resets the idle clock
  h.run_s(100);
  EXPECT_NE(h.agent->session(id), nullptr);
  h.run_s(25);
  ASSERT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_IDLE_TIMEOUT);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 220u);
}

TEST(Agent, SessionTimeoutStopsAtTheDeadline) {
  Harness h;
  h.login();
  const uint64_t id = h.start("carol@isp.example");
  ASSERT_TRUE(h.agent->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE, 0, 300));
  h.run_s(301);
  ASSERT_EQ(h.at_census(id).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 300u);
}

TEST(Agent, TemporaryApprovalEndsUnlessConfirmed) {
  Harness h;
  h.login();
  const uint64_t lapsed = h.start("dan@roam.example");
  const uint64_t kept = h.start("eve@roam.example");
  ASSERT_TRUE(h.agent->authorise(lapsed, gatemeter_AuthDecision_AUTH_TEMPORARY, 90));
  ASSERT_TRUE(h.agent->authorise(kept, gatemeter_AuthDecision_AUTH_TEMPORARY, 90));
  EXPECT_EQ(h.agent->session(kept)->state, SessionState::temporary);
  h.run_s(30);
  ASSERT_TRUE(h.agent->authorise(kept, gatemeter_AuthDecision_AUTH_APPROVE));
  h.run_s(70);
  EXPECT_EQ(h.at_census(lapsed).cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(h.at_census(lapsed).totals.charged_s, 90u);
  EXPECT_EQ(h.agent->session(kept)->state, SessionState::active);
}

TEST(Agent, HeartbeatIsAnEmptyBatchOncePerIntervalOnlyWhileNoSessionIsThere) {
  Harness h;
  h.login();
  h.run_s(59);
  EXPECT_EQ(h.census->datagrams_seen, 0u);
  h.run_s(1);
  ASSERT_EQ(h.census->datagrams_seen, 1u);
  EXPECT_EQ(h.census->last_batch.records_count, 0u);
  EXPECT_GT(h.census->last_batch.agent_time_unix, 1'790'000'000u);  // the agent's wall clock
  h.run_s(60);
  EXPECT_EQ(h.census->datagrams_seen, 2u);
  EXPECT_EQ(h.agent->stats().heartbeats, 2u);

  const uint64_t id = h.start_active("alice@isp.example");
  const uint64_t before = h.census->datagrams_seen;
  h.run_s(180);
  // Each interval's datagram carries the session's record: no empty batch beside it.
  EXPECT_EQ(h.agent->stats().heartbeats, 2u);
  EXPECT_GT(h.census->datagrams_seen, before);
  EXPECT_EQ(h.census->last_batch.records_count, 1u);
  ASSERT_TRUE(h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
  h.run_s(60);
  EXPECT_EQ(h.agent->stats().heartbeats, 3u);  // idle again
}

TEST(Agent, HeartbeatAckCarriesCommandsToAnIdleAgent) {
  Harness h;
  h.login();
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
  c.interval_s = 30;
  const uint64_t cmd = h.census->queue(c);
  h.run_s(60);
  EXPECT_EQ(h.agent->settings().interval_s, 30u);
  h.run_s(2);  // the confirmation goes at once, on its own
  EXPECT_GT(h.census->confirmations[cmd], 0u);
}

TEST(Agent, UndecidedSessionEndsAfterTheAuthorisingTimeout) {
  Harness h;
  h.login();
  const uint64_t id = h.start("nobody@isp.example");
  h.run_s(299);
  ASSERT_NE(h.agent->session(id), nullptr);
  h.run_s(2);
  ASSERT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_SESSION_TIMEOUT);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 0u);
  EXPECT_EQ(h.at_census(id).totals.free_s, 300u);
}

TEST(Agent, SettingsOfTheVersionBeforeTheAuthorisingTimeoutAreStillRead) {
  Harness h;
  // As the previous firmware stored them: version 1, AgentSettings without its last field.
  struct V1 {
    uint32_t version = 1;
    uint32_t interval_s = 45, copies = 3, retransmit_ms = 2000, persist_after_ms = 20000,
             idle_timeout_s = 0, session_timeout_s = 0, failover_after_ms = 9000;
    uint8_t track_usage = 1;
  } v1;
  static_assert(sizeof(V1) == 36, "the version 1 blob");
  ASSERT_EQ(h.journal->put_config(&v1, sizeof v1), store::JournalStatus::ok);
  h.reboot();  // boot() reads the stored blob over the harness's settings
  EXPECT_EQ(h.agent->settings().interval_s, 45u);
  EXPECT_EQ(h.agent->settings().failover_after_ms, 9000u);
  EXPECT_EQ(h.agent->settings().authorising_timeout_s, config::default_authorising_timeout_s);
}

TEST(Agent, RejectedSessionStopsWithAuthRejectedAndFreeWalledGardenTime) {
  Harness h;
  h.login();
  const uint64_t id = h.start("mallory@isp.example");
  h.run_s(20);
  ASSERT_TRUE(h.agent->authorise(id, gatemeter_AuthDecision_AUTH_REJECT));
  h.run_s(1);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_AUTH_REJECTED);
  EXPECT_EQ(h.at_census(id).totals.charged_s, 0u);
  EXPECT_EQ(h.at_census(id).totals.free_s, 20u);
}

TEST(Agent, HostCommandsEndSessionsWithTheirCause) {
  Harness h;
  h.login();
  const uint64_t by_host = h.start_active("frank@isp.example");
  const uint64_t broke = h.start_active("grace@isp.example");
  const uint64_t carrier = h.start_active("heidi@isp.example");
  h.run_s(10);
  gatemeter_Command end = gatemeter_Command_init_zero;
  end.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  end.session_id = by_host;
  h.census->commands.push_back(end);
  end.session_id = broke;
  end.cause = gatemeter_StopCause_STOP_ZERO_BALANCE;
  h.census->commands.push_back(end);
  h.agent->on_traffic(by_host, 1, 1);
  h.run_s(3);  // the next ack carries the commands
  h.agent->stop_session(carrier, gatemeter_StopCause_STOP_LOST_CARRIER);
  h.run_s(5);
  EXPECT_EQ(h.at_census(by_host).cause, gatemeter_StopCause_STOP_HOST_COMMAND);
  EXPECT_EQ(h.at_census(broke).cause, gatemeter_StopCause_STOP_ZERO_BALANCE);
  EXPECT_EQ(h.at_census(carrier).cause, gatemeter_StopCause_STOP_LOST_CARRIER);
  EXPECT_EQ(h.agent->stats().sessions_stopped[gatemeter_StopCause_STOP_ZERO_BALANCE], 1u);
}

TEST(Agent, SetIntervalAndUpdateCommandsApply) {
  Harness h;
  h.login();
  h.start_active("ivan@isp.example");
  h.run_s(1);
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_INTERVAL;
  c.interval_s = 15;
  h.census->commands.push_back(c);
  c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_UPDATE_AVAILABLE;
  c.version = 42;
  h.census->commands.push_back(c);
  h.run_s(60);  // the retransmit timer brings an ack back with the commands
  EXPECT_EQ(h.agent->settings().interval_s, 15u);
  EXPECT_TRUE(h.agent->update_available());
  // The interval survives a reboot: it is kept in the journal's configuration.
  h.reboot();
  EXPECT_EQ(h.agent->settings().interval_s, 15u);
}

TEST(Agent, FreePeriodCommandSplitsChargedAndFreeTime) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("judy@isp.example");
  h.run_s(20);
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_FREE_PERIOD;
  c.session_id = id;
  c.free_s = 30;
  h.census->commands.push_back(c);
  h.agent->on_traffic(id, 1, 0);
  h.run_s(100);
  h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
  h.run_s(1);
  const auto& t = h.at_census(id).totals;
  EXPECT_EQ(t.charged_s + t.free_s, 120u);
  EXPECT_EQ(t.free_s, 30u);
}

TEST(Agent, FullTableRefusesWithACauseAndKeepsEveryoneElse) {
  Harness h;
  h.login();
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < SessionTable::capacity; ++i)
    ids.push_back(h.start_active(("user" + std::to_string(i) + "@isp.example").c_str()));
  uint64_t extra = 0;
  EXPECT_EQ(h.agent->start_session("late@isp.example", "wifi", 1, extra), StartResult::table_full);
  EXPECT_EQ(h.agent->stats().sessions_refused_full, 1u);
  EXPECT_TRUE(h.log.saw("agent.session_table_full"));
  for (uint64_t id : ids) EXPECT_NE(h.agent->session(id), nullptr);
  // Stopping one makes room once its STOP is safe.
  h.agent->stop_session(ids[0], gatemeter_StopCause_STOP_USER_REQUEST);
  h.run_s(1);
  EXPECT_EQ(h.agent->start_session("late@isp.example", "wifi", 1, extra), StartResult::ok);
}

TEST(Agent, BadIdentityIsRefused) {
  Harness h;
  uint64_t id = 0;
  EXPECT_EQ(h.agent->start_session("no-realm", "wifi", 1, id), StartResult::bad_identity);
  EXPECT_EQ(h.agent->sessions().in_use(), 0u);
}

TEST(Agent, SessionIdsNeverRepeatAcrossReboots) {
  Harness h;
  std::set<uint64_t> seen;
  for (int boot = 0; boot < 5; ++boot) {
    for (int i = 0; i < 10; ++i) {
      uint64_t id = 0;
      ASSERT_EQ(h.agent->start_session("kim@isp.example", "wifi", 1, id), StartResult::ok);
      EXPECT_TRUE(seen.insert(id).second) << id;
      h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
      h.agent->tick();
    }
    const BootReport r = h.reboot();
    EXPECT_EQ(r.boot_count, static_cast<uint32_t>(boot + 2));
  }
}

// A wiped flash, or a replacement unit with the same credential, must not hand out ids the
// census already holds with higher sequence numbers (their new records would be dropped).
TEST(Agent, SessionIdsOnWipedFlashStartInANewEpoch) {
  Harness h;
  std::set<uint64_t> before;
  for (int i = 0; i < 40; ++i) before.insert(h.start("kim@isp.example"));
  const uint64_t epoch = *before.begin() >> 32;
  EXPECT_NE(epoch, 0u) << "ids on blank flash start in a nonzero epoch";
  for (uint64_t id : before) EXPECT_EQ(id >> 32, epoch);

  std::fill(h.flash.bytes().begin(), h.flash.bytes().end(), 0xFF);  // wiped
  h.reboot();
  const uint64_t id = h.start("kim@isp.example");
  EXPECT_NE(id >> 32, epoch) << "a wiped flash draws a new epoch";
  EXPECT_EQ(before.count(id), 0u);
}

TEST(Agent, SessionIdsKeepTheirEpochAcrossReboots) {
  Harness h;
  const uint64_t first = h.start("kim@isp.example");
  h.agent->tick();
  h.reboot();
  h.rng = test::FakeRng(12345);  // a different draw would show as a different epoch
  const uint64_t later = h.start("kim@isp.example");
  EXPECT_EQ(later >> 32, first >> 32);
  EXPECT_GT(later, first);
}

TEST(Agent, SessionIdsOnBlankFlashStillHaveAnEpochWhenTheRngFails) {
  Harness h;
  h.rng.ok = false;
  std::fill(h.flash.bytes().begin(), h.flash.bytes().end(), 0xFF);
  h.reboot();
  EXPECT_NE(h.start("kim@isp.example") >> 32, 0u);
  EXPECT_TRUE(h.log.saw("agent.rng_failed"));
}

TEST(Agent, HealthyUplinkWritesAlmostNothingToFlash) {
  Harness h;
  h.login();
  for (int i = 0; i < 20; ++i) h.start_active(("u" + std::to_string(i) + "@isp.example").c_str());
  const uint64_t before = h.journal->stats().bytes_programmed;
  h.run_s(3600);
  EXPECT_EQ(h.journal->stats().bytes_programmed, before);
  EXPECT_EQ(h.agent->outbox().stats().records_persisted, 0u);
}

TEST(Agent, WhileAcksStayAwayEachSessionIsWrittenOncePerInterval) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.deliver_acks = false;
  h.run_s(600);  // resends every 3 s make new records; flash sees one per 60 s interval
  const uint64_t persisted = h.agent->outbox().stats().records_persisted;
  EXPECT_GE(persisted, 9u);
  EXPECT_LE(persisted, 11u);
  // What flash holds is never more than an interval behind the session.
  UsageRecord r;
  ASSERT_TRUE(h.journal->find(id, r));
  EXPECT_GE(r.totals.charged_s + 61, h.agent->session(id)->charged_s);
  // A STOP does not wait for the interval: it goes to flash after persist_after.
  ASSERT_TRUE(h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST));
  h.run_s(31);
  ASSERT_TRUE(h.journal->find(id, r));
  EXPECT_EQ(r.kind, gatemeter_RecordKind_RECORD_STOP);
}

TEST(Agent, OutboxCoalescesPerSessionWhileAcksAreLost) {
  Harness h;
  h.login();
  const uint64_t a = h.start_active("a@isp.example");
  const uint64_t b = h.start_active("b@isp.example");
  h.deliver_acks = false;
  h.run_s(600);
  EXPECT_EQ(h.agent->outbox().pending(), 2u);  // one newest record per session, however long
  h.deliver_acks = true;
  h.run_s(5);
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
  h.agent->stop_session(a, gatemeter_StopCause_STOP_USER_REQUEST);
  h.agent->stop_session(b, gatemeter_StopCause_STOP_USER_REQUEST);
  h.run_s(1);
  EXPECT_EQ(h.at_census(a).totals.charged_s, 605u);
  EXPECT_EQ(h.at_census(b).totals.charged_s, 605u);
  // What stayed unacknowledged went to flash, and was forgotten once acknowledged.
  EXPECT_GT(h.agent->outbox().stats().records_persisted, 0u);
  EXPECT_EQ(h.journal->record_count(), 0u);
}

TEST(Agent, RefusesAcksThatAreForged) {
  Harness h;
  h.login();
  h.start_active("a@isp.example");
  h.agent->tick();
  ASSERT_FALSE(h.uplink.sent.empty());
  uint8_t other_key[32] = {99};
  test::FakeCensus forger(7, other_key);
  auto forged = forger.receive(h.uplink.sent.front());
  EXPECT_TRUE(forged.empty());  // the forger cannot even open it
  test::FakeCensus honest(7, h.grant.session_key);
  auto ack = honest.receive(h.uplink.sent.front());
  ack[ack.size() - 1] ^= 1;
  EXPECT_EQ(h.agent->on_datagram(ack.data(), ack.size()), frame::Refusal::bad_tag);
  EXPECT_EQ(h.agent->outbox().pending(), 1u);
}

TEST(Agent, OutageThenRebootClosesSessionsWithAgentRestartAndSendsThemAfterLogin) {
  Harness h;
  h.login();
  const uint64_t a = h.start_active("a@isp.example");
  h.agent->on_traffic(a, 5000, 100);
  h.run_s(60);
  EXPECT_EQ(h.at_census(a).totals.charged_s, 60u);
  h.agent->on_uplink_lost();
  h.run_s(125);  // two more intervals, journaled because the uplink is down
  const uint32_t truth = h.agent->session(a)->charged_s;
  EXPECT_GT(h.agent->outbox().stats().records_persisted, 0u);

  const BootReport boot = h.reboot();  // power cut: RAM is gone
  EXPECT_EQ(boot.sessions_closed, 1u);
  h.login(8);
  h.run_s(1);
  ASSERT_TRUE(h.census->sessions.count(a));
  EXPECT_EQ(h.at_census(a).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(a).cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  // At most one metering interval is lost to the cut.
  EXPECT_LE(truth - h.at_census(a).totals.charged_s, 60u);
  EXPECT_GE(h.at_census(a).totals.charged_s, 120u);
  EXPECT_EQ(h.at_census(a).totals.octets_in, 5000u);
  EXPECT_EQ(h.journal->record_count(), 0u);
}

TEST(Agent, TrackUsageOffAuthorisesButSendsNothing) {
  Harness h;
  h.grant.track_usage = false;  // what the login service says for this agent
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.run_s(120);
  EXPECT_TRUE(h.uplink.sent.empty());
  EXPECT_EQ(h.census->sessions.count(id), 0u);
}

TEST(Agent, FailsOverToTheNextCensusWhenAcksStop) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.run_s(5);
  EXPECT_EQ(h.uplink.failovers, 0);
  h.deliver_acks = false;  // this census went silent
  h.run_s(70);             // the interval record went at 60 s and has waited 10 s
  EXPECT_GE(h.uplink.failovers, 1);
  EXPECT_EQ(h.agent->stats().failovers, static_cast<uint64_t>(h.uplink.failovers));
  h.deliver_acks = true;  // the next census answers
  const int before = h.uplink.failovers;
  h.run_s(30);
  EXPECT_EQ(h.uplink.failovers, before);
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
  EXPECT_GE(h.at_census(id).totals.charged_s, 60u);  // the interval record got through
  EXPECT_FALSE(h.agent->login_due()) << "the next census answered: the login is good";
}

// Silence counts only while records wait for an answer: a quiet spell between interval records
// (60 s here, failover after 10 s) is not a silent census.
TEST(Agent, AHealthyCensusIsKeptThoughIntervalsAreLongerThanTheFailoverTime) {
  Harness h;
  h.login();
  h.start_active("a@isp.example");
  h.start_active("b@isp.example");
  h.run_s(600);
  EXPECT_EQ(h.uplink.failovers, 0);
  EXPECT_FALSE(h.agent->login_due());
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
}

// ---- logging in again: when the agent says so, and what a renewal keeps --------------------

TEST(Agent, ALoginIsDueAfterBootAndOnlyTheFirstDoesNotContinue) {
  Harness h;
  EXPECT_TRUE(h.agent->login_due());
  EXPECT_EQ(h.agent->login_reason(), LoginReason::boot);
  EXPECT_FALSE(h.agent->login_continues());
  h.login();
  EXPECT_FALSE(h.agent->login_due());
  EXPECT_TRUE(h.agent->login_continues());
  EXPECT_EQ(h.agent->renew_at_ms(), 0u) << "no lifetime told: never renewed for it";
  h.run_s(86400);
  EXPECT_FALSE(h.agent->login_due());

  h.agent->on_uplink_lost();
  EXPECT_EQ(h.agent->login_reason(), LoginReason::uplink_lost);
  EXPECT_TRUE(h.agent->login_continues()) << "no reboot: the sessions go on";
  h.login(8);
  EXPECT_FALSE(h.agent->login_due());

  h.reboot();
  EXPECT_EQ(h.agent->login_reason(), LoginReason::boot);
  EXPECT_FALSE(h.agent->login_continues()) << "after a reboot the host closes the old sessions";
}

TEST(Agent, ALoginIsRenewedInTheLastQuarterOfItsLifetimeBeforeItEnds) {
  Harness h;
  h.grant.lifetime_s = 60;
  h.login();
  const uint64_t granted = h.clock.ms;
  // A quarter early (15 s), spread over the first half of that by the login session id.
  EXPECT_GE(h.agent->renew_at_ms(), granted + 45'000);
  EXPECT_LE(h.agent->renew_at_ms(), granted + 52'500);
  int waited = 0;
  while (!h.agent->login_due() && waited < 120) {
    h.run_s(1);
    ++waited;
  }
  ASSERT_TRUE(h.agent->login_due());
  EXPECT_EQ(h.agent->login_reason(), LoginReason::lifetime);
  EXPECT_GE(waited, 45);
  EXPECT_LE(waited, 53);
  EXPECT_TRUE(h.agent->login_continues());
  EXPECT_EQ(h.agent->stats().logins_for_lifetime, 1u);

  // The renewal restarts the count from its own grant.
  h.renew(8);
  EXPECT_FALSE(h.agent->login_due());
  EXPECT_GE(h.agent->renew_at_ms(), h.clock.ms + 45'000);
  EXPECT_EQ(h.agent->stats().logins, 2u);
}

TEST(Agent, ALongLifetimeIsRenewedAtMostTenMinutesEarly) {
  Harness h;
  h.grant.lifetime_s = 86400;
  h.login(0x1234567);
  const uint64_t end = h.clock.ms + 86'400'000;
  EXPECT_GE(h.agent->renew_at_ms(), end - 600'000);
  EXPECT_LE(h.agent->renew_at_ms(), end - 300'000);
  // Logins drawn at random renew at different moments (a fleet does not come back at once).
  Harness other;
  other.grant.lifetime_s = 86400;
  other.clock.ms = h.clock.ms;
  other.login(0x7654321);
  EXPECT_NE(other.agent->renew_at_ms(), h.agent->renew_at_ms());
}

// Disabled, expired, or forgotten by a census that lost its state: no census answers a login
// it does not hold, so silence on every address is all the agent learns of it.
TEST(Agent, ALoginIsDueOnceEveryCensusHasBeenSilentInTurn) {
  Harness h;
  h.login();
  h.start_active("a@isp.example");
  h.run_s(5);
  h.deliver_acks = false;
  h.run_s(55);  // the interval record goes out at 60 s and waits
  ASSERT_GT(h.agent->outbox().pending(), 0u);
  h.run_s(10);  // the first census was silent for 10 s: the next one is tried
  EXPECT_EQ(h.uplink.failovers, 1);
  EXPECT_FALSE(h.agent->login_due());
  h.run_s(10);  // and the second: none knows this login
  EXPECT_EQ(h.uplink.failovers, 2);
  EXPECT_TRUE(h.agent->login_due());
  EXPECT_EQ(h.agent->login_reason(), LoginReason::census_silent);
  EXPECT_TRUE(h.agent->login_continues());
  EXPECT_EQ(h.agent->stats().logins_for_silence, 1u);

  // One address only: its silence alone makes the login due.
  Harness one;
  one.uplink.census = 1;
  one.login();
  one.start_active("a@isp.example");
  one.deliver_acks = false;
  one.run_s(10);
  EXPECT_TRUE(one.agent->login_due());
}

TEST(Agent, LoginsForSilenceBackOffUntilACensusAnswersAgain) {
  Harness h;
  h.login();
  h.start_active("a@isp.example");
  h.deliver_acks = false;
  auto seconds_until_due = [&] {
    int s = 0;
    while (!h.agent->login_due() && s < 2000) {
      h.run_s(1);
      ++s;
    }
    return s;
  };
  EXPECT_EQ(seconds_until_due(), 20);  // two censuses, 10 s each
  h.renew(8);                          // the new login brings no ack either
  EXPECT_EQ(seconds_until_due(), 40);
  h.renew(9);
  EXPECT_EQ(seconds_until_due(), 80);
  // An answer shows the login is known: the login wanted for silence is called off, and the
  // next silence is met as the first was.
  h.deliver_acks = true;
  h.run_s(4);
  EXPECT_FALSE(h.agent->login_due());
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
  h.deliver_acks = false;
  h.start_active("b@isp.example");  // a record waits from now
  EXPECT_EQ(seconds_until_due(), 20);
}

// A renewal changes the login session and its key and nothing else: every session stays, and
// what waited unacknowledged (in the table and in the journal) goes again under the new login.
TEST(Agent, RenewalKeepsEverySessionAndResendsWhatWasUnacknowledgedUnderTheNewLogin) {
  Harness h;
  h.login(7);
  const uint64_t a = h.start_active("a@isp.example");
  const uint64_t b = h.start_active("b@isp.example");
  const uint64_t c = h.start_active("c@isp.example");
  h.agent->on_traffic(a, 1000, 10);
  h.run_s(5);
  ASSERT_EQ(h.agent->outbox().pending(), 0u);

  // The census stops hearing the agent.
  h.deliver_datagrams = false;
  h.agent->on_traffic(b, 500, 50);
  ASSERT_TRUE(h.agent->stop_session(c, gatemeter_StopCause_STOP_USER_REQUEST));
  h.run_s(80);  // a and b's interval records wait; c's STOP waited past 30 s: in the journal
  EXPECT_EQ(h.agent->outbox().pending(), 3u);
  EXPECT_EQ(h.agent->session(c), nullptr);
  UsageRecord in_flash;
  ASSERT_TRUE(h.journal->find(c, in_flash));
  ASSERT_TRUE(h.agent->login_due());
  EXPECT_EQ(h.agent->login_reason(), LoginReason::census_silent);

  const uint64_t before = h.census->datagrams_seen;
  h.deliver_datagrams = true;
  h.renew(8);
  EXPECT_FALSE(h.agent->login_due());
  EXPECT_EQ(h.agent->sessions().in_use(), 2u);
  EXPECT_EQ(h.agent->session(a)->state, SessionState::active);
  EXPECT_EQ(h.agent->session(b)->state, SessionState::active);
  h.run_s(1);
  EXPECT_GT(h.census->datagrams_seen, before) << "opened only under the new login's key";
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
  EXPECT_EQ(h.journal->record_count(), 0u);
  EXPECT_EQ(h.at_census(c).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(c).totals.charged_s, 5u);
  EXPECT_EQ(h.at_census(b).totals.octets_in, 500u);

  // Sessions meter on under the new login; at the end the census holds exactly their totals.
  h.run_s(60);
  h.agent->stop_session(a, gatemeter_StopCause_STOP_USER_REQUEST);
  h.agent->stop_session(b, gatemeter_StopCause_STOP_USER_REQUEST);
  h.run_s(1);
  EXPECT_EQ(h.at_census(a).kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(h.at_census(a).totals.charged_s, 146u);
  EXPECT_EQ(h.at_census(a).totals.octets_in, 1000u);
  EXPECT_EQ(h.at_census(b).totals.charged_s, 146u);
  EXPECT_EQ(h.at_census(b).totals.octets_out, 50u);
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
}

// The census committed the records under the old login but its acks were lost: resent under
// the new login with the same (session, seq), they are acknowledged as duplicates.
TEST(Agent, RecordsTheCensusAlreadyHeldAreAcknowledgedAgainAfterARenewalNotCountedTwice) {
  Harness h;
  h.login(7);
  const uint64_t a = h.start_active("a@isp.example");
  h.agent->on_traffic(a, 1000, 10);
  h.deliver_acks = false;
  h.run_s(61);
  ASSERT_EQ(h.agent->outbox().pending(), 1u);
  const UsageRecord held = h.at_census(a);
  EXPECT_EQ(held.kind, gatemeter_RecordKind_RECORD_INTERIM);

  h.deliver_acks = true;
  const uint64_t duplicates = h.census->duplicates;
  h.renew(8);
  h.agent->tick();
  h.exchange();
  EXPECT_EQ(h.agent->outbox().pending(), 0u);
  EXPECT_GT(h.census->duplicates, duplicates);
  EXPECT_EQ(h.at_census(a).seq, held.seq);
  EXPECT_EQ(h.at_census(a).totals.charged_s, held.totals.charged_s);
  EXPECT_EQ(h.at_census(a).totals.octets_in, 1000u);
}

// ---- commands that arrive: applied once per id, confirmed until the census has it ----------

namespace {
gatemeter_Command end_session(uint64_t session) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_END_SESSION;
  c.session_id = session;
  return c;
}
gatemeter_Command free_period(uint64_t session, uint32_t seconds) {
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_SET_FREE_PERIOD;
  c.session_id = session;
  c.free_s = seconds;
  return c;
}
}  // namespace

TEST(Agent, ResentEndSessionIsAppliedOnceAndConfirmed) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  const uint64_t other = h.start_active("b@isp.example");
  // Acks stay away for a while: the agent resends its records in several datagrams, all sealed
  // before the command exists.
  for (int i = 0; i < 10; ++i) {
    h.clock.advance_s(1);
    h.agent->tick();
  }
  ASSERT_GE(h.uplink.sent.size(), 3u);
  const uint64_t cid = h.census->queue(end_session(id));
  h.exchange();  // every one of their acks carries the command
  EXPECT_EQ(h.agent->stats().commands, 1u);
  EXPECT_GE(h.agent->stats().commands_repeated, 2u);
  EXPECT_EQ(h.agent->stats().sessions_stopped[gatemeter_StopCause_STOP_HOST_COMMAND], 1u);
  h.run_s(5);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_HOST_COMMAND);
  EXPECT_NE(h.agent->session(other), nullptr);
  EXPECT_GE(h.census->confirmations[cid], 1u);
  EXPECT_TRUE(h.census->pending.empty());
  EXPECT_EQ(h.agent->applied_commands().confirming(), 0u);
  EXPECT_EQ(h.agent->stats().commands, 1u);
}

// A census node that never saw the confirmation (its pending list is stale) sends the command
// again much later: applying SET_FREE_PERIOD a second time would make 30 more seconds free.
TEST(Agent, FreePeriodSentAgainMuchLaterIsNotAppliedTwice) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("judy@isp.example");
  h.run_s(20);
  auto stale = std::make_unique<test::FakeCensus>(7, h.grant.session_key);
  const uint64_t cid = h.census->queue(free_period(id, 30));
  ASSERT_EQ(stale->queue(free_period(id, 30)), cid);  // the same command, by id
  h.run_s(45);  // the interval record's ack carries it at 60 s
  EXPECT_EQ(h.agent->stats().commands, 1u);
  EXPECT_TRUE(h.census->pending.empty());
  std::swap(h.census, stale);  // the next datagrams reach the stale node
  h.run_s(60);                 // its ack of the interval record at 120 s carries the command
  EXPECT_GE(h.agent->stats().commands_repeated, 1u);
  EXPECT_TRUE(h.census->pending.empty()) << "confirmed again to the stale node";
  std::swap(h.census, stale);
  h.agent->stop_session(id, gatemeter_StopCause_STOP_USER_REQUEST);
  h.run_s(1);
  const UsageRecord& r = h.at_census(id);
  EXPECT_EQ(r.kind, gatemeter_RecordKind_RECORD_STOP);
  EXPECT_EQ(r.totals.free_s, 30u);
  EXPECT_EQ(r.totals.charged_s + r.totals.free_s, 125u);
  EXPECT_EQ(h.agent->stats().commands, 1u);
}

TEST(Agent, ConfirmationTravelsAloneWhenNoRecordIsDue) {
  Harness h;
  h.login();
  h.start_active("a@isp.example");
  h.run_s(1);
  gatemeter_Command c = gatemeter_Command_init_zero;
  c.kind = gatemeter_CommandKind_COMMAND_UPDATE_AVAILABLE;
  c.version = 9;
  const uint64_t cid = h.census->queue(c);
  h.run_s(59);  // the interval record's ack brings it
  ASSERT_TRUE(h.agent->update_available());
  const uint64_t seen = h.census->datagrams_seen;
  h.run_s(1);  // nothing else is due: the confirmation goes alone, at once
  ASSERT_EQ(h.census->datagrams_seen, seen + 1);
  EXPECT_EQ(h.census->last_batch.records_count, 0u);
  ASSERT_EQ(h.census->last_batch.confirmed_commands_count, 1u);
  EXPECT_EQ(h.census->last_batch.confirmed_commands[0], cid);
  EXPECT_TRUE(h.census->pending.empty());
  // Acknowledged: the next interval record carries no confirmation.
  h.run_s(60);
  EXPECT_GT(h.census->last_batch.records_count, 0u);
  EXPECT_EQ(h.census->last_batch.confirmed_commands_count, 0u);
}

TEST(Agent, ConfirmationsRepeatUntilADatagramCarryingThemIsAcknowledged) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.run_s(1);
  const uint64_t cid = h.census->queue(free_period(id, 10));
  h.run_s(59);
  ASSERT_EQ(h.agent->stats().commands, 1u);
  h.deliver_acks = false;  // the census gets the confirmations, the agent never hears back
  h.run_s(12);
  const uint64_t confirmed = h.census->confirmations[cid];
  EXPECT_GE(confirmed, 4u);  // alone at once, then on every retransmit (3 s)
  EXPECT_EQ(h.agent->applied_commands().confirming(), 1u);
  h.deliver_acks = true;
  h.run_s(4);
  EXPECT_EQ(h.agent->applied_commands().confirming(), 0u);
  const uint64_t settled = h.census->confirmations[cid];
  h.run_s(30);
  EXPECT_EQ(h.census->confirmations[cid], settled);
  EXPECT_EQ(h.agent->stats().commands, 1u);
}

TEST(Agent, CommandWithoutAnIdIsAppliedAndNeverConfirmed) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.run_s(1);
  h.census->commands.push_back(end_session(id));  // a census that sends no ids
  h.run_s(60);
  EXPECT_EQ(h.at_census(id).cause, gatemeter_StopCause_STOP_HOST_COMMAND);
  EXPECT_EQ(h.agent->stats().commands, 1u);
  EXPECT_TRUE(h.census->confirmations.empty());
}

TEST(Agent, RebootForgetsAppliedIdsButAResentSessionCommandChangesNothing) {
  Harness h;
  h.login();
  const uint64_t id = h.start_active("a@isp.example");
  h.run_s(1);
  h.census->queue(free_period(id, 30));
  h.run_s(59);
  ASSERT_EQ(h.agent->stats().commands, 1u);
  h.reboot();  // before the confirmation got through: RAM, and the table of ids, are gone
  h.login(8);
  h.census->queue(free_period(id, 30));  // resent to the next login session
  const uint64_t next = h.start_active("b@isp.example");
  h.run_s(61);
  EXPECT_EQ(h.agent->stats().commands, 1u);  // applied, to a session the reboot closed
  EXPECT_EQ(h.agent->session(id), nullptr);
  EXPECT_EQ(h.agent->session(next)->free_s, 0u);
  EXPECT_TRUE(h.census->pending.empty());
}
