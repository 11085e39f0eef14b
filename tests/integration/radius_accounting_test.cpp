// The RADIUS accounting server (host/radius/radius_server.h) on both databases, driven by
// Debian's radclient: Start, Interim-Update and Stop land in the usage ledger as the NAS's
// sessions; repeats and reordered interims never lower totals; a duplicate is answered and
// applied once; a wrong secret is never answered; an id a rebooted NAS reuses is a new session;
// Accounting-On ends the NAS's open sessions; a request that cannot be stored is not answered.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gatemeter.pb.h"
#include "host/radius/radius_server.h"
#include "host/store/store.h"
#include "tests/support/eventually.h"
#include "tests/support/radclient.h"
#include "tests/support/radius_request.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

constexpr const char* secret = "testing123";

class RadiusAccountingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!test::have_radclient())
      GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = open_store(db_->spec());
    RadiusSettings s;
    s.port = 0;
    in_addr a{};
    inet_pton(AF_INET, "127.0.0.1", &a);
    s.clients.add(ntohl(a.s_addr), {secret, "isp.example"});
    server_ = std::make_unique<RadiusServer>(db_->spec(), s);
    server_->start();
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    db_.reset();
  }
  test::RadclientRun send(const std::vector<std::string>& packets, const std::string& extra = "",
                          const std::string& with = secret) {
    return test::radclient(server_->port(), with, packets, extra);
  }
  std::vector<SubscriberSession> sessions(const std::string& nas = "nas-1") {
    return store_->sessions("radius:" + nas);
  }
  // At `at` seconds after base, `time` seconds into the session (a session from base: at = time).
  static std::string packet_at(const std::string& status, const std::string& id, int at, int time,
                               uint64_t in, uint64_t out, const std::string& more = "") {
    return "User-Name=ann,NAS-Identifier=nas-1,Acct-Status-Type=" + status +
           ",Acct-Session-Id=" + id + ",Event-Timestamp=" + std::to_string(base + at) +
           ",Acct-Session-Time=" + std::to_string(time) +
           ",Acct-Input-Octets=" + std::to_string(in & 0xffffffffu) +
           ",Acct-Input-Gigawords=" + std::to_string(in >> 32) +
           ",Acct-Output-Octets=" + std::to_string(out) + (more.empty() ? "" : "," + more);
  }
  static std::string packet(const std::string& status, const std::string& id, int time,
                            uint64_t in, uint64_t out, const std::string& more = "") {
    return packet_at(status, id, time, time, in, out, more);
  }
  static constexpr int64_t base = 1'796'032'800;

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RadiusServer> server_;
};

TEST_P(RadiusAccountingTest, StartInterimStopBecomeOneSessionOfTheNasWith64BitTotals) {
  const auto run = send({packet("Start", "s1", 0, 0, 0),
                         packet("Interim-Update", "s1", 60, (5ull << 32) + 7, 900),
                         packet("Stop", "s1", 125, (6ull << 32) + 1, 2'000,
                                "Acct-Terminate-Cause=User-Request")});
  ASSERT_EQ(run.status, 0) << run.output;
  const auto all = sessions();
  ASSERT_EQ(all.size(), 1u);
  const SubscriberSession& s = all[0];
  EXPECT_EQ(s.subscriber, "ann@isp.example");  // the client's realm
  EXPECT_EQ(s.totals.charged_s, 125u);
  EXPECT_EQ(s.totals.octets_in, (6ull << 32) + 1);
  EXPECT_EQ(s.totals.octets_out, 2'000u);
  EXPECT_EQ(s.start_unix, 1'796'032'800u);
  EXPECT_NE(s.state, SessionState::open);  // ended
  EXPECT_EQ(s.stop_cause, gatemeter_StopCause_STOP_USER_REQUEST);
  EXPECT_EQ(server_->stats().records_committed, 3u);
}

TEST_P(RadiusAccountingTest, InterimsOutOfOrderAndRepeatsNeverLowerTheTotals) {
  const auto run = send({packet("Interim-Update", "s2", 300, 30'000, 3'000),
                         packet("Interim-Update", "s2", 100, 10'000, 1'000),
                         packet("Start", "s2", 0, 0, 0),
                         packet("Interim-Update", "s2", 200, 20'000, 2'000)},
                        "-c 2");  // each twice (as new requests: new Identifiers)
  ASSERT_EQ(run.status, 0) << run.output;
  const auto all = sessions();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].totals.charged_s, 300u);
  EXPECT_EQ(all[0].totals.octets_in, 30'000u);
  EXPECT_EQ(all[0].state, SessionState::open);  // no Stop yet
}

TEST_P(RadiusAccountingTest, ARetransmittedRequestIsAnsweredFromTheCacheAndAppliedOnce) {
  // The same octets four times from one socket, as a NAS retransmits (RFC 5080 section 2.2.2:
  // same address and port, Identifier and authenticator): answered each time it can be, the
  // same answer, committed once.
  const auto request = test::RadiusRequest(42)
                           .integer(radius::attr::acct_status_type, 1)
                           .text(radius::attr::acct_session_id, "s3")
                           .text(radius::attr::user_name, "ann")
                           .text(radius::attr::nas_identifier, "nas-1")
                           .sealed(secret);
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server_->port());
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  timeval wait{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  std::vector<std::vector<uint8_t>> answers;
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    if (i == 0 || i == 3) {  // the first answer, and the last after the cache has it
      std::vector<uint8_t> a(64);
      const ssize_t n = ::recv(fd, a.data(), a.size(), 0);
      ASSERT_EQ(n, 20);
      a.resize(20);
      answers.push_back(a);
    }
  }
  ::close(fd);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0][1], 42);
  EXPECT_EQ(sessions().size(), 1u);
  EXPECT_EQ(server_->stats().records_committed, 1u);
  // The last sends may still be on their way in when the last answer is read.
  EXPECT_TRUE(test::eventually([&] {
    return server_->stats().duplicates_answered + server_->stats().duplicates_dropped == 3u;
  }));
  EXPECT_GE(server_->stats().duplicates_answered, 1u);
}

