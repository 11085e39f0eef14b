// The settlement-reports decision (host/settlement/report_access.h): each provider reaches its
// own closed reports only. The lookups are fakes: providers A and B with passwords, N with
// none, two closed periods (July, where both have reports, and August, where only B has), and
// a stand-in password check that counts its calls, so a test can prove no hash was consulted.
#include "host/settlement/report_access.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace gm::settlement {
namespace {

constexpr int64_t july = 867'715'200;    // 1997-07-01T00:00:00Z
constexpr int64_t august = 870'393'600;  // 1997-08-01T00:00:00Z
constexpr int64_t september = 873'072'000;

std::string base64(const std::string& in) {
  static constexpr char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += abc[n >> 18 & 63];
    out += abc[n >> 12 & 63];
    out += i + 1 < in.size() ? abc[n >> 6 & 63] : '=';
    out += i + 2 < in.size() ? abc[n & 63] : '=';
  }
  return out;
}

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + base64(user + ":" + password);
}

const std::vector<std::string> all_reports = {"detail", "summary", "invoice", "credit_debit",
                                              "detail_file"};

class ReportAccess : public ::testing::Test {
 protected:
  std::map<std::string, std::string> hashes{{"A", "hash:pw-A"}, {"B", "hash:pw-B"}, {"N", ""}};
  std::map<std::string, int64_t> throttled;
  int matcher_calls = 0;
  bool match_anything = false;  // a matcher that would take any password for any hash
  std::vector<host::ClosedPeriod> periods{{july, august, august + 3600, 5, 0},
                                          {august, september, september + 3600, 2, 1}};

  AccessLookups lookups() {
    AccessLookups l;
    l.password_hash = [this](const std::string& p) -> std::optional<std::string> {
      const auto it = hashes.find(p);
      if (it == hashes.end()) return std::nullopt;
      return it->second;
    };
    l.password_matches = [this](const std::string& hash, std::string_view password) {
      ++matcher_calls;
      return match_anything || hash == "hash:" + std::string(password);
    };
    l.throttled_s = [this](const std::string& p) {
      const auto it = throttled.find(p);
      return it == throttled.end() ? int64_t{0} : it->second;
    };
    l.closed_periods = [this] { return periods; };
    l.reports_of = [](int64_t from, const std::string& p) {
      if (from == july && (p == "A" || p == "B" || p == "N")) return all_reports;
      if (from == august && p == "B") return all_reports;
      return std::vector<std::string>{};
    };
    return l;
  }

  AccessDecision ask(const std::string& target, const std::vector<std::string>& auth,
                     const std::string& method = "GET") {
    const std::vector<std::string_view> views(auth.begin(), auth.end());
    return decide_access({method, target, views}, lookups());
  }
  AccessDecision as_a(const std::string& target, const std::string& method = "GET") {
    return ask(target, {basic("A", "pw-A")}, method);
  }
};

std::string july_path(const std::string& file) {
  return "/periods/867715200/" + file;
}

TEST_F(ReportAccess, ServesTheAuthenticatedProvidersOwnReportOfAClosedPeriod) {
  const AccessDecision d = as_a(july_path("invoice.csv"));
  ASSERT_EQ(d.status, 200) << d.why;
  EXPECT_EQ(d.action, AccessAction::report);
  EXPECT_EQ(d.provider, "A");
  EXPECT_EQ(d.report, "invoice");
  EXPECT_EQ(d.format, ReportFormat::csv);
  EXPECT_EQ(d.period.from_unix, july);
  EXPECT_EQ(d.period.to_unix, august);
  EXPECT_FALSE(d.head);
  EXPECT_FALSE(d.login_failed);
  EXPECT_EQ(download_name(d), "invoice-867715200.csv");
  EXPECT_STREQ(content_type(d), "text/csv; charset=utf-8");
}

