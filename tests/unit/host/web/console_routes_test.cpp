// The web console's decision (host/web/console_routes.h) over a real store of each kind: who
// may reach what, the cookie and CSRF rules, the login throttle, and that a refused request
// changes nothing.
#include "host/web/console_routes.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "host/billing/password_hash.h"
#include "host/store/store.h"
#include "tests/support/test_database.h"

namespace gm::web {
namespace {

constexpr int64_t unix_now = 1'800'000'000;

class ConsoleRoutesTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string why;
    db_ = test::TestDatabase::create(GetParam(), &why);
    if (!db_) GTEST_SKIP() << why;
    store_ = host::open_store(db_->spec());
    dir_ = std::filesystem::temp_directory_path() /
           ("gm-console-routes-" + std::to_string(::getpid()) + "-" + GetParam());
    std::filesystem::create_directories(dir_);
    write_operator((dir_ / "ops").string(), "ops", billing::hash_password("ops-password"));
    operators_ = std::make_unique<ConsoleOperators>((dir_ / "ops").string());
    routes_ = std::make_unique<ConsoleRoutes>(*store_, *operators_);

    host::AccountRow a;
    a.name = "acct-1";
    a.balance_micros = 5'000'000;
    store_->account_book().add_account(a);
    store_->account_book().add_subscriber({"ann@isp.example", "acct-1"});
    store_->account_book().set_subscriber_password("ann@isp.example",
                                                   billing::hash_password("ann-password"));
    store_->add_agent("gw-1", {1, 2, 3}, unix_now);
  }
  void TearDown() override {
    routes_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ConsoleAnswer call(std::string_view method, std::string_view target, std::string_view body = {},
                     std::string_view csrf = {}, std::string_view origin = {}) {
    const ConsoleRequest r{method, target,    cookie_, csrf, origin, "console.example",
                           body,   "10.0.0.1"};
    return routes_->answer(r, steady_, unix_now);
  }
  // Logs in and keeps the cookie; returns the CSRF token.
  std::string log_in(std::string_view role, std::string_view name, std::string_view password) {
    const ConsoleAnswer a = call("POST", "/api/login",
                                 "role=" + std::string(role) + "&name=" + std::string(name) +
                                     "&password=" + std::string(password),
                                 "login");
    EXPECT_EQ(a.status, 200) << a.body;
    if (a.set_cookie.empty()) return "";
    const std::string& c = a.set_cookie[0];
    token_ = c.substr(std::string(cookie_name).size() + 1,
                      c.find(';') - std::string(cookie_name).size() - 1);
    cookie_ = std::string(cookie_name) + "=" + token_;
    const size_t at = a.body.find("\"csrf\":\"") + 8;
    return a.body.substr(at, a.body.find('"', at) - at);
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<host::Store> store_;
  std::filesystem::path dir_;
  std::unique_ptr<ConsoleOperators> operators_;
  std::unique_ptr<ConsoleRoutes> routes_;
  std::string cookie_, token_;
  int64_t steady_ = 1000;
};

TEST_P(ConsoleRoutesTest, ThePageIsPublicAndDataIsNot) {
  const ConsoleAnswer page = call("GET", "/");
  ASSERT_NE(page.asset, nullptr);
  EXPECT_EQ(page.asset->path, "/index.html");
  EXPECT_EQ(call("GET", "/no-such-file.js").status, 404);
  for (const char* t : {"/api/me", "/api/sessions", "/api/gateways", "/api/my", "/api/periods",
                        "/api/live?view=gateways"})
    EXPECT_EQ(call("GET", t).status, 401) << t;
  EXPECT_EQ(call("DELETE", "/api/me").status, 405);
}

TEST_P(ConsoleRoutesTest, ALoginSetsASecureHttpOnlyStrictCookie) {
  const ConsoleAnswer a =
      call("POST", "/api/login", "role=operator&name=ops&password=ops-password", "login");
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(a.set_cookie.size(), 1u);
  const std::string& c = a.set_cookie[0];
  EXPECT_EQ(c.rfind("gm_console=", 0), 0u) << c;
  for (const char* flag : {"; Secure", "; HttpOnly", "; SameSite=Strict", "; Path=/"})
    EXPECT_NE(c.find(flag), std::string::npos) << c;
  EXPECT_NE(a.body.find("\"role\":\"operator\""), std::string::npos);
}

TEST_P(ConsoleRoutesTest, WrongPasswordsAndUnknownNamesLookAlikeAndAreThrottled) {
  const ConsoleAnswer unknown =
      call("POST", "/api/login", "role=operator&name=nobody&password=x", "login");
  const ConsoleAnswer wrong =
      call("POST", "/api/login", "role=operator&name=ops&password=x", "login");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);
  EXPECT_TRUE(unknown.set_cookie.empty());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(call("POST", "/api/login", "role=operator&name=ops&password=x", "login").status, 401);
  // The fifth failure of this address locked it: even the right password waits, unchecked.
  const ConsoleAnswer locked =
      call("POST", "/api/login", "role=operator&name=ops&password=ops-password", "login");
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_GT(locked.retry_after_s, 0);
  steady_ += 61;
  EXPECT_EQ(
      call("POST", "/api/login", "role=operator&name=ops&password=ops-password", "login").status,
      200);
}

TEST_P(ConsoleRoutesTest, BadLoginFormsAreRefusedClearly) {
  EXPECT_EQ(call("POST", "/api/login", "role=admin&name=ops&password=x", "login").status, 400);
  EXPECT_EQ(call("POST", "/api/login", "role=operator&password=x", "login").status, 400);
  EXPECT_EQ(call("POST", "/api/login", "role=operator&name=ops&password=%zz", "login").status, 400);
  EXPECT_EQ(call("GET", "/api/login").status, 405);
  // No CSRF header at all, even for the login: a cross-site form cannot add one.
  EXPECT_EQ(call("POST", "/api/login", "role=operator&name=ops&password=ops-password").status, 403);
}

TEST_P(ConsoleRoutesTest, EveryPostNeedsTheSessionsOwnCsrfTokenAndThisOrigin) {
  const std::string csrf = log_in("operator", "ops", "ops-password");
  ASSERT_FALSE(csrf.empty());
  EXPECT_EQ(call("POST", "/api/gateways/gw-1/disable").status, 403);
  EXPECT_EQ(call("POST", "/api/gateways/gw-1/disable", "", "not-the-token").status, 403);
  EXPECT_EQ(call("POST", "/api/gateways/gw-1/disable", "", csrf, "https://evil.example").status,
            403);
  EXPECT_TRUE(store_->find_agent("gw-1")->enabled) << "a refused POST changed the store";
  const ConsoleAnswer ok =
      call("POST", "/api/gateways/gw-1/disable", "", csrf, "https://console.example");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_FALSE(store_->find_agent("gw-1")->enabled);
}

TEST_P(ConsoleRoutesTest, EachRoleReachesOnlyItsOwnTargets) {
  log_in("subscriber", "ann@isp.example", "ann-password");
  EXPECT_EQ(call("GET", "/api/my").status, 200);
  for (const char* t :
       {"/api/sessions", "/api/gateways", "/api/accounts", "/api/periods", "/api/commands/1"})
    EXPECT_EQ(call("GET", t).status, 403) << t;
  EXPECT_EQ(call("GET", "/api/live?view=gateways").status, 403);
  EXPECT_TRUE(call("GET", "/api/live?view=my").live.has_value());

  log_in("operator", "ops", "ops-password");
  EXPECT_EQ(call("GET", "/api/gateways").status, 200);
  EXPECT_NE(call("GET", "/api/gateways").body.find("\"agent\":\"gw-1\""), std::string::npos);
  EXPECT_EQ(call("GET", "/api/live?view=my").status, 403);
  EXPECT_EQ(call("GET", "/api/live?view=sessions&limit=5000").status, 400);
  EXPECT_EQ(call("GET", "/api/live?view=sessions&after=junk").status, 400);
  const auto live = call("GET", "/api/live?view=sessions&after=gw-1%2F7&limit=10").live;
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->key, "sessions|gw-1/7|10");
}

