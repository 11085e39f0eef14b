// The network management feed delivered over a real store, on both databases (feed_outbox.h,
// feed_webhook.h, feed_delivery.h): a lease row gives a destination to one node at a time; a
// webhook batch is marked only when acknowledged; the delivery step brings every ended
// session's event to the file once and to a receiver that refuses at first at least once, with
// two nodes over the store and one of them stopping; a mark that fails leaves nothing to write
// twice once the file is opened again; retention deletes only what every destination in use
// has had.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "host/billing/feed_delivery.h"
#include "host/billing/feed_file.h"
#include "host/billing/feed_lease.h"
#include "host/billing/feed_webhook.h"
#include "tests/support/approval_standin.h"
#include "tests/support/eventually.h"
#include "tests/support/rated_store_fixture.h"

namespace gm::billing {
namespace {

using host::FeedLease;
using host::FeedSink;

// The ids at the start of each `{"id":N,` in `text`, in order.
std::vector<int64_t> ids_in(const std::string& text) {
  std::vector<int64_t> out;
  for (size_t at = text.find("{\"id\":"); at != std::string::npos;
       at = text.find("{\"id\":", at + 1))
    out.push_back(std::stoll(text.substr(at + 6)));
  return out;
}

class FeedDeliveryTest : public RatedStoreTest {
 protected:
  void SetUp() override {
    RatedStoreTest::SetUp();
    if (IsSkipped()) return;
    dir_ = ::testing::TempDir() + "feed-delivery-" + GetParam() + "-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    RatedStoreTest::TearDown();
  }
  // Session `id` starts and stops: one feed event.
  void end_session(uint64_t id) {
    auto r = record(id, 1, 30, 0, monday_peak);
    r.record.kind = gatemeter_RecordKind_RECORD_STOP;
    commit({r}, monday_peak);
  }
  std::string file_text() const {
    std::ifstream in(dir_ + "/feed.jsonl");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string dir_;
};

TEST_P(FeedDeliveryTest, TheLeaseIsSwappedOnlyFromWhatTheRowHolds) {
  host::FeedOutbox& feed = store_->feed();
  EXPECT_EQ(feed.lease(FeedSink::file), (FeedLease{"", 0}));
  EXPECT_EQ(feed.lease(FeedSink::webhook), (FeedLease{"", 0}));
  ASSERT_TRUE(feed.swap_lease(FeedSink::file, {"", 0}, {"a:1", 160}));
  // A second node read the row before the first wrote it: its swap finds another row.
  EXPECT_FALSE(feed.swap_lease(FeedSink::file, {"", 0}, {"b:2", 170}));
  EXPECT_EQ(feed.lease(FeedSink::file), (FeedLease{"a:1", 160}));
  EXPECT_EQ(feed.lease(FeedSink::webhook), (FeedLease{"", 0})) << "each destination its own";
  // Expired at 160: b decides to take it, and its swap from what it read wins.
  const LeaseDecision d = decide_lease(feed.lease(FeedSink::file), "b:2", 160, 60, false);
  ASSERT_EQ(d.step, LeaseStep::take);
  EXPECT_TRUE(feed.swap_lease(FeedSink::file, {"a:1", 160}, d.next));
  EXPECT_EQ(feed.lease(FeedSink::file), (FeedLease{"b:2", 220}));
  EXPECT_EQ(decide_lease(feed.lease(FeedSink::file), "a:1", 161, 60, false).step, LeaseStep::wait);
}

TEST_P(FeedDeliveryTest, AWebhookBatchIsMarkedOnlyWhenAcknowledged) {
  for (uint64_t s : {1, 2, 3}) end_session(s);
  host::FeedOutbox& feed = store_->feed();
  EXPECT_EQ(feed.backlog(FeedSink::webhook), 3);
  int status = 503;
  std::vector<std::string> bodies;
  FeedWebhook hook("http://127.0.0.1:1/feed", feed,
                   [&](const std::string& url, const std::string& body) {
                     EXPECT_EQ(url, "http://127.0.0.1:1/feed");
                     bodies.push_back(body);
                     return HttpAnswer{status, "", ""};
                   });
  FeedWebhook::Outcome o = hook.post_pending(200, 2);
  EXPECT_TRUE(o.failed);
  EXPECT_EQ(o.why, "HTTP status 503");
  EXPECT_EQ(feed.backlog(FeedSink::webhook), 3) << "a refusal marks nothing";
  status = 204;
  o = hook.post_pending(200, 2);
  EXPECT_FALSE(o.failed);
  EXPECT_EQ(o.posted, 2u);
  EXPECT_EQ(feed.backlog(FeedSink::webhook), 1);
  EXPECT_EQ(feed.backlog(FeedSink::file), 3) << "the file's progress is its own";
  o = hook.post_pending(200, 2);
  EXPECT_EQ(o.posted, 1u);
  EXPECT_EQ(hook.post_pending(200, 2).posted, 0u);
  ASSERT_EQ(bodies.size(), 3u) << "nothing left: nothing posted";
  EXPECT_EQ(bodies[0], bodies[1]) << "the refused batch is posted again as it was";
  const auto first = ids_in(bodies[1]), second = ids_in(bodies[2]);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_LT(first[0], first[1]);
  EXPECT_LT(first[1], second[0]) << "in id order";
  EXPECT_NE(bodies[1].find("\"session_id\":1,"), std::string::npos) << bodies[1];
}

TEST_P(FeedDeliveryTest, EveryEventReachesTheFileOnceAndTheWebhookThroughRefusalsWithTwoNodes) {
  test::ApprovalStandin receiver({"", 0}, {2, dir_ + "/received"});
  receiver.start();
  for (uint64_t s = 1; s <= 4; ++s) end_session(s);
  FeedSettings settings;
  settings.file = dir_ + "/feed.jsonl";
  settings.webhook = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/feed";
  settings.round_ms = 20;
  settings.node = "node-a:1";
  host::FeedStats stats_a, stats_b;
  auto a = std::make_unique<FeedDelivery>(db_->spec(), settings, stats_a);
  settings.node = "node-b:2";
  FeedDelivery b(db_->spec(), settings, stats_b);
  a->start();
  b.start();
  auto received = [&] {
    std::ifstream in(dir_ + "/received");
    std::string text(std::istreambuf_iterator<char>(in), {});
    const auto ids = ids_in(text);
    return std::set<int64_t>(ids.begin(), ids.end());
  };
  // Counted once marked, a moment after the file and the receiver have them.
  ASSERT_TRUE(test::eventually(
      [&] {
        return ids_in(file_text()).size() == 4 && received().size() == 4 &&
               stats_a.written + stats_b.written == 4 && stats_a.posted + stats_b.posted == 4;
      },
      20000))
      << file_text();
  EXPECT_EQ(stats_a.post_failures + stats_b.post_failures, 2u) << "the two refusals, retried";
  EXPECT_EQ(stats_a.written + stats_b.written, 4u);
  EXPECT_EQ(stats_a.posted + stats_b.posted, 4u);
  // One node holds each destination: the other delivered none of it.
  EXPECT_TRUE(stats_a.written == 0 || stats_b.written == 0);
  EXPECT_TRUE(stats_a.posted == 0 || stats_b.posted == 0);
  EXPECT_TRUE(test::eventually([&] { return stats_a.backlog_file == 0 && stats_b.backlog_webhook == 0; }));

  // The node holding the file stops and gives its lease back: the other goes on at once.
  const bool a_had_file = stats_a.written != 0;
  (a_had_file ? a->stop() : b.stop());
  for (uint64_t s = 5; s <= 6; ++s) end_session(s);
  host::FeedStats& other = a_had_file ? stats_b : stats_a;
  ASSERT_TRUE(test::eventually(
      [&] {
        return ids_in(file_text()).size() == 6 && received().size() == 6 && other.written == 2 &&
               stats_a.posted + stats_b.posted == 6;
      },
      20000))
      << file_text();
  const auto in_file = ids_in(file_text());
  EXPECT_EQ(std::set<int64_t>(in_file.begin(), in_file.end()).size(), 6u) << "no event twice";
  EXPECT_EQ(std::set<int64_t>(in_file.begin(), in_file.end()), received());
  a->stop();
  b.stop();
  // Given back: nobody holds them, and each says when it was last held (prune()).
  for (FeedSink sink : {FeedSink::file, FeedSink::webhook}) {
    EXPECT_EQ(store_->feed().lease(sink).holder, "");
    EXPECT_GT(store_->feed().lease(sink).expires_unix, 0);
  }
}

// The outbox of a store whose first mark fails after the lines were written.
class FailingMark final : public host::FeedOutbox {
 public:
  explicit FailingMark(host::FeedOutbox& real) : real_(real) {}
  std::vector<host::FeedEvent> undelivered(FeedSink s, size_t n) override { return real_.undelivered(s, n); }
  void mark_delivered(FeedSink s, const std::vector<int64_t>& ids, int64_t now) override {
    if (fail_next && !ids.empty()) {
      fail_next = false;
      throw host::StoreError("the store went away");
    }
    real_.mark_delivered(s, ids, now);
  }
  int64_t backlog(FeedSink s) override { return real_.backlog(s); }
  FeedLease lease(FeedSink s) override { return real_.lease(s); }
  int64_t prune(int64_t before, int64_t since, size_t scan) override {
    return real_.prune(before, since, scan);
  }
  bool swap_lease(FeedSink s, const FeedLease& e, const FeedLease& n) override {
    return real_.swap_lease(s, e, n);
  }
  bool fail_next = true;