TEST_F(ReportAccess, EveryReportInEveryFormatAndTheDetailFile) {
  for (const char* r : {"detail", "summary", "invoice", "credit_debit"}) {
    for (const auto& [ext, format] :
         {std::pair{"csv", ReportFormat::csv}, std::pair{"json", ReportFormat::json},
          std::pair{"html", ReportFormat::html}}) {
      const AccessDecision d = as_a(july_path(std::string(r) + "." + ext));
      ASSERT_EQ(d.status, 200) << r << "." << ext << ": " << d.why;
      EXPECT_EQ(d.report, r);
      EXPECT_EQ(d.format, format);
    }
  }
  const AccessDecision d = as_a(july_path("detail_file.txt"));
  ASSERT_EQ(d.status, 200) << d.why;
  EXPECT_EQ(d.action, AccessAction::detail_file);
  EXPECT_EQ(d.provider, "A");
  EXPECT_EQ(download_name(d), "detail_file-867715200.txt");
  EXPECT_STREQ(content_type(d), "text/plain; charset=us-ascii");
}

TEST_F(ReportAccess, HeadIsServedLikeGetWithoutABody) {
  const AccessDecision d = as_a(july_path("summary.json"), "HEAD");
  ASSERT_EQ(d.status, 200) << d.why;
  EXPECT_TRUE(d.head);
  EXPECT_EQ(d.report, "summary");
}

TEST_F(ReportAccess, TheListingHoldsOnlyPeriodsWithReportsOfTheProvider) {
  const AccessDecision a = as_a("/periods");
  ASSERT_EQ(a.status, 200) << a.why;
  EXPECT_EQ(a.action, AccessAction::list_periods);
  ASSERT_EQ(a.periods.size(), 1u);  // August holds only B's reports
  EXPECT_EQ(a.periods[0].period.from_unix, july);
  ASSERT_EQ(a.periods[0].targets.size(), 13u);  // 4 reports x 3 formats + the detail file
  EXPECT_EQ(a.periods[0].targets.front(), "/periods/867715200/detail.csv");
  EXPECT_EQ(a.periods[0].targets.back(), "/periods/867715200/detail_file.txt");
  const AccessDecision b = ask("/periods", {basic("B", "pw-B")});
  ASSERT_EQ(b.status, 200) << b.why;
  EXPECT_EQ(b.periods.size(), 2u);
  EXPECT_EQ(b.provider, "B");
}

TEST_F(ReportAccess, TheListingAsJson) {
  ListedPeriod p{{july, august, august + 60, 5, 0}, {"/periods/867715200/invoice.csv"}};
  EXPECT_EQ(periods_json("A\"x", {p}),
            "{\"provider\":\"A\\\"x\",\"periods\":[{\"from\":867715200,\"to\":870393600,"
            "\"from_utc\":\"1997-07-01T00:00:00Z\",\"to_utc\":\"1997-08-01T00:00:00Z\","
            "\"closed_utc\":\"1997-08-01T00:01:00Z\",\"targets\":[\"/periods/867715200/"
            "invoice.csv\"]}]}\n");
  EXPECT_EQ(periods_json("A", {}), "{\"provider\":\"A\",\"periods\":[]}\n");
}

// Provider A holding its own password: whatever target it asks, nothing served is B's.
TEST_F(ReportAccess, NoTargetGivesAnotherProvidersReport) {
  const std::vector<std::string> targets = {
      // B's period: August holds B's reports only.
      "/periods/870393600/invoice.csv",
      "/periods/870393600/detail_file.txt",
      "/periods/870393600/credit_debit.json",
      // B named in the path, anywhere.
      "/periods/867715200/B/invoice.csv",
      "/B/periods/867715200/invoice.csv",
      "/providers/B/periods/867715200/invoice.csv",
      "/periods/B/invoice.csv",
      "/periods/867715200/B.csv",
      "/periods/867715200/invoice.csv/B",
      "/periods/867715200/B/detail_file.txt",
      // Or in a query, or encoded, or by climbing out.
      "/periods/867715200/invoice.csv?provider=B",
      "/periods/867715200/invoice.csv%3Fprovider=B",
      "/periods/867715200/..%2FB%2Finvoice.csv",
      "/periods/867715200/%2e%2e/B/invoice.csv",
      "/periods/867715200/../../B/invoice.csv",
      "/periods/867715200/./invoice.csv",
      "/periods/867715200/invoice.csv;provider=B",
      "/periods/867715200/invoice.csv#B",
      "/periods/867715200\\..\\B\\invoice.csv",
      "//B/periods/867715200/invoice.csv",
      // The settlement-wide statement, which holds every member's net.
      "/periods/867715200/statement.csv",
      "/periods/867715200/statement.json",
      "/periods/867715200/statement.html",
      "/periods/870393600/statement.csv",
  };
  for (const std::string& t : targets) {
    const AccessDecision d = as_a(t);
    EXPECT_NE(d.status, 200) << t;
    EXPECT_EQ(d.action, AccessAction::refuse) << t;
    EXPECT_TRUE(d.status == 400 || d.status == 403 || d.status == 404) << t << ": " << d.status;
  }
  // And every target A is served is A's: the provider is the credentials', never the URL's.
  for (const std::string& t :
       {july_path("invoice.csv"), july_path("detail_file.txt"), std::string("/periods")})
    EXPECT_EQ(as_a(t).provider, "A") << t;
}

