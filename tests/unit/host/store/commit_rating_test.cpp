// Billing's seam in the census's commit (commit_rater.h, session_growth.h), on both databases:
// a linked session's growth is rated and its account debited in the commit's own transaction;
// replays, duplicates and reordered records debit nothing; counters never go backwards and
// never credit; a line closes when the rate changes. The rater here is a stand-in with a price
// per charged second, so every expected amount is a product written out in the test.
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "host/store/commit_rater.h"
#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

// 3 micro-units per charged second until `switch_at`, then 5 (rate 2): one line per rate.
class PerSecondRater final : public CommitRater {
 public:
  int64_t switch_at = INT64_MAX;
  int calls = 0;
  std::function<void()> during;  // runs once, inside the commit's transaction
  void rate(RatingCase& c) override {
    ++calls;
    if (during) std::exchange(during, nullptr)();
    const int64_t rate = c.at_unix >= switch_at ? 2 : 1;
    const int64_t price = rate == 2 ? 5 : 3;
    const uint64_t units = c.after.charged_s - c.before.charged_s;
    StoredCharge& s = c.charge;
    if (s.line == 0 || s.line_rate != rate) {
      if (s.line != 0)
        c.closed = ClosedLine{s.line, s.line_rate, s.line_units, s.line_amount_micros};
      ++s.line;
      s.line_rate = rate;
      s.line_units = 0;
      s.line_amount_micros = 0;
    }
    s.line_units += units;
    const int64_t amount = static_cast<int64_t>(s.line_units) * price;
    c.debit_micros = amount - s.line_amount_micros;
    s.line_amount_micros = amount;
    s.amount_micros += c.debit_micros;
  }
};

class CommitRatingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = open_store(db_->spec());
    ASSERT_TRUE(store_->add_agent("gw-1", {1, 2, 3}, 100));
    agent_ = store_->find_agent("gw-1")->id;
    NewLogin l;
    l.agent = agent_;
    l.id = 77;
    l.sealed_tag_key = {9};
    l.boot_count = 1;
    l.now_unix = 100;
    l.expires_unix = 100'000;
    store_->open_login_session(l);
    AccountRow a;
    a.name = "acct-1";
    a.balance_micros = 1'000'000;
    a.created_unix = 100;
    account_ = store_->account_book().add_account(a);
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
  }
  void link(uint64_t session) {
    SessionLink l;
    l.agent = agent_;
    l.session_id = session;
    l.login_session = 77;
    l.account = account_;
    l.subscriber = "ann@isp.example";
    l.service = "web";
    l.billing = gatemeter_BillingOption_BILLING_PREPAID;
    l.start_unix = 1'000;
    store_->authorisations().link_session(l, 150);
  }
  VerifiedRecord record(uint64_t session, uint32_t seq, uint32_t charged, int64_t at = 2'000) {
    VerifiedRecord v;
    v.agent = agent_;
    v.login_session = 77;
    v.agent_unix = at;
    v.record.session_id = session;
    v.record.seq = seq;
    v.record.kind = gatemeter_RecordKind_RECORD_INTERIM;
    v.record.totals = {charged, 0, 100ull * seq, 10ull * seq};
    copy_text(v.record.subscriber, sizeof v.record.subscriber, "ann@isp.example");
    copy_text(v.record.service, sizeof v.record.service, "web");
    v.record.billing = gatemeter_BillingOption_BILLING_PREPAID;
    v.record.start_unix = 1'000;
    return v;
  }
  // One datagram (frame seq `frame`) with `records`, committed with the rater.
  CommitDebits commit(uint32_t frame, std::vector<VerifiedRecord> records, int64_t now = 3'000) {
    CensusCommit c;
    c.datagrams.push_back({agent_, 77, frame});
    for (VerifiedRecord& v : records) {
      v.datagram = 0;
      c.records.push_back(v);
    }
    CommitDebits d;
    c.rater = &rater_;
    c.debits = &d;
    store_->commit_datagrams(c, now);
    verdict_ = c.datagrams[0].verdict;
    return d;
  }
  int64_t balance() { return store_->account_book().find_account("acct-1")->balance_micros; }
  uint64_t refused(const std::string& reason) {
    for (const RefusalCount& r : store_->refusals())
      if (r.reason == reason) return r.count;
    return 0;
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  PerSecondRater rater_;
  DatagramVerdict verdict_ = DatagramVerdict::none;
  int64_t agent_ = 0;
  int64_t account_ = 0;
};