TEST_P(ConsoleRoutesTest, LogoutEndsTheSession) {
  const std::string csrf = log_in("operator", "ops", "ops-password");
  EXPECT_EQ(call("GET", "/api/me").status, 200);
  const ConsoleAnswer out = call("POST", "/api/logout", "", csrf);
  EXPECT_EQ(out.status, 200);
  ASSERT_EQ(out.set_cookie.size(), 1u);
  EXPECT_NE(out.set_cookie[0].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/me").status, 401);
}

TEST_P(ConsoleRoutesTest, SessionsExpireWhenIdle) {
  log_in("operator", "ops", "ops-password");
  steady_ += ConsoleSessions::idle_s - 1;
  EXPECT_EQ(call("GET", "/api/me").status, 200);  // and that request keeps it alive
  steady_ += ConsoleSessions::idle_s - 1;
  EXPECT_EQ(call("GET", "/api/me").status, 200);
  steady_ += ConsoleSessions::idle_s;
  EXPECT_EQ(call("GET", "/api/me").status, 401);
}

TEST_P(ConsoleRoutesTest, ATopUpIsCreditedOncePerKeyAndBadOnesChangeNothing) {
  const std::string csrf = log_in("subscriber", "ann@isp.example", "ann-password");
  auto balance = [&] { return store_->account_book().find_account("acct-1")->balance_micros; };
  for (const char* bad : {"amount=0&key=abcdefgh", "amount=-1&key=abcdefgh",
                          "amount=1.0000001&key=abcdefgh", "amount=1000.01&key=abcdefgh",
                          "amount=1.00&key=short", "amount=1.00", "amount=ten&key=abcdefgh"}) {
    const ConsoleAnswer a = call("POST", "/api/my/topup", bad, csrf);
    EXPECT_EQ(a.status, 400) << bad << ": " << a.body;
  }
  EXPECT_EQ(balance(), 5'000'000);
  const ConsoleAnswer first = call("POST", "/api/my/topup", "amount=2.50&key=pay-0001", csrf);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find("\"applied\""), std::string::npos);
  const ConsoleAnswer again = call("POST", "/api/my/topup", "amount=2.50&key=pay-0001", csrf);
  EXPECT_NE(again.body.find("\"repeated\""), std::string::npos) << again.body;
  EXPECT_EQ(balance(), 7'500'000);
  // The same key for another amount is a conflict, not a second payment.
  EXPECT_EQ(call("POST", "/api/my/topup", "amount=3.00&key=pay-0001", csrf).status, 409);
  EXPECT_EQ(balance(), 7'500'000);
}

