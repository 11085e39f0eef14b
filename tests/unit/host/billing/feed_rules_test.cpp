// The feed's delivery decisions without a store or a server: whose lease a destination is
// (decide_lease, holder_gone_here), when to try the webhook again (RetryBackoff), what counts
// as acknowledged and what a batch's body is; and the service manager's request rules
// (answer_api) over a store stand-in.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "host/billing/feed_lease.h"
#include "host/billing/feed_webhook.h"
#include "host/billing/http_post.h"
#include "host/billing/retry_backoff.h"
#include "host/billing/session_api.h"

namespace gm::billing {
namespace {

using host::FeedLease;

TEST(FeedLease, AHolderKeepsItsLeaseRenewsItAtHalfAndOthersWaitUntilItExpires) {
  const int64_t now = 1000;
  // Held by me with more than half left: keep, nothing written.
  EXPECT_EQ(decide_lease({"a:1", now + 31}, "a:1", now, 60, false).step, LeaseStep::keep);
  // Half or less left: renew for a whole lease from now.
  const LeaseDecision renew = decide_lease({"a:1", now + 30}, "a:1", now, 60, false);
  EXPECT_EQ(renew.step, LeaseStep::renew);
  EXPECT_EQ(renew.next, (FeedLease{"a:1", now + 60}));
  // Mine but expired (nobody took it): renewed, not lost.
  EXPECT_EQ(decide_lease({"a:1", now - 5}, "a:1", now, 60, false).step, LeaseStep::renew);
  // Another node's, not expired: wait, whatever is left of it.
  EXPECT_EQ(decide_lease({"b:2", now + 1}, "a:1", now, 60, false).step, LeaseStep::wait);
  // Free, expired, or its holder gone from this host: take it.
  const LeaseDecision take = decide_lease({"", 0}, "a:1", now, 60, false);
  EXPECT_EQ(take.step, LeaseStep::take);
  EXPECT_EQ(take.next, (FeedLease{"a:1", now + 60}));
  EXPECT_EQ(decide_lease({"b:2", now}, "a:1", now, 60, false).step, LeaseStep::take);
  EXPECT_EQ(decide_lease({"b:2", now + 50}, "a:1", now, 60, true).step, LeaseStep::take);
}

TEST(FeedLease, OnlyAProcessOfThisHostThatIsNotRunningIsGone) {
  const std::string me = this_node();
  const std::string host = me.substr(0, me.rfind(':'));
  EXPECT_EQ(me, host + ":" + std::to_string(::getpid()));
  EXPECT_FALSE(holder_gone_here(me)) << "this process runs";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);  // reaped: the pid names no process now
  EXPECT_TRUE(holder_gone_here(host + ":" + std::to_string(child)));
  EXPECT_FALSE(holder_gone_here("another-host.example:" + std::to_string(child)))
      << "another host's process cannot be seen from here: its lease must expire";
  EXPECT_FALSE(holder_gone_here(""));
  EXPECT_FALSE(holder_gone_here(host + ":x1"));
  EXPECT_FALSE(holder_gone_here(host + ":1")) << "pid 1 runs";
}

TEST(RetryBackoff, WaitsFrom250MsDoublingTo8SAndAgainAtOnceAfterASuccess) {
  using std::chrono::milliseconds;
  RetryBackoff b;
  const auto t0 = RetryBackoff::Clock::now();
  EXPECT_TRUE(b.due(t0));
  std::vector<long> delays;
  for (int i = 0; i < 8; ++i) delays.push_back(b.failed(t0).count());
  EXPECT_EQ(delays, (std::vector<long>{250, 500, 1000, 2000, 4000, 8000, 8000, 8000}));
  EXPECT_FALSE(b.due(t0 + milliseconds(7999)));
  EXPECT_TRUE(b.due(t0 + milliseconds(8000)));
  b.succeeded();
  EXPECT_TRUE(b.due(t0));
  EXPECT_EQ(b.failed(t0).count(), 250);
}

TEST(FeedWebhook, Only2xxAcknowledgesAndABatchIsTheFilesLinesInAnArray) {
  for (int s : {200, 201, 202, 204, 299}) EXPECT_TRUE(webhook_acknowledged(s)) << s;
  for (int s : {0, 100, 199, 300, 301, 400, 404, 500, 503}) EXPECT_FALSE(webhook_acknowledged(s)) << s;
  const std::vector<host::FeedEvent> events{{3, "gw-1", 7, "{\"session_id\":7}", 100},
                                            {5, "gw-\"2", 8, "{\"session_id\":8}", 101}};
  EXPECT_EQ(webhook_body(events),
            "{\"events\":[{\"id\":3,\"agent\":\"gw-1\",\"created_unix\":100,\"session\":{\"session_id\":7}},"
            "{\"id\":5,\"agent\":\"gw-\\\"2\",\"created_unix\":101,\"session\":{\"session_id\":8}}]}");
  EXPECT_EQ(webhook_body({}), "{\"events\":[]}");
}

TEST(HttpPost, OnlyHttpUrlsWithAHostAreTaken) {
  HttpUrl u;
  ASSERT_TRUE(parse_http_url("http://127.0.0.1:8080/feed/in", u));
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, "8080");
  EXPECT_EQ(u.target, "/feed/in");
  ASSERT_TRUE(parse_http_url("http://nms.example", u));
  EXPECT_EQ(u.port, "80");
  EXPECT_EQ(u.target, "/");
  EXPECT_FALSE(parse_http_url("https://nms.example/feed", u));
  EXPECT_FALSE(parse_http_url("http://:80/feed", u));
  EXPECT_FALSE(parse_http_url("nms.example/feed", u));
  // Nothing listens on port 9 (discard) of loopback: no answer, and why.
  const HttpAnswer a = post_json("http://127.0.0.1:9/feed", "{}", std::chrono::milliseconds(500));
  EXPECT_EQ(a.status, 0);
  EXPECT_FALSE(a.error.empty());
}