TEST_P(CommitRatingTest, ALinkedSessionIsDebitedInTheCommitThatCarriesItsUsage) {
  link(1);
  const CommitDebits d = commit(1, {record(1, 1, 60)});
  EXPECT_EQ(verdict_, DatagramVerdict::accepted);
  EXPECT_EQ(d.sessions_rated, 1u);
  EXPECT_EQ(d.debited_micros, 60 * 3);
  ASSERT_EQ(d.balances.size(), 1u);
  EXPECT_EQ(d.balances[0], std::make_pair(account_, int64_t{1'000'000 - 60 * 3}));
  EXPECT_EQ(balance(), 1'000'000 - 60 * 3);
  commit(2, {record(1, 2, 100)});
  EXPECT_EQ(balance(), 1'000'000 - 100 * 3);
  EXPECT_EQ(store_->session("gw-1", 1)->totals.charged_s, 100u);
}

TEST_P(CommitRatingTest, ReplaysDuplicatesAndOlderRecordsDebitNothing) {
  link(1);
  commit(1, {record(1, 1, 60), record(1, 2, 90)});
  const int64_t after_first = balance();
  EXPECT_EQ(after_first, 1'000'000 - 90 * 3);
  commit(1, {record(1, 1, 60), record(1, 2, 90)});  // the same datagram again
  EXPECT_EQ(verdict_, DatagramVerdict::replayed);
  commit(2, {record(1, 2, 90), record(1, 1, 60)});  // duplicate and older records, a new frame
  EXPECT_EQ(verdict_, DatagramVerdict::accepted);
  EXPECT_EQ(balance(), after_first);
  EXPECT_EQ(rater_.calls, 1);
}

TEST_P(CommitRatingTest, CountersNeverGoBackwardsAndNeverCredit) {
  link(1);
  commit(1, {record(1, 1, 120)});
  const int64_t before = balance();
  // A newer seq with lower totals (a gateway's record from before its reboot).
  const CommitDebits d = commit(2, {record(1, 2, 30)});
  EXPECT_EQ(d.counters_backwards, 1u);
  EXPECT_EQ(d.debited_micros, 0);
  EXPECT_EQ(balance(), before);
  const auto s = store_->session("gw-1", 1);
  EXPECT_EQ(s->last_seq, 2u);
  EXPECT_EQ(s->totals.charged_s, 120u);  // kept
  EXPECT_EQ(s->totals.octets_in, 200u);  // raised by what was higher
  EXPECT_EQ(refused("counters_backwards"), 1u);
  commit(3, {record(1, 3, 150)});  // growth resumes from the kept maximum
  EXPECT_EQ(balance(), before - 30 * 3);
}

TEST_P(CommitRatingTest, ASessionWithoutAnAccountIsNotRated) {
  const CommitDebits d = commit(1, {record(5, 1, 60)});
  EXPECT_EQ(d.sessions_rated, 0u);
  EXPECT_EQ(rater_.calls, 0);
  EXPECT_EQ(balance(), 1'000'000);
  EXPECT_EQ(store_->session("gw-1", 5)->totals.charged_s, 60u);
}

TEST_P(CommitRatingTest, ALinkMadeAfterTheFirstRecordRatesOnlyLaterGrowth) {
  commit(1, {record(1, 1, 10)});  // free time while authorising, before any link
  link(1);
  commit(2, {record(1, 2, 70)});
  EXPECT_EQ(balance(), 1'000'000 - 60 * 3);
}