TEST_F(ReportAccess, TheStatementIsForbiddenAndBsOwnPeriodNotFound) {
  EXPECT_EQ(as_a(july_path("statement.csv")).status, 403);
  const AccessDecision d = as_a("/periods/870393600/invoice.csv");
  EXPECT_EQ(d.status, 404);
  EXPECT_EQ(d.why, "the close of this period made no invoice for you");
  // B itself is served its August invoice.
  EXPECT_EQ(ask("/periods/870393600/invoice.csv", {basic("B", "pw-B")}).status, 200);
  EXPECT_EQ(ask("/periods/870393600/statement.csv", {basic("B", "pw-B")}).status, 403);
}

TEST_F(ReportAccess, OpenAndUnknownPeriodsAreNotFound) {
  for (const char* t : {"/periods/873072000/invoice.csv",  // September: open
                        "/periods/867715201/invoice.csv",  // inside July, not its start
                        "/periods/0/invoice.csv", "/periods/870393599/detail_file.txt"}) {
    const AccessDecision d = as_a(t);
    EXPECT_EQ(d.status, 404) << t;
    EXPECT_EQ(d.action, AccessAction::refuse);
  }
  EXPECT_EQ(as_a("/periods/873072000/invoice.csv").why,
            "no closed period starts at 873072000 (only closed periods are served: their "
            "reports are final)");
}

TEST_F(ReportAccess, UnknownTargetsAndReportsAreNotFound) {
  for (const char* t : {"/", "/period", "/periods/867715200", "/periods/867715200/bill.csv",
                        "/periods/867715200/invoice.pdf", "/periods/867715200/invoice",
                        "/periods/867715200/detail_file.csv", "/periods/867715200/INVOICE.csv",
                        "/periods/867715200/Invoice.csv", "/periods/867715200/invoice.CSV",
                        "/periods/867715200/.csv", "/periods/867715200/invoice.csv.csv",
                        "/periods/867715200/credit-debit.csv", "/periods/867715200/detail_file",
                        "/periods/867715200/invoice.csv/x", "/metrics", "/Periods"}) {
    const AccessDecision d = as_a(t);
    EXPECT_EQ(d.status, 404) << t;
    EXPECT_EQ(d.action, AccessAction::refuse);
  }
}

