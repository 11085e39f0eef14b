#include "host/config/server_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "shared/proto/wire_limits.h"

namespace gm::host {
namespace {

std::string error_of(std::vector<const char*> argv) {
  ServerConfig c;
  argv.insert(argv.begin(), "prog");
  try {
    parse_command_line(c, static_cast<int>(argv.size()), argv.data());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ServerConfigTest, FlagsOverrideTheFileAndPathsFollowStateDir) {
  char tmpl[] = "/tmp/gm-conf-XXXXXX";
  ASSERT_GE(::mkstemp(tmpl), 0);
  std::ofstream(tmpl) << "# comment\ncensus_listen = 127.0.0.1:7200\ncensus_threads = 3\n"
                         "update = agent:9:https://x.example/a:9\nstate_dir = /var/lib/gm\n";
  ServerConfig c;
  const char* argv[] = {"prog", "--config", tmpl, "--census-threads=1", "list-agents"};
  const auto rest = parse_command_line(c, 5, argv);
  EXPECT_EQ(rest, std::vector<std::string>{"list-agents"});
  EXPECT_EQ(c.census.port, 7200);
  EXPECT_EQ(c.census.threads, 1u);
  EXPECT_EQ(c.store, "sqlite:/var/lib/gm/usage.db");
  EXPECT_EQ(c.login.census, std::vector<std::string>{"127.0.0.1:7200"});
  ASSERT_EQ(c.login.updates.size(), 1u);
  EXPECT_EQ(c.login.updates[0].version, 9u);
  EXPECT_EQ(c.login.updates[0].location, "https://x.example/a:9");
  ::unlink(tmpl);
}

TEST(ServerConfigTest, ErrorsNameTheSettingAndWhereItCameFrom) {
  EXPECT_NE(error_of({"--census-threads=many"}).find("command line: census_threads: expected a whole number"),
            std::string::npos);
  EXPECT_NE(error_of({"--login-listen=localhost:70"}).find("login_listen"), std::string::npos);
  EXPECT_NE(error_of({"--login-listen=127.0.0.1:99999"}).find("login_listen (port)"),
            std::string::npos);
  EXPECT_NE(error_of({"--colour=blue"}).find("unknown setting \"colour\""), std::string::npos);
  EXPECT_NE(error_of({"--track-usage=yes"}).find("track_usage: expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of({"--config=/nonexistent.conf"}).find("/nonexistent.conf"), std::string::npos);
  EXPECT_NE(error_of({"--census-advertise=1.2.3.4:1,nope"}).find("census_advertise"),
            std::string::npos);
}

std::string error_of_flags(const std::vector<std::string>& flags) {
  std::vector<const char*> argv;
  for (const std::string& f : flags) argv.push_back(f.c_str());
  return error_of(argv);
}

void expect_refused(const std::vector<std::string>& flags, const std::string& why) {
  const std::string e = error_of_flags(flags);
  EXPECT_NE(e.find(why), std::string::npos) << e;
}

std::string census_list(size_t n) {
  std::string v;
  for (size_t i = 1; i <= n; ++i)
    v += (i > 1 ? ",10.0.0." : "10.0.0.") + std::to_string(i) + ":7100";
  return "--census-advertise=" + v;
}

std::string update(const std::string& name, size_t location_length) {
  return "--update=" + name + ":1:" + std::string(location_length, 'l');
}

// The limits are the login response's (shared/proto/wire_limits.h): the limit itself is taken,
// one more is refused with a message that states the limit.
TEST(ServerConfigTest, WireLimitsHoldAndOneMoreIsRefused) {
  using namespace gm::wire;
  const auto n = [](size_t v) { return std::to_string(v); };
  EXPECT_EQ(error_of_flags({census_list(max_census)}), "");
  expect_refused({census_list(max_census + 1)},
                 "census_advertise: at most " + n(max_census) + " census addresses");

  EXPECT_EQ(error_of_flags({update(std::string(max_component_name, 'n'), max_location)}), "");
  expect_refused({update(std::string(max_component_name + 1, 'n'), 1)},
                 "update: component name longer than " + n(max_component_name) + " characters");
  expect_refused({update("agent", max_location + 1)},
                 "update: location longer than " + n(max_location) + " characters");

  std::vector<std::string> updates;
  for (size_t i = 0; i < max_updates; ++i) updates.push_back(update("c" + n(i), 1));
  EXPECT_EQ(error_of_flags(updates), "");
  updates.push_back(update("one-more", 1));
  expect_refused(updates, "update: at most " + n(max_updates) + " component updates");
  EXPECT_NE(config_help().find("repeatable (max " + n(max_updates) + ")"), std::string::npos);
}

TEST(ServerConfigTest, FileErrorsCiteTheLine) {
  char tmpl[] = "/tmp/gm-conf-XXXXXX";
  ASSERT_GE(::mkstemp(tmpl), 0);
  std::ofstream(tmpl) << "role = both\n\nmetering_interval_s = 0\n";
  const std::string e = error_of({"--config", tmpl});
  EXPECT_NE(e.find(std::string(tmpl) + ":3: metering_interval_s"), std::string::npos) << e;
  ::unlink(tmpl);
}

}  // namespace
}  // namespace gm::host

namespace gm::host {
namespace {

TEST(ServerConfigTest, TheBillingSectionReadsItsOwnNames) {
  ServerConfig c;
  const char* argv[] = {"prog",
                        "--services=census,login,billing",
                        "--billing-listen=127.0.0.1:0",
                        "--grant-intervals=5",
                        "--grant-validity-s=600",
                        "--grant-interval-megabytes=20",
                        "--approval-timeout-s=2",
                        "--billing-threads=3",
                        "--metering-interval-s=30",
                        "--default-realm=isp.example",
                        "--billing-advertise=192.0.2.1:7200,192.0.2.2:7200"};
  parse_command_line(c, static_cast<int>(std::size(argv)), argv);
  EXPECT_EQ(c.services, (std::vector<std::string>{"census", "login", "billing"}));
  EXPECT_EQ(c.billing.port, 0);
  EXPECT_EQ(c.billing.grant_intervals, 5u);
  EXPECT_EQ(c.billing.grant_validity_s, 600u);
  EXPECT_EQ(c.billing.interval_octets, 20'000'000u);
  EXPECT_EQ(c.billing.approval_timeout_s, 2u);
  EXPECT_EQ(c.billing.decision_threads, 3u);
  EXPECT_EQ(c.billing.metering_interval_s, 30u) << "grants are sized in the login's interval";
  EXPECT_EQ(c.billing.advertise, (std::vector<std::string>{"192.0.2.1:7200", "192.0.2.2:7200"}));
  EXPECT_EQ(c.login.default_realm, "isp.example");
  EXPECT_TRUE(c.billing_servers_defaulted) << "billing_servers not set: this process's billing";

  ServerConfig d;
  const char* set[] = {"prog", "--billing-servers=127.0.0.1:7200"};
  parse_command_line(d, 2, set);
  EXPECT_FALSE(d.billing_servers_defaulted);
  EXPECT_EQ(d.login.billing, std::vector<std::string>{"127.0.0.1:7200"});
}

TEST(ServerConfigTest, TheSweepsSettingsAndWhatTheyLearnFromTheLoginService) {
  ServerConfig defaults;
  const char* none[] = {"prog"};
  parse_command_line(defaults, 1, none);
  EXPECT_EQ(defaults.billing.stale_intervals, 3u);
  EXPECT_EQ(defaults.billing.low_balance_micros, 1'000'000) << "1.00 of the currency";
  EXPECT_TRUE(defaults.billing.track_usage);

  ServerConfig c;
  const char* argv[] = {"prog", "--stale-intervals=0", "--low-balance-micros=250000",
                        "--track-usage=false", "--metering-interval-s=15"};
  parse_command_line(c, static_cast<int>(std::size(argv)), argv);
  EXPECT_EQ(c.billing.stale_intervals, 0u) << "0: no sweep";
  EXPECT_EQ(c.billing.low_balance_micros, 250'000);
  EXPECT_FALSE(c.billing.track_usage) << "agents that do not meter have no stale sessions";
  EXPECT_EQ(c.billing.metering_interval_s, 15u);

  EXPECT_NE(error_of({"--stale-intervals=1001"}).find("stale_intervals"), std::string::npos);
  EXPECT_NE(error_of({"--low-balance-micros=-1"}).find("low_balance_micros"), std::string::npos);
  EXPECT_NE(error_of({"--low-balance-micros=1.00"}).find("low_balance_micros"), std::string::npos)
      << "micro-units, an integer";
}

TEST(ServerConfigTest, TheFeedAndTheSessionsApiAreSetOrDerivedFromBillingListen) {
  ServerConfig c;
  const char* none[] = {"prog"};
  parse_command_line(c, 1, none);
  EXPECT_EQ(c.billing.api_ip, "127.0.0.1");
  EXPECT_EQ(c.billing.api_port, 7201) << "billing_listen's port + 1";
  EXPECT_FALSE(c.billing.feed.any()) << "the feed is off unless named";
  EXPECT_EQ(c.billing.feed.lease_s, 60u);

  ServerConfig t;
  const char* test[] = {"prog", "--billing-listen=0.0.0.0:0"};
  parse_command_line(t, 2, test);
  EXPECT_EQ(t.billing.api_ip, "127.0.0.1") << "loopback, whatever billing listens on";
  EXPECT_EQ(t.billing.api_port, 0) << "any free port, as billing's own";

  ServerConfig s;
  const char* set[] = {"prog", "--billing-api-listen=127.0.0.1:9001", "--feed-file=/tmp/f.jsonl",
                       "--feed-webhook=http://127.0.0.1:8080/in", "--feed-lease-s=30"};
  parse_command_line(s, static_cast<int>(std::size(set)), set);
  EXPECT_EQ(s.billing.api_port, 9001);
  EXPECT_EQ(s.billing.feed.file, "/tmp/f.jsonl");
  EXPECT_EQ(s.billing.feed.webhook, "http://127.0.0.1:8080/in");
  EXPECT_EQ(s.billing.feed.lease_s, 30u);

  ServerConfig o;
  const char* off[] = {"prog", "--billing-api-listen=off"};
  parse_command_line(o, 2, off);
  EXPECT_EQ(o.billing.api_ip, "") << "no API";
  EXPECT_NE(error_of({"--feed-webhook=https://nms.example/in"}).find("feed_webhook"),
            std::string::npos);
  EXPECT_NE(error_of({"--feed-lease-s=1"}).find("feed_lease_s"), std::string::npos);
  EXPECT_NE(error_of({"--billing-api-listen=somewhere"}).find("billing_api_listen"),
            std::string::npos);
}

TEST(ServerConfigTest, BadBillingSettingsNameTheSetting) {
  EXPECT_NE(error_of({"--grant-intervals=0"}).find("grant_intervals"), std::string::npos);
  EXPECT_NE(error_of({"--time-bands=peak=mon-fri 09:00-17:00"}).find("unknown setting"),
            std::string::npos)
      << "the schedule is the catalog's (billingctl bands set), one for every node";
  EXPECT_NE(error_of({"--billing-servers=1.2.3.4:1,1.2.3.4:2,1.2.3.4:3"}).find("at most 2"),
            std::string::npos);
  EXPECT_NE(error_of({"--billing-listen=nowhere"}).find("billing_listen"), std::string::npos);
  EXPECT_NE(error_of({"--services=census,www"}).find("login, census, billing, radius"),
            std::string::npos);
}

TEST(ServerConfigTest, TheSettlementReportsServiceAndItsListenSetting) {
  ServerConfig d;
  const char* none[] = {"prog"};
  parse_command_line(d, 1, none);
  EXPECT_EQ(d.settlement_reports.listen_ip, "127.0.0.1");  // loopback until opened
  EXPECT_EQ(d.settlement_reports.port, 7300);
  ServerConfig c;
  const char* argv[] = {"prog", "--services=census,settlement-reports",
                        "--settlement-reports-listen=0.0.0.0:0"};
  parse_command_line(c, 3, argv);
  EXPECT_EQ(c.services, (std::vector<std::string>{"census", "settlement-reports"}));
  EXPECT_EQ(c.settlement_reports.listen_ip, "0.0.0.0");
  EXPECT_EQ(c.settlement_reports.port, 0);
  EXPECT_NE(error_of({"--settlement-reports-listen=somewhere"}).find("settlement_reports_listen"),
            std::string::npos);
  EXPECT_NE(error_of({"--services=settlement_reports"}).find("settlement-reports"),
            std::string::npos);
}

}  // namespace
}  // namespace gm::host

namespace gm::host {
namespace {

TEST(ServerConfigTest, CensusSettlementIsOffByDefaultAndEverySessionEnderGetsItsSettings) {
  ServerConfig defaults;
  const char* none[] = {"prog"};
  parse_command_line(defaults, 1, none);
  EXPECT_FALSE(defaults.census.settlement.on);
  EXPECT_EQ(defaults.census.settlement.time_zone, "UTC");

  ServerConfig c;
  const char* argv[] = {"prog", "--census-settlement=true", "--census-settlement-server=gm-aas",
                        "--census-settlement-time-zone=Australia/Sydney"};
  parse_command_line(c, static_cast<int>(std::size(argv)), argv);
  for (const settlement::RoamingSettlement* s :
       {&c.census.settlement, &c.billing.settlement, &c.login.settlement}) {
    EXPECT_TRUE(s->on);
    EXPECT_EQ(s->local_server, "gm-aas");
    EXPECT_EQ(s->time_zone, "Australia/Sydney");
  }

  expect_refused({"--census-settlement=true"},
                 "census_settlement_server: required with census_settlement = true");
  expect_refused({"--census-settlement=yes"}, "census_settlement: expected true or false");
  expect_refused({"--census-settlement-server="}, "census_settlement_server: expected");
  expect_refused({"--census-settlement-server=gm aas"}, "without spaces");
  expect_refused({"--census-settlement-time-zone=Mars/Olympus"},
                 "command line: census_settlement_time_zone:");
  expect_refused({"--census-settlement-time-zone=../etc/passwd"}, "census_settlement_time_zone");
}

TEST(ServerConfigTest, TheWebConsoleListensOnLoopbackAndReadsItsOperatorsFromTheStateFolder) {
  ServerConfig d;
  const char* none[] = {"prog", "--state-dir=/srv/gm"};
  parse_command_line(d, 2, none);
  EXPECT_EQ(d.web.listen_ip, "127.0.0.1");
  EXPECT_EQ(d.web.port, 7400);
  EXPECT_EQ(d.web.operators_file, "/srv/gm/web-operators");
  EXPECT_EQ(d.web.tick_ms, 250u);
  ServerConfig c;
  const char* argv[] = {"prog", "--services=census,web", "--web-listen=0.0.0.0:0",
                        "--web-operators=/etc/gm/ops", "--web-live-tick-ms=100"};
  parse_command_line(c, 5, argv);
  EXPECT_EQ(c.services, (std::vector<std::string>{"census", "web"}));
  EXPECT_EQ(c.web.listen_ip, "0.0.0.0");
  EXPECT_EQ(c.web.port, 0);
  EXPECT_EQ(c.web.operators_file, "/etc/gm/ops");
  EXPECT_EQ(c.web.tick_ms, 100u);
  EXPECT_NE(error_of({"--web-listen=somewhere"}).find("web_listen"), std::string::npos);
  EXPECT_NE(error_of({"--web-live-tick-ms=5"}).find("web_live_tick_ms"), std::string::npos);
  EXPECT_NE(error_of({"--web-operators="}).find("web_operators"), std::string::npos);
}

}  // namespace
}  // namespace gm::host