TEST_P(RadiusAccountingTest, AWrongSecretIsNeverAnsweredAndChangesNothing) {
  const auto run = send({packet("Start", "s4", 0, 0, 0)}, "", "not-the-secret");
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_TRUE(sessions().empty());
  EXPECT_GE(server_->stats().refused[static_cast<size_t>(radius::Refusal::bad_authenticator)], 1u);
  EXPECT_EQ(server_->stats().answered, 0u);
}

TEST_P(RadiusAccountingTest, AnIdReusedAfterARebootIsANewSessionAndAccountingOnEndsTheOld) {
  ASSERT_EQ(send({packet("Start", "0001", 0, 0, 0),
                  packet("Interim-Update", "0001", 600, 6'000, 600)})
                .status,
            0);
  // The NAS reboots: Accounting-On ends what it had open, at its last totals.
  ASSERT_EQ(send({"NAS-Identifier=nas-1,Acct-Status-Type=Accounting-On,Event-Timestamp=" +
                  std::to_string(base + 700)})
                .status,
            0);
  auto all = sessions();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_NE(all[0].state, SessionState::open);
  EXPECT_EQ(all[0].stop_cause, gatemeter_StopCause_STOP_AGENT_RESTART);
  EXPECT_EQ(all[0].totals.charged_s, 600u);
  EXPECT_EQ(server_->stats().sessions_ended, 1u);
  // Its counter starts again at 0001: a start 800 s later names another session, and an interim
  // whose start rounds a second later (860 - 59) is that same new session.
  ASSERT_EQ(send({packet_at("Start", "0001", 800, 0, 0, 0),
                  packet_at("Interim-Update", "0001", 860, 59, 50, 0)})
                .status,
            0);
  all = sessions();
  ASSERT_EQ(all.size(), 2u);
  const SubscriberSession& fresh = all[0].state == SessionState::open ? all[0] : all[1];
  EXPECT_EQ(fresh.totals.octets_in, 50u);  // a second's rounding apart from its Start: one session
  EXPECT_EQ(fresh.totals.charged_s, 59u);
}

TEST_P(RadiusAccountingTest, AKnownSubscribersSessionIsRatedAndItsAccountDebitedInTheCommit) {
  AccountRow a;
  a.name = "acct-r";
  a.balance_micros = 10'000'000;
  a.created_unix = 100;
  store_->account_book().add_account(a);
  store_->account_book().add_subscriber({"ann@isp.example", "acct-r"});
  RateRow r;
  r.plan = "";
  r.service_type = "*";
  r.band = "*";
  r.zone = "*";
  r.provider = "*";
  r.unit = "second";
  r.price_micros = 1'000;  // per second
  r.increment = 1;
  r.effective_from_unix = 0;
  r.created_unix = 100;
  store_->catalog().add_rate(r);
  const auto run = send({packet("Start", "m1", 0, 0, 0), packet("Interim-Update", "m1", 60, 600, 6),
                         packet("Stop", "m1", 125, 1'250, 12)});
  ASSERT_EQ(run.status, 0) << run.output;
  // 125 charged seconds at 1,000 micro-units each, debited by the commits that carried them.
  EXPECT_EQ(store_->account_book().find_account("acct-r")->balance_micros, 10'000'000 - 125'000);
  const auto s = sessions();
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].billing, gatemeter_BillingOption_BILLING_PREPAID);
}

TEST_P(RadiusAccountingTest, ARequestThatCannotBeStoredIsNotAnswered) {
  // No Acct-Session-Id: counted, not answered (RFC 2866 section 4.1), nothing stored.
  const auto run = send({"User-Name=ann,NAS-Identifier=nas-1,Acct-Status-Type=Start"});
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_TRUE(sessions().empty());
  EXPECT_GE(server_->stats().unusable[static_cast<size_t>(radius::AccountingRefusal::no_session_id)],
            1u);
}

INSTANTIATE_TEST_SUITE_P(Databases, RadiusAccountingTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
