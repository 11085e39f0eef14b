// The metrics endpoint, scraped over HTTP and parsed as Prometheus text while a real agent logs
// in and reports: the services the server runs (services.h) behind one MetricsServer, as
// gatemeter-server wires them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <cctype>
#include <sstream>

#include "host/metrics/metrics_server.h"
#include "host/services.h"
#include "host/store/store.h"
#include "tests/support/frames.h"
#include "tests/support/test_agent.h"

namespace gm::test {
namespace {

std::string http_get(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool metric_name(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  return true;
}

// Every sample line of the exposition, checked against the format: `name{labels} value`, each
// name of a family declared by `# TYPE` before it. Key: the line up to the value.
std::map<std::string, double> parse_prometheus(const std::string& body) {
  std::map<std::string, double> out;
  std::vector<std::string> families;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      EXPECT_TRUE(metric_name(name) &&
                  (type == "counter" || type == "gauge" || type == "histogram"))
          << line;
      families.push_back(name);
      continue;
    }
    const size_t space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << "not a sample: " << line;
    if (space == std::string::npos) continue;
    const std::string key = line.substr(0, space);
    const size_t brace = key.find('{');
    const std::string name = key.substr(0, brace);
    EXPECT_TRUE(metric_name(name)) << line;
    if (brace != std::string::npos) {
      EXPECT_EQ(key.back(), '}') << line;
    }
    bool declared = false;
    for (const std::string& f : families)
      declared |= name == f || name == f + "_bucket" || name == f + "_sum" || name == f + "_count";
    EXPECT_TRUE(declared) << "no # TYPE before " << line;
    size_t used = 0;
    const double v = std::stod(line.substr(space + 1), &used);
    EXPECT_EQ(used, line.size() - space - 1) << line;
    out[key] = v;
  }
  return out;
}

TEST(MetricsTest, EveryServiceIsScrapedAndCountsWhatHappened) {
  char tmpl[] = "/tmp/gm-metrics-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  host::ServerConfig config;
  const char* argv[] = {"x", "--state_dir", dir.c_str(), "--login_listen=127.0.0.1:0",
                        "--census_listen=127.0.0.1:0"};
  host::parse_command_line(config, 5, argv);
  const auto vault = host::CredentialVault::open_or_create(config.vault_key);
  const auto credential = host::CredentialVault::generate();
  host::open_store(config.store)->add_agent("gw-1", vault.seal(credential, "gw-1"), 1);

  auto services = host::make_services(config, vault);
  for (auto& s : services) s->start();
  host::MetricsServer metrics("127.0.0.1", 0, [&] {
    host::PrometheusText out;
    for (const auto& s : services) s->write_metrics(out);
    return out.text();
  });
  metrics.start();

  TestAgent agent("gw-1", credential);
  ASSERT_TRUE(agent.login("127.0.0.1", static_cast<uint16_t>(services[1]->port()),
                          host::load_or_create_tls_identity(config.tls_key, config.tls_cert, "").pin))
      << agent.error();
  TestAgent stranger("gw-9", host::CredentialVault::generate());
  EXPECT_FALSE(stranger.login(
      "127.0.0.1", static_cast<uint16_t>(services[1]->port()),
      host::load_or_create_tls_identity(config.tls_key, config.tls_cert, "").pin));
  ASSERT_TRUE(agent.open_census());
  gatemeter_MeteringBatch b = gatemeter_MeteringBatch_init_zero;
  b.records[b.records_count++] = make_record(1, 1, gatemeter_RecordKind_RECORD_START);
  b.records[b.records_count++] = make_record(2, 1, gatemeter_RecordKind_RECORD_START);
  const uint32_t seq = agent.send_batch(b);
  bool acked = false;
  for (int i = 0; i < 50 && !acked; ++i) {
    auto ack = agent.receive_ack(100);
    acked = ack && ack->datagram_seq == seq;
  }
  ASSERT_TRUE(acked);
  std::vector<uint8_t> junk(40, 0x5a);
  agent.send_raw(junk);

  std::map<std::string, double> m;
  for (int i = 0; i < 100; ++i) {  // the junk datagram is counted by a receive thread
    const std::string response = http_get(metrics.port(), "/metrics");
    ASSERT_EQ(response.rfind("HTTP/1.1 200 OK", 0), 0u) << response;
    ASSERT_NE(response.find("text/plain; version=0.0.4"), std::string::npos);
    m = parse_prometheus(response.substr(response.find("\r\n\r\n") + 4));
    if (m["gatemeter_census_datagrams_total"] >= 2) break;
    ::usleep(20'000);
  }
  EXPECT_EQ(m["gatemeter_login_logins_total{status=\"ok\"}"], 1);
  EXPECT_EQ(m["gatemeter_census_datagrams_total"], 2);
  EXPECT_EQ(m["gatemeter_census_records_committed_total"], 2);
  EXPECT_GE(m["gatemeter_census_commits_total"], 1);
  EXPECT_EQ(m["gatemeter_census_commit_seconds_count"], m["gatemeter_census_commits_total"]);
  EXPECT_EQ(m["gatemeter_census_commit_seconds_bucket{le=\"+Inf\"}"],
            m["gatemeter_census_commit_seconds_count"]);
  EXPECT_GT(m["gatemeter_census_commit_seconds_sum"], 0);
  double refused = 0;
  for (const auto& [k, v] : m)
    if (k.rfind("gatemeter_census_refusals_total{", 0) == 0) refused += v;
  EXPECT_EQ(refused, 1) << "the junk datagram, under its reason";
  EXPECT_EQ(m["gatemeter_census_queued_records"], 0);
  EXPECT_EQ(m["gatemeter_census_logins_held"], 1);

  EXPECT_EQ(http_get(metrics.port(), "/other").rfind("HTTP/1.1 404", 0), 0u);
  metrics.stop();
  for (auto it = services.rbegin(); it != services.rend(); ++it) (*it)->stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gm::test