TEST_F(ReportAccess, MalformedTargetsAreBadRequestsBeforeAnyCredential) {
  const std::string overlong = "/periods/867715200/" + std::string(max_target, 'a') + ".csv";
  const std::vector<std::string> targets = {
      "", "periods", "*", "https://example.com/periods", "/periods/", "//periods",
      "/periods//invoice.csv", "/periods/867715200//invoice.csv", "/periods/867715200/",
      "/periods/./867715200/invoice.csv", "/periods/../periods", "/..", "/.",
      "/periods/%38%36%37715200/invoice.csv", "/periods/867715200/invoice%2ecsv", "/%70eriods",
      "/periods?x", "/periods/867715200/invoice.csv?", "/periods/ 867715200/invoice.csv",
      "/periods/867715200/invoice.csv\r\nX: y", std::string("/periods\0/x", 10),
      "/periods/867715200/inv\xc3\xb6ice.csv", "/periods/867715200/invoice.csv~", overlong,
      // Periods that are not canonical decimal unix seconds.
      "/periods/abc/invoice.csv", "/periods/-1/invoice.csv", "/periods/+867715200/invoice.csv",
      "/periods/0867715200/invoice.csv", "/periods/8.67715200e8/invoice.csv",
      "/periods/867715200.0/invoice.csv", "/periods/0x33b8c980/invoice.csv",
      "/periods/99999999999999999999/invoice.csv", "/periods/9223372036854775808/invoice.csv",
      "/periods/_/detail_file.txt"};
  for (const std::string& t : targets) {
    for (const bool authenticated : {false, true}) {
      const AccessDecision d = authenticated ? as_a(t) : ask(t, {});
      EXPECT_EQ(d.status, 400) << "\"" << t << "\"";
      EXPECT_FALSE(d.login_failed);
    }
  }
  EXPECT_EQ(matcher_calls, 0);  // nothing about the target is read past its syntax
  // The longest target taken, and the largest period, are still read (and not found).
  std::string longest = "/periods/867715200/";
  longest += std::string(max_target - longest.size() - 4, 'a') + ".csv";
  ASSERT_EQ(longest.size(), max_target);
  EXPECT_EQ(as_a(longest).status, 404);
  EXPECT_EQ(as_a("/periods/9223372036854775807/invoice.csv").status, 404);
  EXPECT_EQ(as_a("/periods/x/detail_file.txt").why,
            "a period is its start in unix seconds, canonical decimal: \"x\" is not");
}