TEST_P(CommitRatingTest, ARateChangeClosesTheLineAndEachLineKeepsItsOwnAmount) {
  link(1);
  rater_.switch_at = 2'500;
  commit(1, {record(1, 1, 60, 2'000)});
  commit(2, {record(1, 2, 100, 2'600)});
  EXPECT_EQ(balance(), 1'000'000 - (60 * 3 + 40 * 5));
  // The second line goes on from its own units: 50 s at rate 2, not 110 s.
  commit(3, {record(1, 3, 110, 2'700)});
  EXPECT_EQ(balance(), 1'000'000 - (60 * 3 + 50 * 5));
}

TEST_P(CommitRatingTest, TheAgentsClockCannotMoveUsageBeforeTheSessionOrAfterTheCommit) {
  link(1);
  rater_.switch_at = 2'500;
  // Claimed at 900 (before the session's start, 1,000): rated at the start, rate 1.
  commit(1, {record(1, 1, 10, 900)});
  EXPECT_EQ(balance(), 1'000'000 - 10 * 3);
  // Claimed far in the future: rated at the commit's time (3,000), rate 2.
  commit(2, {record(1, 2, 20, 9'999'999)});
  EXPECT_EQ(balance(), 1'000'000 - 10 * 3 - 10 * 5);
}

TEST_P(CommitRatingTest, AStopThatEndsASessionLeavesOneFeedEventWithItsTotalsAndCharge) {
  link(1);
  commit(1, {record(1, 1, 60)});
  auto stop = record(1, 2, 90);
  stop.record.kind = gatemeter_RecordKind_RECORD_STOP;
  stop.record.cause = gatemeter_StopCause_STOP_USER_REQUEST;
  commit(2, {stop});
  commit(3, {stop});  // the STOP again, in a new datagram: no second event
  auto later = record(1, 3, 95);
  later.record.kind = gatemeter_RecordKind_RECORD_STOP;
  commit(4, {later});  // a later STOP of the ended session: raises totals, no new event
  const auto events = store_->feed().undelivered(FeedSink::file, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].agent_id, "gw-1");
  EXPECT_EQ(events[0].session_id, 1u);
  const std::string& e = events[0].event;
  EXPECT_NE(e.find("\"charged_s\":90,"), std::string::npos) << e;
  EXPECT_NE(e.find("\"stop_cause\":\"user_request\""), std::string::npos) << e;
  EXPECT_NE(e.find("\"amount_micros\":270}"), std::string::npos) << e;  // 90 s x 3
  EXPECT_NE(e.find("\"subscriber\":\"ann@isp.example\""), std::string::npos) << e;
  // Each sink takes it once.
  store_->feed().mark_delivered(FeedSink::file, {events[0].id}, 4'000);
  EXPECT_TRUE(store_->feed().undelivered(FeedSink::file, 10).empty());
  EXPECT_EQ(store_->feed().undelivered(FeedSink::webhook, 10).size(), 1u);
}

TEST_P(CommitRatingTest, ASubscriberNameWithQuotesStaysOneJsonString) {
  auto stop = record(7, 1, 5);
  copy_text(stop.record.subscriber, sizeof stop.record.subscriber, "a\"b\\c@isp.example");
  stop.record.kind = gatemeter_RecordKind_RECORD_STOP;
  commit(1, {stop});
  const auto events = store_->feed().undelivered(FeedSink::file, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].event.find("\"subscriber\":\"a\\\"b\\\\c@isp.example\""),
            std::string::npos)
      << events[0].event;
}

TEST_P(CommitRatingTest, ACommitRecordsThePresenceOfTheAgentsItNames) {
  CensusCommit c;
  c.present = {agent_};
  store_->commit_datagrams(c, 5'000);
  auto p = store_->authorisations().presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].agent_id, "gw-1");
  EXPECT_EQ(p[0].last_seen_unix, 5'000);
  c.present = {agent_};
  store_->commit_datagrams(c, 5'010);
  EXPECT_EQ(store_->authorisations().presence().at(0).last_seen_unix, 5'010);
}

// The billing service links a session (its authorisation) while a census commits the session's
// first record: the commit read no row (nothing to lock), and the link's row is committed before
// the commit writes its own. The link must survive, or nothing the session uses is ever charged.
// (SQLite's writers take turns, so only PostgreSQL can interleave them.)
TEST_P(CommitRatingTest, ALinkCommittedWhileACommitWritesTheSessionsFirstRecordStays) {
  if (GetParam() != "postgresql") GTEST_SKIP() << "SQLite serialises its writers";
  link(1);
  auto billing = open_store(db_->spec());
  rater_.during = [&] {
    SessionLink l;
    l.agent = agent_;
    l.session_id = 2;
    l.login_session = 77;
    l.account = account_;
    l.subscriber = "ann@isp.example";
    l.service = "web";
    l.billing = gatemeter_BillingOption_BILLING_PREPAID;
    l.start_unix = 1'000;
    billing->authorisations().link_session(l, 150);
  };
  commit(1, {record(1, 1, 10), record(2, 1, 0)});  // session 2's first record: nothing charged
  ASSERT_EQ(rater_.during, nullptr) << "the rater ran inside the commit";
  EXPECT_EQ(balance(), 1'000'000 - 10 * 3);
  commit(2, {record(2, 2, 20)});
  EXPECT_EQ(balance(), 1'000'000 - 10 * 3 - 20 * 3) << "session 2 lost its account";
}

INSTANTIATE_TEST_SUITE_P(Databases, CommitRatingTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
