// lwIP over a real TAP device, against the Linux kernel's own UDP and TCP on the other side:
// the sim-linux board's driver, ARP, IP fragmentation, the census uplink and a raw TCP
// connection, in a namespace the test creates (tests/netns/netns_fixture.h). Loops are bounded
// by iteration counts, never by elapsed time.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <lwip/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "tests/netns/lwip_over_tap.h"

using gm::test::LwipOverTap;
using gm::test::namespace_socket;

TEST_F(LwipOverTap, CensusUplinkReachesAKernelSocketAndTakesItsAnswerButNotAStrangers) {
  const int census = namespace_socket(ns, SOCK_DGRAM, 7000);
  const int stranger = namespace_socket(ns, SOCK_DGRAM, 7001);
  ASSERT_GE(census, 0);
  ASSERT_GE(stranger, 0);
  const char* list[] = {"192.0.2.1:7000"};
  ASSERT_TRUE(net.uplink().set_census(list, 1));
  ASSERT_TRUE(net.uplink().open(net.address()));

  // Longer than one Ethernet frame: lwIP fragments it, the kernel reassembles it.
  std::string batch(4000, '\0');
  for (size_t i = 0; i < batch.size(); ++i) batch[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(net.uplink().send(reinterpret_cast<const uint8_t*>(batch.data()), batch.size()));
  char buf[8192];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  ssize_t n = -1;
  ASSERT_TRUE(run_until([&] {
    n = ::recvfrom(census, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    return n >= 0;
  }));
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), batch);
  char who[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, who, sizeof who);
  EXPECT_STREQ(who, "192.0.2.2");
  EXPECT_EQ(ntohs(from.sin_port), net.uplink().local_port());

  ::sendto(stranger, "spoof", 5, 0, reinterpret_cast<sockaddr*>(&from), len);
  ::sendto(census, "ack", 3, 0, reinterpret_cast<sockaddr*>(&from), len);
  ASSERT_TRUE(run_until([&] { return !rx.datagrams.empty() && net.uplink().foreign_datagrams() > 0; }));
  ASSERT_EQ(rx.datagrams.size(), 1u);
  EXPECT_EQ(rx.datagrams[0], "ack");
  EXPECT_EQ(net.uplink().foreign_datagrams(), 1u);
  ::close(census);
  ::close(stranger);
}

namespace {
// The smallest raw-API TCP client: connects, writes, collects what comes back.
struct RawTcpClient {
  tcp_pcb* pcb = tcp_new();
  bool connected = false, closed = false, failed = false;
  std::string in;

  RawTcpClient() {
    tcp_arg(pcb, this);
    tcp_err(pcb, [](void* self, err_t) {
      auto* c = static_cast<RawTcpClient*>(self);
      c->failed = true;
      c->pcb = nullptr;
    });
    tcp_recv(pcb, [](void* self, tcp_pcb* p, pbuf* b, err_t) -> err_t {
      auto* c = static_cast<RawTcpClient*>(self);
      if (b == nullptr) {
        c->closed = true;
        return ERR_OK;
      }
      std::string chunk(b->tot_len, '\0');
      pbuf_copy_partial(b, chunk.data(), b->tot_len, 0);
      c->in += chunk;
      tcp_recved(p, b->tot_len);
      pbuf_free(b);
      return ERR_OK;
    });
  }
  ~RawTcpClient() {
    if (pcb != nullptr) {
      tcp_arg(pcb, nullptr);
      tcp_err(pcb, nullptr);
      tcp_recv(pcb, nullptr);
      if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
    }
  }
  bool connect(const char* ip, uint16_t port) {
    ip_addr_t a;
    ipaddr_aton(ip, &a);
    return tcp_connect(pcb, &a, port, [](void* self, tcp_pcb*, err_t) -> err_t {
             static_cast<RawTcpClient*>(self)->connected = true;
             return ERR_OK;
           }) == ERR_OK;
  }
  bool write(const std::string& s) {
    return tcp_write(pcb, s.data(), static_cast<u16_t>(s.size()), TCP_WRITE_FLAG_COPY) == ERR_OK &&
           tcp_output(pcb) == ERR_OK;
  }
};
}  // namespace

TEST_F(LwipOverTap, TcpConnectionToAKernelListenerCarriesBytesBothWays) {
  const int listener = namespace_socket(ns, SOCK_STREAM, 7443);
  ASSERT_GE(listener, 0);
  RawTcpClient client;
  ASSERT_TRUE(client.connect("192.0.2.1", 7443));
  int peer = -1;
  ASSERT_TRUE(run_until([&] {
    if (peer < 0) peer = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
    return peer >= 0 && client.connected;
  }));
  // More than one segment's worth each way, so windows and acknowledgements are exercised.
  std::string up(6000, 'u'), down(9000, 'd');
  ASSERT_TRUE(client.write(up.substr(0, 4000)));
  std::string got;
  bool rest_sent = false;
  ASSERT_TRUE(run_until([&] {
    if (!rest_sent && tcp_sndbuf(client.pcb) >= 2000) rest_sent = client.write(up.substr(4000));
    char buf[4096];
    const ssize_t n = ::recv(peer, buf, sizeof buf, 0);
    if (n > 0) got.append(buf, static_cast<size_t>(n));
    return got.size() == up.size();
  }));
  EXPECT_EQ(got, up);
  size_t sent = 0;
  ASSERT_TRUE(run_until([&] {
    if (sent < down.size()) {
      const ssize_t n = ::send(peer, down.data() + sent, down.size() - sent, MSG_NOSIGNAL);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    return client.in.size() == down.size();
  }));
  EXPECT_EQ(client.in, down);
  ::close(peer);
  EXPECT_TRUE(run_until([&] { return client.closed; }));
  EXPECT_FALSE(client.failed);
  ::close(listener);
}

TEST_F(LwipOverTap, AfterAPowerCutANewBoardNetworkComesUpOnTheSameTap) {
  const int census = namespace_socket(ns, SOCK_DGRAM, 7002);
  ASSERT_GE(census, 0);
  const char* list[] = {"192.0.2.1:7002"};
  char buf[64];
  for (int boot = 0; boot < 2; ++boot) {
    gm::test::Received got;
    gm::board::SimLinuxNet board{&gm::test::Received::on, &got};
    if (boot == 0) {
      ASSERT_TRUE(net.uplink().set_census(list, 1));
      ASSERT_TRUE(net.uplink().open(net.address()));
      net.power_cut();  // the fixture's board: its uplink and login are gone
      EXPECT_FALSE(net.uplink().send(reinterpret_cast<const uint8_t*>("x"), 1));
      net.down();  // and its interface
      EXPECT_FALSE(net.is_up());
    }
    std::string error;
    gm::board::SimLinuxNetConfig c;
    c.tap = tap;
    c.netns = ns;
    ASSERT_TRUE(board.up(c, error)) << error;
    ASSERT_TRUE(board.uplink().set_census(list, 1));
    ASSERT_TRUE(board.uplink().open(board.address()));
    const std::string hello = "boot " + std::to_string(boot);
    ASSERT_TRUE(board.uplink().send(reinterpret_cast<const uint8_t*>(hello.data()), hello.size()));
    ssize_t n = -1;
    for (int i = 0; i < 500 && n < 0; ++i) {
      board.poll(10);
      n = ::recv(census, buf, sizeof buf, 0);
    }
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), hello);
  }
  ::close(census);
}
