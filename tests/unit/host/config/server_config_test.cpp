#include "host/config/server_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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
  EXPECT_EQ(c.census_listen.port, 7200);
  EXPECT_EQ(c.census_threads, 1u);
  EXPECT_EQ(c.store, "sqlite:/var/lib/gm/usage.db");
  EXPECT_EQ(c.census_advertise, std::vector<std::string>{"127.0.0.1:7200"});
  ASSERT_EQ(c.updates.size(), 1u);
  EXPECT_EQ(c.updates[0].version, 9u);
  EXPECT_EQ(c.updates[0].location, "https://x.example/a:9");
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
