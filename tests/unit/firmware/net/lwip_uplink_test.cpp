// The lwIP census uplink inside one process: lwIP's loopback interface (127.0.0.1) carries the
// datagrams, a raw UDP pcb plays the census (tests/support/fake_census.h behind it), and the
// test loop drives lwIP the way a board does (netif_poll_all), with bounded loops. No clock is
// set: nothing here waits on an lwIP timer.
#include "firmware/net/lwip_uplink.h"

#include <gtest/gtest.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <lwip/timeouts.h>
#include <lwip/udp.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/support/fake_census.h"
#include "tests/support/frames.h"

using gm::net::LwipUplink;

namespace {

void lwip_once() {
  static bool done = false;
  if (!done) lwip_init();
  done = true;
}

// A UDP pcb on 127.0.0.1 that answers every datagram through `answer`.
struct LoopbackPeer {
  udp_pcb* pcb = udp_new();
  std::vector<std::vector<uint8_t>> received;
  std::vector<uint8_t> (*answer)(LoopbackPeer&, const std::vector<uint8_t>&) = nullptr;
  void* context = nullptr;

  explicit LoopbackPeer(uint16_t port) {
    udp_bind(pcb, IP4_ADDR_ANY, port);
    udp_recv(pcb, &LoopbackPeer::on_udp, this);
  }
  ~LoopbackPeer() { udp_remove(pcb); }
  std::string address() const { return "127.0.0.1:" + std::to_string(pcb->local_port); }

  void send_to(uint16_t port, const std::string& text) {
    pbuf* p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(text.size()), PBUF_RAM);
    pbuf_take(p, text.data(), static_cast<u16_t>(text.size()));
    udp_sendto(pcb, p, IP4_ADDR_LOOPBACK_NETIF_ADDR(), port);
    pbuf_free(p);
  }

  static void on_udp(void* self, udp_pcb* pcb, pbuf* p, const ip_addr_t* addr, u16_t port) {
    auto* peer = static_cast<LoopbackPeer*>(self);
    std::vector<uint8_t> d(p->tot_len);
    pbuf_copy_partial(p, d.data(), p->tot_len, 0);
    pbuf_free(p);
    peer->received.push_back(d);
    if (peer->answer == nullptr) return;
    const std::vector<uint8_t> reply = peer->answer(*peer, d);
    if (reply.empty()) return;
    pbuf* r = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(reply.size()), PBUF_RAM);
    pbuf_take(r, reply.data(), static_cast<u16_t>(reply.size()));
    udp_sendto(pcb, r, addr, port);
    pbuf_free(r);
  }

 private:
  static const ip_addr_t* IP4_ADDR_LOOPBACK_NETIF_ADDR() {
    static ip_addr_t a = IPADDR4_INIT_BYTES(127, 0, 0, 1);
    return &a;
  }
};

std::vector<uint8_t> echo_with_ok(LoopbackPeer&, const std::vector<uint8_t>& d) {
  const std::string text = "ok:" + std::string(d.begin(), d.end());
  return std::vector<uint8_t>(text.begin(), text.end());
}

struct Received {
  std::vector<std::vector<uint8_t>> datagrams;
  static void on(void* self, const uint8_t* d, size_t n) {
    static_cast<Received*>(self)->datagrams.emplace_back(d, d + n);
  }
  std::string text(size_t i) const { return {datagrams[i].begin(), datagrams[i].end()}; }
};

// What a board's loop does between events; bounded by the caller.
void run_until(const std::function<bool()>& done) {
  for (int i = 0; i < 100 && !done(); ++i) netif_poll_all();
}

const uint8_t* bytes(const char* s) { return reinterpret_cast<const uint8_t*>(s); }

class LwipUplinkTest : public ::testing::Test {
 protected:
  void SetUp() override { lwip_once(); }

  // Lists the peers as the census, in order, and opens the uplink on 127.0.0.1.
  void aim_at(std::initializer_list<const LoopbackPeer*> peers) {
    std::vector<std::string> addresses;
    for (const LoopbackPeer* p : peers) addresses.push_back(p->address());
    std::vector<const char*> list;
    for (const std::string& a : addresses) list.push_back(a.c_str());
    ASSERT_TRUE(up.set_census(list.data(), list.size()));
    ASSERT_TRUE(up.open("127.0.0.1"));
  }

  Received rx;
  LwipUplink up{&Received::on, &rx};
};

}  // namespace

TEST_F(LwipUplinkTest, ParsesCensusAddressesAsThePosixUplinkDoes) {
  const char* good[] = {"127.0.0.1:7000", "192.0.2.1:7001"};
  EXPECT_TRUE(up.set_census(good, 2));
  for (const char* bad : {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "localhost:7000",
                          "127.0.0.1:7x", ":7000", "1.2.3.4.5:1", "01.2.3.4:1", "256.0.0.1:1"}) {
    const char* list[] = {"127.0.0.1:7000", bad};
    size_t where = 99;
    EXPECT_FALSE(up.set_census(list, 2, &where)) << bad;
    EXPECT_EQ(where, 1u) << bad;
  }
  EXPECT_FALSE(up.set_census(good, 0));
}