TEST_P(ConsoleRoutesTest, EndingASessionQueuesOneCommandAndReportsItPending) {
  const std::string csrf = log_in("operator", "ops", "ops-password");
  EXPECT_EQ(call("POST", "/api/sessions/gw-1/99/end", "", csrf).status, 404);
  EXPECT_EQ(call("POST", "/api/sessions/nobody/99/end", "", csrf).status, 404);
  EXPECT_EQ(call("POST", "/api/sessions/gw-1/x/end", "", csrf).status, 400);
  EXPECT_TRUE(store_->pending_commands(10).empty()) << "a refused action queued a command";
  EXPECT_EQ(call("GET", "/api/commands/12345").status, 404);
}

TEST_P(ConsoleRoutesTest, TheCaptivePortalsOffersArePublic) {
  host::RealmRow realm;
  realm.name = "isp.example";
  store_->catalog().set_realm(realm);
  store_->catalog().set_offer(
      {"isp.example", gatemeter_BillingOption_BILLING_PREPAID, "Prepaid", "1.80 EUR/hour"});
  const ConsoleAnswer a = call("GET", "/api/offers?realm=isp.example");
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_NE(
      a.body.find("{\"option\":\"prepaid\",\"label\":\"Prepaid\",\"terms\":\"1.80 EUR/hour\"}"),
      std::string::npos)
      << a.body;
  EXPECT_EQ(call("GET", "/api/offers?realm=other.example").body,
            "{\"realm\":\"other.example\",\"offers\":[]}");
  EXPECT_EQ(call("GET", "/api/offers").status, 400);
  EXPECT_EQ(call("POST", "/api/offers?realm=isp.example", "", "login").status, 405);
}

INSTANTIATE_TEST_SUITE_P(Stores, ConsoleRoutesTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return std::string(info.param); });

TEST(ConsoleOperatorsFile, WrittenWholeWithMode0600AndMalformedLinesNamed) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("gm-ops-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "web-operators").string();
  EXPECT_FALSE(write_operator(path, "ann", "$argon2id$v=19$x"));
  EXPECT_TRUE(write_operator(path, "ann", "$argon2id$v=19$y"));
  EXPECT_FALSE(write_operator(path, "bob", "$argon2id$v=19$z"));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto all = read_operators(path);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all["ann"], "$argon2id$v=19$y");
  EXPECT_TRUE(write_operator(path, "ann", ""));
  EXPECT_EQ(read_operators(path).size(), 1u);
  std::ofstream(path, std::ios::app) << "carl:plaintext\n";
  try {
    read_operators(path);
    ADD_FAILURE() << "a plain-text password was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(":3: the hash of carl is not Argon2id"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(valid_operator_name("a b"));
  EXPECT_FALSE(valid_operator_name("a:b"));
  EXPECT_FALSE(valid_operator_name(""));
  EXPECT_TRUE(valid_operator_name("ops-1"));
  std::filesystem::remove_all(dir);
}

TEST(ConsoleCookies, TheNamedCookieIsFoundAmongOthers) {
  EXPECT_EQ(cookie_value("a=1; gm_console=abc; b=2", "gm_console"), "abc");
  EXPECT_EQ(cookie_value("xgm_console=abc", "gm_console"), "");
  EXPECT_EQ(cookie_value("", "gm_console"), "");
}

}  // namespace
}  // namespace gm::web
