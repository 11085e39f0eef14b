// Exactness of RADIUS accounting (host/radius/): 3,000 sessions of four NASes, each a Start,
// one to five cumulative Interim-Updates and, for two in three, a Stop, shuffled across four
// senders, a fifth of the requests sent twice at once (the same octets, as a retransmission)
// and a tenth again later as a new request (a new Identifier), each resent by its sender until
// answered. After every
// request is answered, the store's totals must equal the truth for every session: charged time,
// octets (some past 2^32, through the Gigawords) and whether it ended. The comparison is then
// run against a truth with one session changed, and must find exactly that one (its negative
// control). Prints `radius_sessions=N exact=N`.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>

#include "host/radius/radius_server.h"
#include "host/store/store.h"
#include "tests/support/radius_request.h"
#include "tests/support/test_database.h"

namespace gm::host {
namespace {

namespace attr = radius::attr;
constexpr const char* secret = "exact-secret";
constexpr int64_t base = 1'796'032'800;

struct Truth {
  std::string user;
  int nas = 0;
  uint32_t time = 0;
  uint64_t in = 0, out = 0;
  bool stopped = false;
};

struct Request {
  int sender = 0;
  std::vector<uint8_t> bytes;  // sealed; its Identifier set when sent
  bool twice = false;          // sent twice at once, the same octets
};

test::RadiusRequest accounting(const Truth& t, uint32_t status, uint32_t time, uint64_t in,
                               uint64_t out) {
  test::RadiusRequest r(0);
  r.integer(attr::acct_status_type, status)
      .text(attr::acct_session_id, t.user.substr(0, t.user.find('@')))
      .text(attr::user_name, t.user)
      .text(attr::nas_identifier, "nas-" + std::to_string(t.nas))
      .integer(attr::event_timestamp, static_cast<uint32_t>(base + time))
      .integer(attr::acct_session_time, time)
      .integer(attr::acct_input_octets, static_cast<uint32_t>(in))
      .integer(attr::acct_input_gigawords, static_cast<uint32_t>(in >> 32))
      .integer(attr::acct_output_octets, static_cast<uint32_t>(out));
  return r;
}

// Sessions whose stored totals and state are the truth's.
size_t exact(Store& store, const std::vector<Truth>& truth) {
  std::map<std::string, SubscriberSession> stored;
  for (int nas = 0; nas < 4; ++nas)
    for (const SubscriberSession& s : store.sessions("radius:nas-" + std::to_string(nas)))
      stored[s.subscriber] = s;
  size_t n = 0;
  for (const Truth& t : truth) {
    const auto it = stored.find(t.user);
    if (it == stored.end()) continue;
    const SubscriberSession& s = it->second;
    n += s.totals.charged_s == t.time && s.totals.octets_in == t.in && s.totals.octets_out == t.out &&
         (s.state != SessionState::open) == t.stopped;
  }
  return n;
}

class RadiusExactnessTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiusExactnessTest, EverySessionsStoredTotalsAreTheTruthWhateverTheOrderAndRepeats) {
  std::string why;
  auto db = test::TestDatabase::create(GetParam(), &why);
  if (!db) GTEST_SKIP() << why;
  RadiusSettings settings;
  settings.port = 0;
  in_addr loopback{};
  inet_pton(AF_INET, "127.0.0.1", &loopback);
  settings.clients.add(ntohl(loopback.s_addr), {secret, ""});
  RadiusServer server(db->spec(), settings);
  server.start();

  std::mt19937_64 rng(20261202);
  std::vector<Truth> truth;
  std::vector<Request> requests;
  for (int i = 0; i < 3000; ++i) {
    Truth t;
    t.user = "u" + std::to_string(i) + "@isp.example";
    t.nas = i % 4;
    const int interims = 1 + static_cast<int>(rng() % 5);
    const uint64_t rate = i % 7 == 0 ? (1ull << 30) : 1'000 + rng() % 100'000;  // some pass 2^32
    auto add = [&](uint32_t status, uint32_t time) {
      requests.push_back({static_cast<int>(rng() % 4),
                          accounting(t, status, time, rate * time, time * 10ull).sealed(secret),
                          rng() % 5 == 0});
    };
    add(1, 0);
    uint32_t time = 0;
    for (int k = 0; k < interims; ++k) add(3, time += 60 + static_cast<uint32_t>(rng() % 60));
    t.stopped = i % 3 != 0;
    if (t.stopped) add(2, time += static_cast<uint32_t>(rng() % 30));
    t.time = time;
    t.in = rate * time;
    t.out = time * 10ull;
    truth.push_back(t);
  }
  const size_t distinct = requests.size();
  for (size_t i = 0; i < distinct; ++i)
    if (rng() % 10 == 0) requests.push_back(requests[i]);  // again, as a new request (below)
  std::shuffle(requests.begin(), requests.end(), rng);