TEST_F(ReportAccess, OnlyGetAndHead) {
  for (const char* m :
       {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get", "Head", ""}) {
    const AccessDecision d = as_a(july_path("invoice.csv"), m);
    EXPECT_EQ(d.status, 405) << m;
    EXPECT_EQ(ask("/periods", {}, m).status, 405) << m;
  }
  EXPECT_EQ(matcher_calls, 0);
}

TEST_F(ReportAccess, NoCredentialsIsUnauthorisedWhateverTheTargetNames) {
  for (const char* t :
       {"/periods", "/periods/867715200/invoice.csv", "/periods/873072000/invoice.csv",
        "/periods/867715200/statement.csv", "/nothing"}) {
    const AccessDecision d = ask(t, {});
    EXPECT_EQ(d.status, 401) << t;  // a stranger learns nothing of the data, not even a 404
    EXPECT_FALSE(d.login_failed);   // a browser's first ask is not a failure
  }
  EXPECT_STREQ(www_authenticate, "Basic realm=\"gatemeter settlement\"");
}

TEST_F(ReportAccess, MalformedCredentialsAreUnauthorisedAndNeverChecked) {
  const std::vector<std::string> headers = {
      "", "Basic", "Basic ", "Bearer " + base64("A:pw-A"), "Digest username=\"A\"",
      "Basic" + base64("A:pw-A"), "Basic !!!!", "Basic " + base64("A:pw-A") + "=",
      "Basic " + base64("no colon"), "Basic " + base64(":pw-A"), "Basic " + base64("A:"),
      "Basic " + base64("A B:pw-A"), "Basic " + base64("A\x01:pw-A"), "Basic " + base64("A:pw\n-A"),
      "Basic " + base64("A:pw\x7f"), "Basic " + base64(std::string(65, 'A') + ":pw-A"),
      "Basic " + base64("A:" + std::string(129, 'p')),
      // "A:pw-A" is QTpwdy1B: unpadded, padded wrongly, with a stray byte, broken in two.
      "Basic QTpwdy1", "Basic QTpwdy1B=", "Basic QTpw dy1B", "Basic QTpwdy1B\t", "Basic QTpwdy1B.",
      "Basic QT==dy1B",
      // Trailing bits set: the same bytes under a second spelling ("A" is QQ==, not QR==).
      "Basic QTpwdy1BQR=="};
  for (const std::string& h : headers) {
    const AccessDecision d = ask("/periods", {h});
    EXPECT_EQ(d.status, 401) << "\"" << h << "\"";
    EXPECT_FALSE(d.login_failed) << h;
  }
  EXPECT_EQ(matcher_calls, 0);
}

TEST_F(ReportAccess, TheSchemeInAnyCaseAndSpacesAfterIt) {
  for (const std::string& h : {"basic " + base64("A:pw-A"), "BASIC " + base64("A:pw-A"),
                               "Basic   " + base64("A:pw-A"), "bAsIc " + base64("A:pw-A") + " "})
    EXPECT_EQ(ask("/periods", {h}).status, 200) << h;
  // A password may hold ':' and spaces: only the first ':' splits.
  hashes["A"] = "hash:a: b:c";
  EXPECT_EQ(ask("/periods", {basic("A", "a: b:c")}).status, 200);
}

TEST_F(ReportAccess, WrongPasswordUnknownProviderAndNoPasswordLookAlike) {
  const AccessDecision wrong = ask("/periods", {basic("A", "pw-B")});
  const AccessDecision unknown = ask("/periods", {basic("Z", "pw-A")});
  const AccessDecision none = ask("/periods", {basic("N", "anything")});
  const AccessDecision other = ask("/periods", {basic("B", "pw-A")});  // A's password as B
  const AccessDecision lower = ask("/periods", {basic("a", "pw-A")});  // ids are exact
  for (const AccessDecision* d : {&wrong, &unknown, &none, &other, &lower}) {
    EXPECT_EQ(d->status, 401);
    EXPECT_EQ(d->why, "the provider id and password do not match");
    EXPECT_TRUE(d->login_failed);
    EXPECT_TRUE(d->provider.empty());
  }
  // The throttle counts a provider that exists, not one made up.
  EXPECT_EQ(wrong.throttled_provider, "A");
  EXPECT_EQ(none.throttled_provider, "N");
  EXPECT_EQ(other.throttled_provider, "B");
  EXPECT_EQ(unknown.throttled_provider, "");
  EXPECT_EQ(lower.throttled_provider, "");
}

TEST_F(ReportAccess, AProviderWithNoPasswordNeverLogsIn) {
  match_anything = true;  // even a check that would take anything is never asked
  for (const std::string& password : {std::string("x"), std::string(" "), std::string(128, 'p')})
    for (const std::string& t : {std::string("/periods"), july_path("invoice.csv")})
      EXPECT_EQ(ask(t, {basic("N", password)}).status, 401) << password;
  EXPECT_EQ(ask("/periods", {"Basic " + base64("N:")}).status, 401);  // the empty password
  EXPECT_EQ(matcher_calls, 0);
  // Cleared later: the same.
  hashes["A"] = "";
  EXPECT_EQ(as_a("/periods").status, 401);
  EXPECT_EQ(matcher_calls, 0);
}

TEST_F(ReportAccess, AuthorizationGivenTwiceIsABadRequest) {
  const AccessDecision d = ask("/periods", {basic("A", "pw-A"), basic("B", "pw-B")});
  EXPECT_EQ(d.status, 400);
  EXPECT_EQ(ask("/periods", {basic("A", "pw-A"), basic("A", "pw-A")}).status, 400);
  EXPECT_EQ(matcher_calls, 0);
}

TEST_F(ReportAccess, AThrottledLoginIsTooManyRequestsBeforeItsPasswordIsChecked) {
  throttled["A"] = 42;
  for (const char* password : {"pw-A", "wrong"}) {
    const AccessDecision d = ask(july_path("invoice.csv"), {basic("A", password)});
    EXPECT_EQ(d.status, 429);
    EXPECT_EQ(d.retry_after_s, 42);
    EXPECT_FALSE(d.login_failed);  // not counted again: the lockout would never end
    EXPECT_EQ(d.why, "too many failed logins: try again in 42 s");
  }
  EXPECT_EQ(matcher_calls, 0);
  EXPECT_EQ(ask("/periods", {basic("B", "pw-B")}).status, 200);  // B is not held by A's
  EXPECT_EQ(ask("/periods", {}).status, 401);                    // no credentials: nothing to hold
}

}  // namespace
}  // namespace gm::settlement
