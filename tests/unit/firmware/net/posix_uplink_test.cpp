#include "firmware/net/posix_uplink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

using gm::net::PosixUplink;

namespace {

// A loopback UDP socket standing in for a census.
struct FakeCensusSocket {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  uint16_t port = 0;
  FakeCensusSocket() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~FakeCensusSocket() { ::close(fd); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  // Receives one datagram and answers it with `reply`.
  std::string echo(const std::string& reply) {
    char buf[2048];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return "<timeout>";
    ::sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    return std::string(buf, static_cast<size_t>(n));
  }
};

struct Received {
  std::vector<std::string> datagrams;
  static void on(void* self, const uint8_t* d, size_t n) {
    static_cast<Received*>(self)->datagrams.emplace_back(reinterpret_cast<const char*>(d), n);
  }
};

int poll_until(PosixUplink& up, size_t want, Received& rx) {
  for (int i = 0; i < 50 && rx.datagrams.size() < want; ++i) up.poll(20);
  return static_cast<int>(rx.datagrams.size());
}

}  // namespace

TEST(PosixUplink, ParsesCensusAddressesAndNamesTheBadOne) {
  Received rx;
  PosixUplink up(&Received::on, &rx);
  const char* good[] = {"127.0.0.1:7000", "127.0.0.2:7001"};
  EXPECT_TRUE(up.set_census(good, 2));
  for (const char* bad : {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "localhost:7000",
                          "127.0.0.1:7x", ":7000", "1.2.3.4.5:1"}) {
    const char* list[] = {"127.0.0.1:7000", bad};
    size_t where = 99;
    EXPECT_FALSE(up.set_census(list, 2, &where)) << bad;
    EXPECT_EQ(where, 1u) << bad;
  }
  EXPECT_FALSE(up.set_census(good, 0));
}

TEST(PosixUplink, SendsToTheCurrentCensusAndDeliversItsReplies) {
  FakeCensusSocket census;
  Received rx;
  PosixUplink up(&Received::on, &rx);
  const std::string addr = census.address();
  const char* list[] = {addr.c_str()};
  ASSERT_TRUE(up.set_census(list, 1));
  ASSERT_TRUE(up.open("127.0.0.1"));
  ASSERT_TRUE(up.send(reinterpret_cast<const uint8_t*>("hello"), 5));
  EXPECT_EQ(census.echo("ack"), "hello");
  ASSERT_EQ(poll_until(up, 1, rx), 1);
  EXPECT_EQ(rx.datagrams[0], "ack");
  EXPECT_FALSE(up.fail_over());  // nowhere else to go
}

TEST(PosixUplink, FailsOverInOrderAndWrapsAround) {
  FakeCensusSocket first, second;
  Received rx;
  PosixUplink up(&Received::on, &rx);
  const std::string a = first.address(), b = second.address();
  const char* list[] = {a.c_str(), b.c_str()};
  ASSERT_TRUE(up.set_census(list, 2));
  ASSERT_TRUE(up.open("127.0.0.1"));
  ASSERT_TRUE(up.fail_over());
  EXPECT_EQ(up.current(), 1u);
  up.send(reinterpret_cast<const uint8_t*>("two"), 3);
  EXPECT_EQ(second.echo("ok2"), "two");
  ASSERT_EQ(poll_until(up, 1, rx), 1);
  ASSERT_TRUE(up.fail_over());
  EXPECT_EQ(up.current(), 0u);
  up.send(reinterpret_cast<const uint8_t*>("one"), 3);
  EXPECT_EQ(first.echo("ok1"), "one");
  ASSERT_EQ(poll_until(up, 2, rx), 2);
}

TEST(PosixUplink, DropsDatagramsFromStrangers) {
  FakeCensusSocket census, stranger;
  Received rx;
  PosixUplink up(&Received::on, &rx);
  const std::string addr = census.address();
  const char* list[] = {addr.c_str()};
  ASSERT_TRUE(up.set_census(list, 1));
  ASSERT_TRUE(up.open("127.0.0.1"));
  up.send(reinterpret_cast<const uint8_t*>("x"), 1);
  census.echo("from census");
  // The stranger learns the uplink's port from the census's view and writes to it.
  sockaddr_in self{};
  socklen_t len = sizeof self;
  ::getsockname(up.fd(), reinterpret_cast<sockaddr*>(&self), &len);
  ::sendto(stranger.fd, "spoof", 5, 0, reinterpret_cast<sockaddr*>(&self), len);
  poll_until(up, 2, rx);
  ASSERT_EQ(rx.datagrams.size(), 1u);
  EXPECT_EQ(rx.datagrams[0], "from census");
  EXPECT_EQ(up.foreign_datagrams(), 1u);
}

TEST(PosixUplink, SendsToBillingServersByIndexAndDeliversTheirAnswers) {
  FakeCensusSocket census, primary, secondary;
  Received rx;
  PosixUplink up(&Received::on, &rx);
  const std::string c = census.address(), a = primary.address(), b = secondary.address();
  const char* list[] = {c.c_str()};
  ASSERT_TRUE(up.set_census(list, 1));
  ASSERT_TRUE(up.open("127.0.0.1"));
  EXPECT_EQ(up.billing_count(), 0u);
  EXPECT_FALSE(up.send_billing(0, reinterpret_cast<const uint8_t*>("early"), 5));
  const char* billing[] = {a.c_str(), b.c_str()};
  ASSERT_TRUE(up.set_billing(billing, 2));
  EXPECT_EQ(up.billing_count(), 2u);
  ASSERT_TRUE(up.send_billing(1, reinterpret_cast<const uint8_t*>("auth"), 4));
  EXPECT_EQ(secondary.echo("answer"), "auth");
  ASSERT_EQ(poll_until(up, 1, rx), 1);
  EXPECT_EQ(rx.datagrams[0], "answer");  // a billing server is not a stranger
  EXPECT_EQ(up.foreign_datagrams(), 0u);
  EXPECT_FALSE(up.send_billing(2, reinterpret_cast<const uint8_t*>("x"), 1));
  const char* bad[] = {"localhost:7000"};
  size_t where = 9;
  EXPECT_FALSE(up.set_billing(bad, 1, &where));
  EXPECT_EQ(where, 0u);
  EXPECT_EQ(up.billing_count(), 2u);  // a bad list changes nothing
}