  // Four senders, each with up to 200 unanswered (distinct Identifiers), resending what is not
  // answered within 500 ms; all within a bounded time.
  int fds[4];
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server.port());
  to.sin_addr = loopback;
  for (int& fd : fds) {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  struct Out {
    size_t request = SIZE_MAX;
    std::chrono::steady_clock::time_point sent;
  };
  std::vector<std::array<Out, 256>> out(4);
  std::vector<uint8_t> next_id(4, 0);
  std::vector<size_t> unanswered(4, 0);
  std::vector<std::vector<size_t>> todo(4);
  for (size_t i = requests.size(); i-- > 0;) todo[requests[i].sender].push_back(i);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  size_t answered = 0, resent = 0;
  auto send = [&](int s, uint8_t id) {
    std::vector<uint8_t>& b = requests[out[s][id].request].bytes;
    ::send(fds[s], b.data(), b.size(), 0);
    out[s][id].sent = std::chrono::steady_clock::now();
  };
  while (answered < requests.size() && std::chrono::steady_clock::now() < deadline) {
    for (int s = 0; s < 4; ++s) {
      while (!todo[s].empty() && unanswered[s] < 200) {
        while (out[s][next_id[s]].request != SIZE_MAX) ++next_id[s];
        const uint8_t id = next_id[s]++;
        const size_t r = todo[s].back();
        todo[s].pop_back();
        // A new Identifier makes it a new request: seal it again with that Identifier.
        std::vector<uint8_t>& b = requests[r].bytes;
        if (b[1] != id) {
          b[1] = id;
          const radius::Authenticator a =
              radius::accounting_request_authenticator(b.data(), b.size(), secret);
          std::copy(a.begin(), a.end(), b.begin() + 4);
        }
        out[s][id].request = r;
        ++unanswered[s];
        send(s, id);
        if (requests[r].twice) send(s, id);
      }
      const auto now = std::chrono::steady_clock::now();
      for (int id = 0; id < 256; ++id)
        if (out[s][id].request != SIZE_MAX && now - out[s][id].sent > std::chrono::milliseconds(500)) {
          send(s, static_cast<uint8_t>(id));  // the same octets again
          ++resent;
        }
    }
    pollfd p[4];
    for (int s = 0; s < 4; ++s) p[s] = {fds[s], POLLIN, 0};
    ::poll(p, 4, 20);
    for (int s = 0; s < 4; ++s) {
      uint8_t buf[64];
      ssize_t n;
      while ((n = ::recv(fds[s], buf, sizeof buf, 0)) > 0) {
        radius::Packet reply;
        if (radius::parse(buf, static_cast<size_t>(n), reply) != radius::Refusal::none) continue;
        Out& o = out[s][reply.identifier];
        if (o.request == SIZE_MAX) continue;  // a second answer to one already answered
        // The response authenticator covers the request's: check it against ours.
        const std::vector<uint8_t>& req = requests[o.request].bytes;
        radius::Authenticator request_auth;
        std::copy(req.begin() + 4, req.begin() + 20, request_auth.begin());
        uint8_t expect[radius::header_size];
        radius::accounting_response(reply.identifier, request_auth, secret, expect, sizeof expect);
        if (std::memcmp(expect, buf, radius::header_size) != 0) continue;
        o.request = SIZE_MAX;
        --unanswered[s];
        ++answered;
      }
    }
  }
  for (int fd : fds) ::close(fd);
  server.stop();
  ASSERT_EQ(answered, requests.size()) << "unanswered after 120 s; " << resent << " resent";

  auto store = open_store(db->spec());
  const size_t n = exact(*store, truth);
  std::printf("radius_sessions=%zu exact=%zu (requests %zu, %zu distinct; duplicates %llu "
              "answered from the cache, %llu dropped while their commit ran; %zu resent)\n",
              truth.size(), n, requests.size(), distinct,
              static_cast<unsigned long long>(server.stats().duplicates_answered.load()),
              static_cast<unsigned long long>(server.stats().duplicates_dropped.load()), resent);
  EXPECT_EQ(n, truth.size());
  // The comparison's negative control: one session's truth changed is one session not exact.
  std::vector<Truth> wrong = truth;
  wrong[1234].in += 1;
  EXPECT_EQ(exact(*store, wrong), n - 1);
  wrong = truth;
  wrong[7].stopped = !wrong[7].stopped;
  EXPECT_EQ(exact(*store, wrong), n - 1);
}

INSTANTIATE_TEST_SUITE_P(Databases, RadiusExactnessTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gm::host