 private:
  host::FeedOutbox& real_;
};

TEST_P(FeedDeliveryTest, AMarkThatFailsIsRecoveredFromTheFileWhenItIsOpenedAgain) {
  for (uint64_t s : {1, 2}) end_session(s);
  FailingMark outbox(store_->feed());
  const std::string path = dir_ + "/feed.jsonl";
  {
    FeedFile f(path, outbox);
    EXPECT_THROW(f.write_pending(200), host::StoreError);
  }  // what the delivery step does after a failure: the file is dropped ...
  EXPECT_EQ(store_->feed().backlog(FeedSink::file), 2) << "written, not marked";
  end_session(3);
  {
    FeedFile f(path, outbox);  // ... and opened again, which marks what it finds
    EXPECT_EQ(f.recovered(), 2u);
    EXPECT_EQ(f.write_pending(200), 1u);
  }
  const auto ids = ids_in(file_text());
  EXPECT_EQ(ids.size(), 3u) << file_text();
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 3u);
  EXPECT_EQ(store_->feed().backlog(FeedSink::file), 0);
}

TEST_P(FeedDeliveryTest, RetentionForgetsWhatEveryDestinationInUseHasHadAndNothingElse) {
  host::FeedOutbox& feed = store_->feed();
  const auto ids = [&](FeedSink sink) {
    std::vector<int64_t> out;
    for (const host::FeedEvent& e : feed.undelivered(sink, 100)) out.push_back(e.id);
    return out;
  };
  for (uint64_t s : {1, 2, 3}) end_session(s);  // created at monday_peak
  const auto all = ids(FeedSink::webhook);
  ASSERT_EQ(all.size(), 3u);
  ASSERT_TRUE(feed.swap_lease(FeedSink::webhook, {"", 0}, {"a:1", monday_peak + 60}));
  feed.mark_delivered(FeedSink::webhook, {all[0], all[1]}, monday_peak + 5);
  const int64_t cut = monday_peak + 1;
  EXPECT_EQ(feed.prune(monday_peak, cut, 1000), 0) << "none is older than the cut-off";
  // The webhook is held, the file never was: what the webhook has had goes.
  EXPECT_EQ(feed.prune(cut, cut, 1000), 2);
  EXPECT_EQ(ids(FeedSink::webhook), std::vector<int64_t>{all[2]}) << "undelivered: kept";
  EXPECT_EQ(ids(FeedSink::file), std::vector<int64_t>{all[2]});
  for (uint64_t s : {4, 5}) end_session(s);
  const auto later = ids(FeedSink::webhook);
  ASSERT_EQ(later.size(), 3u);
  feed.mark_delivered(FeedSink::webhook, later, monday_peak + 6);
  EXPECT_EQ(feed.prune(cut, cut, 1), 1) << "only the oldest `scan` rows are looked at";
  // The file was delivered until monday_peak + 100 (its lease given back then): in use again.
  ASSERT_TRUE(feed.swap_lease(FeedSink::file, {"", 0}, {"", monday_peak + 100}));
  EXPECT_EQ(feed.prune(cut, cut, 1000), 0) << "the file has not had them";
  feed.mark_delivered(FeedSink::file, {later[1]}, monday_peak + 7);
  EXPECT_EQ(feed.prune(cut, cut, 1000), 1);
  EXPECT_EQ(ids(FeedSink::file), std::vector<int64_t>{later[2]});
  // Nobody has delivered the file since before `in_use_since`: it holds nothing back.
  EXPECT_EQ(feed.prune(cut, monday_peak + 101, 1000), 1);
  EXPECT_TRUE(ids(FeedSink::file).empty());
  EXPECT_EQ(feed.backlog(FeedSink::webhook), 0);
}

TEST_P(FeedDeliveryTest, WithNoDestinationSetTheRetentionThreadStillDeletesOldEvents) {
  for (uint64_t s : {1, 2, 3}) end_session(s);  // at monday_peak: more than an hour ago
  end_session(4);
  FeedSettings settings;  // no file, no webhook
  settings.retention_s = 3600;
  settings.prune_every_s = 1;
  host::FeedStats stats;
  FeedDelivery d(db_->spec(), settings, stats);
  d.start();
  EXPECT_TRUE(test::eventually([&] { return stats.pruned.load() == 4; }, 5000)) << stats.pruned;
  d.stop();
  EXPECT_EQ(store_->feed().backlog(FeedSink::file), 0);
}

INSTANTIATE_TEST_SUITE_P(Databases, FeedDeliveryTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::billing
