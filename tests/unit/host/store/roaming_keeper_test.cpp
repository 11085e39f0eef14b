// Ended roaming sessions kept as raw settlement records (host/store/roaming_keeper.h), on both
// databases: in the transaction that ends each session, wherever that is (the census's commit
// of its STOP, the billing sweep's close, a restart's login), once however often the STOP comes
// again or a record raises a closed session; never for another billing option, and never with
// keeping off (the default). The record comes out clean with the right providers.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "host/settlement/period_cleaning.h"
#include "host/store/store.h"
#include "tests/support/store_fixture.h"

namespace gm::host {
namespace {

constexpr int64_t start = 1'796'083'200;  // 2026-12-01T00:00:00Z: 11:00 in Sydney (AEDT)
constexpr int64_t day = 86'400;

class RoamingKeeperTest : public test::StoreOnEachDatabase {
 protected:
  void SetUp() override {
    StoreOnEachDatabase::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(store_->add_agent("gw-syd-1", {1}, 100));
    agent_ = store_->find_agent("gw-syd-1")->id;
    keeping_ = open_store(db_->spec(), {.roaming = {true, "gm-aas", "Australia/Sydney"}});
  }
  // Session `session`'s record `seq`: 60 s charged and 5 s free a seq, billed as `billing`.
  static VerifiedRecord record(int64_t agent, uint64_t session, uint32_t seq, uint8_t kind,
                               uint8_t billing = gatemeter_BillingOption_BILLING_ROAMING) {
    VerifiedRecord v;
    v.agent = agent;
    v.login_session = 77;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = kind;
    v.record.cause =
        kind == gatemeter_RecordKind_RECORD_STOP ? gatemeter_StopCause_STOP_USER_REQUEST : 0;
    v.record.totals = {60 * seq, 5 * seq, 1000ull * seq, 10ull * seq};
    std::strcpy(v.record.subscriber, billing == gatemeter_BillingOption_BILLING_ROAMING
                                         ? "Roamer@Partner.Example"
                                         : "ann@hotspot.example");
    std::strcpy(v.record.service, "wifi");
    v.record.billing = billing;
    v.record.start_unix = start;
    return v;
  }
  VerifiedRecord interim(uint64_t s, uint32_t seq) {
    return record(agent_, s, seq, gatemeter_RecordKind_RECORD_INTERIM);
  }
  VerifiedRecord stop(uint64_t s, uint32_t seq) {
    return record(agent_, s, seq, gatemeter_RecordKind_RECORD_STOP);
  }
  LoginOpened login(Store& store, uint64_t id, int64_t now, uint32_t boot,
                    bool continuing = false) {
    NewLogin l;
    l.continuing = continuing;
    l.agent = agent_;
    l.id = id;
    l.sealed_tag_key = {9};
    l.boot_count = boot;
    l.now_unix = now;
    l.expires_unix = now + 10'000;
    return store.open_login_session(l);
  }
  // The census's commit of one datagram (login 77, frame `frame`) carrying `records`.
  void commit(Store& store, std::vector<VerifiedRecord> records, uint32_t frame, int64_t now) {
    CensusCommit c;
    c.datagrams.push_back({agent_, 77, frame, DatagramVerdict::none});
    c.records = std::move(records);
    store.commit_datagrams(c, now);
  }
  std::vector<settlement::RawRecord> raw() {
    return store_->settlement().raw_between(0, INT64_MAX, {0, 0}, 1'000);
  }

  int64_t agent_ = 0;
  std::unique_ptr<Store> keeping_;
};

TEST_P(RoamingKeeperTest, TheCensusCommitOfARoamingStopKeepsItsRawRecordOnceAndNoOtherSessions) {
  login(*keeping_, 77, start, 1);
  commit(*keeping_,
         {interim(1, 1), record(agent_, 2, 1, gatemeter_RecordKind_RECORD_INTERIM,
                                gatemeter_BillingOption_BILLING_PREPAID)},
         1, start + 70);
  EXPECT_TRUE(raw().empty());  // an interim ends nothing
  commit(*keeping_,
         {stop(1, 4), record(agent_, 2, 2, gatemeter_RecordKind_RECORD_STOP,
                             gatemeter_BillingOption_BILLING_PREPAID)},
         2, start + 300);
  auto r = raw();
  ASSERT_EQ(r.size(), 1u);  // the prepaid session is this operator's own: not settled
  EXPECT_EQ(r[0].user_name, "Roamer@Partner.Example");
  EXPECT_EQ(r[0].user_domain, "partner.example");
  EXPECT_EQ(r[0].status_type, "Stop");
  EXPECT_EQ(r[0].session_id, "1");
  EXPECT_EQ(r[0].session_time_s, 4 * 65);  // charged + free: the whole connection
  EXPECT_EQ(r[0].nas_id, "gw-syd-1");
  EXPECT_EQ(r[0].local_server, "gm-aas");
  EXPECT_EQ(r[0].home_server, "");
  EXPECT_EQ(r[0].stop_gmt_unix, start + 260);
  EXPECT_EQ(r[0].stop_local, "2026-12-01 11:04:20");
  EXPECT_EQ(r[0].time_zone, "Australia/Sydney");
  EXPECT_EQ(r[0].create_unix, start + 300);

  // The same STOP again (a resend in a new datagram, a replay of the old one), and a STOP
  // with a higher seq: the session was ended already, nothing more is kept.
  commit(*keeping_, {stop(1, 4)}, 3, start + 310);
  commit(*keeping_, {stop(1, 4)}, 2, start + 311);
  commit(*keeping_, {stop(1, 5)}, 4, start + 320);
  EXPECT_EQ(raw().size(), 1u);
  EXPECT_EQ(store_->session("gw-syd-1", 1)->totals.charged_s, 300u);  // the usage still rose
}

TEST_P(RoamingKeeperTest, KeepingIsOffByDefault) {
  login(*store_, 77, start, 1);
  commit(*store_, {stop(1, 4)}, 1, start + 300);
  store_->apply({interim(2, 1)}, {}, start + 60);
  SweepWrite w;
  w.close = {{agent_, 2, 1, gatemeter_StopCause_STOP_SESSION_TIMEOUT}};
  EXPECT_EQ(store_->sweep().close_sessions(w, start + 900).closed.size(), 1u);
  store_->apply({interim(3, 1)}, {}, start + 60);
  EXPECT_EQ(login(*store_, 78, start + 1000, 2).sessions_closed, 1u);
  EXPECT_TRUE(raw().empty());
  EXPECT_EQ(store_->session("gw-syd-1", 1)->state, SessionState::stopped);
}

TEST_P(RoamingKeeperTest, TheSweepsCloseKeepsTheLastReportedTotalsOnceAndALateStopAddsNone) {
  keeping_->apply({interim(1, 3)}, {}, start + 200);
  SweepWrite w;
  w.close = {{agent_, 1, 3, gatemeter_StopCause_STOP_LOST_CARRIER}};
  w.heard_after_unix = start + 1000;
  CensusCommit heard;
  heard.present = {agent_};
  keeping_->commit_datagrams(heard, start + 200);
  EXPECT_EQ(keeping_->sweep().close_sessions(w, start + 900).closed.size(), 1u);
  EXPECT_EQ(keeping_->sweep().close_sessions(w, start + 901).closed.size(), 0u);  // a 2nd node
  keeping_->apply({stop(1, 4)}, {}, start + 950);  // the gateway came back with its STOP
  const auto r = raw();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].session_time_s, 3 * 65);
  EXPECT_EQ(r[0].stop_gmt_unix, start + 195);  // the end of its usage, not the sweep's time
  EXPECT_EQ(r[0].create_unix, start + 900);
}

TEST_P(RoamingKeeperTest, ARestartsLoginKeepsTheAgentsOpenRoamingSessionsAtTheirCommittedTotals) {
  login(*keeping_, 77, start, 1);
  keeping_->apply({interim(1, 2), interim(2, 1),
                   record(agent_, 3, 1, gatemeter_RecordKind_RECORD_INTERIM,
                          gatemeter_BillingOption_BILLING_POSTPAID)},
                  {}, start + 130);
  keeping_->apply({stop(2, 2)}, {}, start + 140);  // ended by its STOP: kept then
  ASSERT_EQ(raw().size(), 1u);
  EXPECT_EQ(login(*keeping_, 78, start + 500, 2).sessions_closed, 2u);  // sessions 1 and 3
  auto r = raw();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].session_id, "1");
  EXPECT_EQ(r[1].session_time_s, 2 * 65);
  EXPECT_EQ(r[1].create_unix, start + 500);
  // A renewal ends nothing; the agent's STOP from flash after its reboot raises the ledger
  // but keeps no second record; the next reboot's login keeps the session opened since.
  keeping_->apply({interim(4, 1)}, {}, start + 510);
  EXPECT_EQ(login(*keeping_, 79, start + 600, 2, /*continuing=*/true).sessions_closed, 0u);
  keeping_->apply({stop(1, 3)}, {}, start + 610);
  EXPECT_EQ(store_->session("gw-syd-1", 1)->totals.charged_s, 180u);
  EXPECT_EQ(raw().size(), 2u);
  EXPECT_EQ(login(*keeping_, 80, start + 700, 3).sessions_closed, 1u);
  r = raw();
  ASSERT_EQ(r.size(), 3u);
  std::multiset<std::string> ids;
  for (const settlement::RawRecord& k : r) ids.insert(k.session_id);
  EXPECT_EQ(ids, (std::multiset<std::string>{"1", "2", "4"}));
}

TEST_P(RoamingKeeperTest, TheKeptRecordComesOutCleanAsTheServingAndHomeProvidersUsage) {
  SettlementLedger& ledger = store_->settlement();
  ledger.set_provider({"Hotspot", "Australia"});
  ledger.set_provider({"Partner", "USA"});
  ledger.set_server("gm-aas", "Hotspot");
  ledger.set_realm("partner.example", "Partner");
  login(*keeping_, 77, start, 1);
  commit(*keeping_, {stop(1, 4)}, 1, start + 300);
  const settlement::PeriodCleaning done =
      settlement::clean_period(ledger, start, start + day, day, start + day);
  EXPECT_EQ(done.records, 1);
  EXPECT_EQ(done.clean, 1);
  const auto h = ledger.history_between(start, start + day, {0, 0}, 10, HistorySet::regular);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].user, "roamer@partner.example");
  EXPECT_EQ(h[0].serving_provider, "Hotspot");
  EXPECT_EQ(h[0].home_provider, "Partner");
  EXPECT_EQ(h[0].session_time_s, 260u);
  EXPECT_EQ(h[0].nas_id, "gw-syd-1");
}

INSTANTIATE_TEST_SUITE_P(Databases, RoamingKeeperTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace gm::host
