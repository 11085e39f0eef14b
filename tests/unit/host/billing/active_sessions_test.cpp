// The service manager's read over a real store, on both databases (active_sessions.h,
// session_api.h): open sessions only, with their subscriber, service type, account and balance,
// the current line's rate and the charge so far; paged in key order with no session twice or
// left out (session ids compare as the signed values the databases hold); one session by key.
#include <gtest/gtest.h>

#include <set>

#include "host/billing/session_api.h"
#include "shared/proto/wire_names.h"
#include "tests/support/rated_store_fixture.h"

namespace gm::billing {
namespace {

constexpr uint64_t top_id = 0xffffffffffffffffull;  // -1 as the databases store it

class ActiveSessionsTest : public RatedStoreTest {
 protected:
  void SetUp() override {
    RatedStoreTest::SetUp();
    if (IsSkipped()) return;
    add_rate("*", "minute", 600'000, 60);  // 0.60 a started minute
    for (uint64_t s : {uint64_t{1}, uint64_t{2}, uint64_t{3}, top_id}) link(s);
    // Session 2's authorisation names the subscriber's address.
    host::AuthorisationWrite w;
    w.authorisation.agent = agent_;
    w.authorisation.session_id = 2;
    w.authorisation.account = account_;
    w.authorisation.subscriber = "ann@isp.example";
    w.authorisation.option = 1;
    w.authorisation.address = "10.0.0.7";
    w.authorisation.request = 1;
    w.authorisation.response = {0x08, 0x01};
    w.authorisation.decision = 1;
    w.authorisation.live = true;
    store_->authorisations().authorise(
        {agent_, 2, "", "ann@isp.example", ""}, [&](const host::AuthorisationRead&) { return std::optional(w); },
        monday_peak);
    auto stop = record(3, 1, 30, 0, monday_peak);
    stop.record.kind = gatemeter_RecordKind_RECORD_STOP;
    commit({record(1, 1, 61, 0, monday_peak), record(2, 1, 30, 0, monday_peak), stop,
            record(top_id, 1, 5, 0, monday_peak), record(4, 1, 10, 900, monday_peak, "video-x")},
           monday_peak);
  }
  host::ActiveSessions& sessions() { return store_->active_sessions(); }
};

TEST_P(ActiveSessionsTest, OpenSessionsComeWithTheirAccountRateAndChargeSoFar) {
  const auto all = sessions().active_sessions(std::nullopt, 100);
  std::vector<uint64_t> ids;
  for (const auto& s : all) ids.push_back(s.session_id);
  // Key order; the stopped session 3 is not there.
  EXPECT_EQ(ids, (std::vector<uint64_t>{top_id, 1, 2, 4}));
  const host::ActiveSession& one = all.at(1);
  EXPECT_EQ(one.agent_id, "gw-1");
  EXPECT_EQ(one.subscriber, "ann@isp.example");
  EXPECT_EQ(one.realm, "isp.example");
  EXPECT_EQ(one.service, "browse");
  EXPECT_EQ(one.service_type, "web");
  EXPECT_EQ(one.account, "acct-1");
  // 100.00 less four sessions' started minutes: 1.20 (61 s), and 0.60 each for 30 s, 30 s, 5 s.
  EXPECT_EQ(one.balance_micros, 97'000'000);
  EXPECT_EQ(spent(), 3'000'000);
  EXPECT_EQ(one.charged_s, 61u);
  EXPECT_EQ(one.free_s, 7u);
  EXPECT_EQ(one.amount_micros, 1'200'000) << "two started minutes";
  EXPECT_EQ(one.rate_unit, "minute");
  EXPECT_EQ(one.rate_price_micros, 600'000);
  EXPECT_NE(one.rate_id, 0);
  EXPECT_EQ(one.start_unix, monday_peak - 3'600);
  EXPECT_EQ(one.updated_unix, monday_peak);
  EXPECT_EQ(one.address, "") << "no authorisation names it";
  EXPECT_EQ(all.at(2).address, "10.0.0.7");
  EXPECT_EQ(all.at(2).amount_micros, 600'000);
  // Not billed, a service no row names: type data, no account, no rate.
  const host::ActiveSession& free = all.at(3);
  EXPECT_EQ(free.service, "video-x");
  EXPECT_EQ(free.service_type, "data");
  EXPECT_EQ(free.account, "");
  EXPECT_EQ(free.rate_id, 0);
  EXPECT_EQ(free.octets_in, 900u);

  const auto found = sessions().active_session({"gw-1", 2});
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->address, "10.0.0.7");
  EXPECT_FALSE(sessions().active_session({"gw-1", 3})) << "stopped";
  EXPECT_FALSE(sessions().active_session({"gw-9", 1})) << "no such agent";
}

TEST_P(ActiveSessionsTest, PagesOfOneWalkEverySessionOnceInKeyOrder) {
  std::vector<uint64_t> walked;
  std::optional<host::SessionKey> after;
  for (int pages = 0; pages < 10; ++pages) {
    const SessionsPage page = read_sessions_page(sessions(), after, 1);
    for (const auto& s : page.sessions) walked.push_back(s.session_id);
    if (!page.next) break;
    after = page.next;
  }
  EXPECT_EQ(walked, (std::vector<uint64_t>{top_id, 1, 2, 4}));
  EXPECT_TRUE(sessions().active_sessions(host::SessionKey{"gw-1", 4}, 10).empty());
  EXPECT_TRUE(sessions().active_sessions(host::SessionKey{"gw-9", 0}, 10).empty())
      << "a key of an agent the store does not know starts nothing";
}

TEST_P(ActiveSessionsTest, TheApiAnswersFromTheStore) {
  const int64_t now = monday_peak + 60;
  ApiAnswer a = answer_api("GET", "/sessions?limit=2", sessions(), now);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("\"next\":\"gw-1/1\"}"), std::string::npos) << a.body;
  a = answer_api("GET", "/sessions/gw-1/1", sessions(), now);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body,
            "{\"agent\":\"gw-1\",\"session_id\":\"1\",\"subscriber\":\"ann@isp.example\","
            "\"realm\":\"isp.example\",\"service\":\"browse\",\"service_type\":\"web\","
            "\"billing\":\"" + std::string(wire::billing_name(0).c_str()) +
                "\",\"address\":\"\",\"account\":\"acct-1\",\"balance_micros\":" +
                std::to_string(100'000'000 - spent()) +
                ",\"start_unix\":" + std::to_string(monday_peak - 3'600) +
                ",\"duration_s\":3660,\"last_record_unix\":" + std::to_string(monday_peak) +
                ",\"charged_s\":61,\"free_s\":7,\"octets_in\":0,\"octets_out\":0,"
                "\"amount_micros\":1200000,\"rate\":{\"id\":" +
                std::to_string(sessions().active_session({"gw-1", 1})->rate_id) +
                ",\"unit\":\"minute\",\"price_micros\":600000}}");
  EXPECT_EQ(answer_api("GET", "/sessions/gw-1/3", sessions(), now).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Databases, ActiveSessionsTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::billing