TEST_F(LwipUplinkTest, SendsASealedBatchToTheCensusAndDeliversItsAck) {
  uint8_t session_key[32];
  for (int i = 0; i < 32; ++i) session_key[i] = static_cast<uint8_t>(i * 7);
  gm::test::FakeCensus census_logic(42, session_key);
  LoopbackPeer census(7100);
  census.context = &census_logic;
  census.answer = [](LoopbackPeer& self, const std::vector<uint8_t>& d) {
    return static_cast<gm::test::FakeCensus*>(self.context)->receive(d);
  };

  aim_at({&census});

  gm::frame::TagKey key;
  gm::frame::derive_tag_key(session_key, 32, key);
  // Enough records for a datagram longer than one Ethernet frame.
  const std::vector<uint8_t> batch = gm::test::seal_batch(gm::test::make_batch(32), 42, 1, key);
  ASSERT_GT(batch.size(), 1500u);
  ASSERT_TRUE(up.send(batch.data(), batch.size()));
  run_until([&] { return !rx.datagrams.empty(); });

  ASSERT_EQ(census.received.size(), 1u);
  EXPECT_EQ(census.received[0], batch);
  EXPECT_EQ(census_logic.records_seen, 32u);
  EXPECT_EQ(census_logic.refused, 0u);
  ASSERT_EQ(rx.datagrams.size(), 1u);
  gm::frame::Header h;
  ASSERT_EQ(gm::frame::peek(rx.datagrams[0].data(), rx.datagrams[0].size(), h),
            gm::frame::Refusal::none);
  EXPECT_EQ(h.kind, gm::frame::FrameKind::ack);
  EXPECT_EQ(h.login_session, 42u);
  EXPECT_FALSE(up.fail_over());  // nowhere else to go
}

TEST_F(LwipUplinkTest, FailsOverInOrderAndWrapsAround) {
  LoopbackPeer first(7201), second(7202);
  first.answer = second.answer = &echo_with_ok;
  aim_at({&first, &second});
  ASSERT_TRUE(up.fail_over());
  EXPECT_EQ(up.current(), 1u);
  ASSERT_TRUE(up.send(bytes("two"), 3));
  run_until([&] { return rx.datagrams.size() == 1; });
  ASSERT_TRUE(up.fail_over());
  EXPECT_EQ(up.current(), 0u);
  ASSERT_TRUE(up.send(bytes("one"), 3));
  run_until([&] { return rx.datagrams.size() == 2; });
  ASSERT_EQ(rx.datagrams.size(), 2u);
  EXPECT_EQ(rx.text(0), "ok:two");
  EXPECT_EQ(rx.text(1), "ok:one");
  EXPECT_EQ(second.received.size(), 1u);
  EXPECT_EQ(first.received.size(), 1u);
}

TEST_F(LwipUplinkTest, DropsDatagramsFromStrangers) {
  LoopbackPeer census(7301), stranger(7302);
  census.answer = &echo_with_ok;
  aim_at({&census});
  ASSERT_TRUE(up.send(bytes("x"), 1));
  run_until([&] { return !rx.datagrams.empty(); });
  stranger.send_to(up.local_port(), "spoof");
  run_until([&] { return up.foreign_datagrams() > 0; });
  ASSERT_EQ(rx.datagrams.size(), 1u);
  EXPECT_EQ(rx.text(0), "ok:x");
  EXPECT_EQ(up.foreign_datagrams(), 1u);
}

TEST_F(LwipUplinkTest, RefusesToSendBeforeItIsOpenOrHasACensus) {
  EXPECT_FALSE(up.send(bytes("x"), 1));
  ASSERT_TRUE(up.open("127.0.0.1"));
  EXPECT_FALSE(up.send(bytes("x"), 1));
  EXPECT_FALSE(up.open("not-an-address"));
}

TEST_F(LwipUplinkTest, SendsToBillingServersByIndexAndDeliversTheirAnswers) {
  LoopbackPeer census(7401), primary(7402), secondary(7403);
  census.answer = primary.answer = secondary.answer = &echo_with_ok;
  aim_at({&census});
  EXPECT_EQ(up.billing_count(), 0u);
  EXPECT_FALSE(up.send_billing(0, bytes("early"), 5));  // no billing servers yet
  const std::string a = primary.address(), b = secondary.address();
  const char* billing[] = {a.c_str(), b.c_str()};
  ASSERT_TRUE(up.set_billing(billing, 2));
  EXPECT_EQ(up.billing_count(), 2u);
  ASSERT_TRUE(up.send_billing(1, bytes("auth"), 4));
  run_until([&] { return rx.datagrams.size() == 1; });
  ASSERT_EQ(rx.datagrams.size(), 1u);
  EXPECT_EQ(rx.text(0), "ok:auth");  // an answer from a billing server is not a stranger's
  EXPECT_EQ(secondary.received.size(), 1u);
  EXPECT_EQ(primary.received.size(), 0u);
  EXPECT_EQ(census.received.size(), 0u);
  EXPECT_FALSE(up.send_billing(2, bytes("x"), 1));
  const char* bad[] = {"127.0.0.1:0"};
  size_t where = 9;
  EXPECT_FALSE(up.set_billing(bad, 1, &where));
  EXPECT_EQ(where, 0u);
  EXPECT_EQ(up.billing_count(), 2u);  // a bad list changes nothing
  EXPECT_EQ(up.foreign_datagrams(), 0u);
}