// Two open sessions of gw-1 and one of "gw/2" (an agent id with a slash), in key order.
class SessionsStandIn final : public host::ActiveSessions {
 public:
  SessionsStandIn() {
    const std::pair<const char*, uint64_t> keys[] = {
        {"gw-1", 5}, {"gw-1", 18446744073709551615ull}, {"gw/2", 1}};
    for (const auto& [agent, id] : keys) {
      host::ActiveSession s;
      s.agent_id = agent;
      s.session_id = id;
      s.subscriber = "ann@isp";
      s.realm = "isp";
      s.service = "browse";
      s.service_type = "web";
      s.billing = 1;
      s.start_unix = 1000;
      all.push_back(s);
    }
  }
  std::vector<host::ActiveSession> active_sessions(const std::optional<host::SessionKey>& after,
                                                   size_t limit) override {
    asked_limit = limit;
    std::vector<host::ActiveSession> out;
    bool started = !after;
    for (const auto& s : all) {
      if (started && out.size() < limit) out.push_back(s);
      if (after && s.agent_id == after->agent_id && s.session_id == after->session_id)
        started = true;
    }
    return out;
  }
  std::optional<host::ActiveSession> active_session(const host::SessionKey& k) override {
    for (const auto& s : all)
      if (s.agent_id == k.agent_id && s.session_id == k.session_id) return s;
    return std::nullopt;
  }
  std::vector<host::ActiveSession> account_sessions(const std::string&, size_t) override {
    return {};  // the service manager's API never asks by account
  }
  std::vector<host::ActiveSession> all;
  size_t asked_limit = 0;
};

TEST(SessionApi, PagesCarryTheNextKeyUntilTheLastAndOneSessionIsFoundByItsKey) {
  SessionsStandIn store;
  ApiAnswer a = answer_api("GET", "/sessions?limit=2", store, 1060);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(store.asked_limit, 3u) << "one more than the page, to know whether another follows";
  EXPECT_NE(a.body.find("\"session_id\":\"18446744073709551615\""), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"next\":\"gw-1/18446744073709551615\"}"), std::string::npos) << a.body;
  EXPECT_EQ(a.body.find("gw/2"), std::string::npos) << a.body;
  a = answer_api("GET", "/sessions?after=gw-1%2F18446744073709551615&limit=2", store, 1060);
  EXPECT_EQ(a.status, 200);
  EXPECT_NE(a.body.find("\"agent\":\"gw/2\""), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"next\":null}"), std::string::npos) << a.body;
  a = answer_api("GET", "/sessions", store, 1060);
  EXPECT_EQ(store.asked_limit, default_page + 1);
  EXPECT_NE(a.body.find("\"duration_s\":60,"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"account\":null,\"balance_micros\":null"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("\"rate\":null}"), std::string::npos) << a.body;

  a = answer_api("GET", "/sessions/gw%2F2/1", store, 1060);
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body.rfind("{\"agent\":\"gw/2\",\"session_id\":\"1\",", 0), 0u) << a.body;
  a = answer_api("GET", "/sessions/gw-1/6", store, 1060);
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body, "{\"error\":\"no open session gw-1/6\"}");
}

TEST(SessionApi, BadRequestsAreRefusedNamingWhatIsWrong) {
  SessionsStandIn store;
  const std::pair<const char*, int> cases[] = {
      {"/sessions?limit=0", 400},        {"/sessions?limit=1001", 400},
      {"/sessions?limit=ten", 400},      {"/sessions?after=gw-1", 400},
      {"/sessions?after=gw-1/x", 400},   {"/sessions?after=%zz", 400},
      {"/sessions?sort=agent", 400},     {"/sessions/gw-1", 400},
      {"/sessions/gw-1/-1", 400},        {"/sessions//5", 400},
      {"/session", 404},                 {"/", 404},
  };
  for (const auto& [target, status] : cases) {
    const ApiAnswer a = answer_api("GET", target, store, 0);
    EXPECT_EQ(a.status, status) << target << ": " << a.body;
    EXPECT_EQ(a.body.rfind("{\"error\":\"", 0), 0u) << target << ": " << a.body;
  }
  EXPECT_NE(answer_api("GET", "/sessions?limit=0", store, 0).body.find("limit must be a whole number from 1 to 1000"),
            std::string::npos);
  EXPECT_EQ(answer_api("POST", "/sessions", store, 0).status, 405);
  EXPECT_EQ(answer_api("DELETE", "/sessions/gw-1/5", store, 0).status, 405);
  EXPECT_EQ(parse_session_key("gw/2/7")->agent_id, "gw/2");
  EXPECT_FALSE(parse_session_key("/7"));
}

}  // namespace
}  // namespace gm::billing
