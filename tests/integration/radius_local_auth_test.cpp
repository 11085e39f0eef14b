// Access-Requests of this operator's own realms decided by billing (host/radius/local_access.h),
// on both databases, with Debian's radclient as the NAS: the subscriber's password checked
// against its Argon2id hash, then billing's answer: a prepaid account's Session-Timeout is what
// its balance buys at the rate, a postpaid one the longest allowed; no funds, a disabled
// account, a wrong password, an unknown user, CHAP and an unknown realm are rejected, each with
// its words; nothing is written by a decision.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "gatemeter.pb.h"
#include "host/billing/password_hash.h"
#include "host/radius/radius_server.h"
#include "host/store/store.h"
#include "tests/support/radclient.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

constexpr const char* secret = "testing123";
constexpr const char* ma = ",Message-Authenticator=0x00";

class RadiusLocalAuthTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!test::have_radclient())
      GTEST_SKIP() << "radclient not installed (Debian freeradius-utils)";
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = open_store(db_->spec());
    catalog();
    account("ann-acct", AccountKind::prepaid, 300'000, true);  // 300 s at 1,000 a second
    account("bob-acct", AccountKind::postpaid, 0, true);
    account("cat-acct", AccountKind::prepaid, 0, true);
    account("dan-acct", AccountKind::prepaid, 5'000'000, false);
    subscriber("ann@isp.example", "ann-acct", "correct horse");
    subscriber("bob@isp.example", "bob-acct", "battery staple");
    subscriber("cat@isp.example", "cat-acct", "pw-cat");
    subscriber("dan@isp.example", "dan-acct", "pw-dan");
    store_->account_book().add_subscriber({"eve@isp.example", "ann-acct"});  // no password

    RadiusSettings s;
    s.port = 0;
    s.access.port = 0;
    s.local.on = true;
    s.local.longest_session_s = 7'200;
    s.local.interim_interval_s = 30;
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

  void catalog() {
    BillingCatalog& c = store_->catalog();
    c.set_realm({"isp.example", "", 0, "", 0});
    c.set_realm({"partner.example", "partner", 0, "", 0});  // another provider's: not local
    c.set_offer({"isp.example", gatemeter_BillingOption_BILLING_PREPAID, "prepaid", ""});
    c.set_offer({"isp.example", gatemeter_BillingOption_BILLING_POSTPAID, "postpaid", ""});
    RateRow r;
    r.service_type = r.band = r.zone = r.provider = "*";
    r.unit = "second";
    r.price_micros = 1'000;
    r.increment = 1;
    r.created_unix = 100;
    c.add_rate(r);
  }
  void account(const std::string& name, AccountKind kind, int64_t balance, bool enabled) {
    AccountRow a;
    a.name = name;
    a.kind = kind;
    a.balance_micros = balance;
    a.enabled = enabled;
    a.created_unix = 100;
    store_->account_book().add_account(a);
  }
  void subscriber(const std::string& name, const std::string& acct, const std::string& pw) {
    store_->account_book().add_subscriber({name, acct});
    ASSERT_TRUE(store_->account_book().set_subscriber_password(name, billing::hash_password(pw)));
  }
  test::RadclientRun ask(const std::string& attributes) {
    return test::radclient(server_->auth_port(), secret,
                           {attributes + ",NAS-Identifier=nas-1" + ma}, "-x", "auth");
  }
  static bool has(const test::RadclientRun& r, const std::string& text) {
    return r.output.find(text) != std::string::npos;
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RadiusServer> server_;
};

TEST_P(RadiusLocalAuthTest, APrepaidSubscriberIsAcceptedForWhatTheBalanceBuys) {
  const auto r = ask("User-Name=ann@isp.example,User-Password=\"correct horse\"");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "Received Access-Accept")) << r.output;
  EXPECT_TRUE(has(r, "Session-Timeout = 300")) << r.output;  // 300,000 / 1,000 a second
  EXPECT_TRUE(has(r, "Acct-Interim-Interval = 30")) << r.output;
  // A name without a realm takes the client's.
  const auto bare = ask("User-Name=ann,User-Password=\"correct horse\"");
  EXPECT_TRUE(has(bare, "Received Access-Accept")) << bare.output;
  // Deciding wrote nothing: no authorisation holds the balance, nothing was debited.
  EXPECT_EQ(store_->account_book().find_account("ann-acct")->balance_micros, 300'000);
  EXPECT_FALSE(store_->authorisations().find_authorisation(0, 0));
  EXPECT_EQ(server_->local()->stats().accepted, 2u);
}

TEST_P(RadiusLocalAuthTest, APostpaidSubscriberGetsTheLongestSession) {
  const auto r = ask("User-Name=bob@isp.example,User-Password=\"battery staple\"");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "Received Access-Accept")) << r.output;
  EXPECT_TRUE(has(r, "Session-Timeout = 7200")) << r.output;
}

TEST_P(RadiusLocalAuthTest, BillingsRejectionsReachTheNasWithTheirReasons) {
  const auto broke = ask("User-Name=cat@isp.example,User-Password=pw-cat");
  EXPECT_TRUE(has(broke, "Received Access-Reject")) << broke.output;
  const auto disabled = ask("User-Name=dan@isp.example,User-Password=pw-dan");
  EXPECT_TRUE(has(disabled, "Received Access-Reject")) << disabled.output;
  EXPECT_TRUE(has(disabled, "Reply-Message")) << disabled.output;
  EXPECT_EQ(server_->local()->stats().decided, 2u);  // both reached billing's decision
  EXPECT_EQ(server_->local()->stats().accepted, 0u);
}

TEST_P(RadiusLocalAuthTest, AWrongPasswordAnUnknownUserAndNoPasswordSetHearTheSameWords) {
  const auto wrong = ask("User-Name=ann@isp.example,User-Password=wrong");
  const auto unknown = ask("User-Name=zed@isp.example,User-Password=\"correct horse\"");
  const auto unset = ask("User-Name=eve@isp.example,User-Password=anything");
  for (const auto* r : {&wrong, &unknown, &unset}) {
    EXPECT_TRUE(has(*r, "Received Access-Reject")) << r->output;
    EXPECT_TRUE(has(*r, "wrong user name or password")) << r->output;
  }
  EXPECT_EQ(server_->local()->stats().refused[static_cast<size_t>(LocalRefusal::bad_password)],
            3u);
  EXPECT_EQ(server_->local()->stats().decided, 0u);  // billing never asked
}

TEST_P(RadiusLocalAuthTest, ChapAnUnknownRealmAndAnotherProvidersRealmAreRejected) {
  const auto chap = ask("User-Name=ann@isp.example,CHAP-Password=\"correct horse\"");
  EXPECT_TRUE(has(chap, "Received Access-Reject")) << chap.output;
  EXPECT_TRUE(has(chap, "CHAP is not offered")) << chap.output;
  const auto nowhere = ask("User-Name=ann@nowhere.example,User-Password=\"correct horse\"");
  EXPECT_TRUE(has(nowhere, "unknown realm")) << nowhere.output;
  const auto partner = ask("User-Name=ann@partner.example,User-Password=\"correct horse\"");
  EXPECT_TRUE(has(partner, "unknown realm")) << partner.output;  // not proxied: no home server
}

TEST_P(RadiusLocalAuthTest, ARequestWithoutMessageAuthenticatorIsNeverAnswered) {
  const auto r = test::radclient(server_->auth_port(), secret,
                                 {"User-Name=ann@isp.example,User-Password=\"correct horse\""}, "-x",
                                 "auth");
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_FALSE(has(r, "Received")) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Databases, RadiusLocalAuthTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
