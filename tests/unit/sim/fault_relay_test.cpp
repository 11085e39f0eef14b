// The fault relay on loopback: what it promises about loss, duplication, reordering and
// outages, measured over bounded runs that end by themselves.
#include "sim/fault_relay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>

namespace asio = boost::asio;
using asio::ip::udp;
using gm::sim::FaultPlan;
using gm::sim::FaultRelay;

namespace {

const udp::endpoint any_loopback{asio::ip::make_address("127.0.0.1"), 0};

// Sends n numbered datagrams through a relay to an echo server and collects what comes back.
struct Rig {
  asio::io_context io;
  udp::socket echo{io, any_loopback};
  udp::socket agent{io, any_loopback};
  FaultRelay relay;
  std::vector<uint32_t> received;

  explicit Rig(FaultPlan plan) : relay(io, any_loopback, echo.local_endpoint(), plan) {}

  void run(uint32_t n) {
    asio::co_spawn(io, echo_loop(), asio::detached);
    asio::co_spawn(io, receive_loop(), asio::detached);
    for (uint32_t i = 0; i < n; ++i) {
      agent.send_to(asio::buffer(&i, sizeof i), relay.local_endpoint());
      io.run_for(std::chrono::microseconds(200));
    }
    io.run_for(std::chrono::milliseconds(300));  // let delayed and held datagrams arrive
  }

  asio::awaitable<void> echo_loop() {
    uint32_t v;
    for (;;) {
      udp::endpoint from;
      co_await echo.async_receive_from(asio::buffer(&v, sizeof v), from, asio::use_awaitable);
      echo.send_to(asio::buffer(&v, sizeof v), from);
    }
  }
  asio::awaitable<void> receive_loop() {
    uint32_t v;
    for (;;) {
      co_await agent.async_receive(asio::buffer(&v, sizeof v), asio::use_awaitable);
      received.push_back(v);
    }
  }
};

}  // namespace

TEST(FaultRelay, CleanPlanDeliversEverythingInOrder) {
  Rig rig(FaultPlan{});
  rig.run(200);
  ASSERT_EQ(rig.received.size(), 200u);
  for (uint32_t i = 0; i < 200; ++i) EXPECT_EQ(rig.received[i], i);
}

TEST(FaultRelay, LossDropsRoughlyTheAskedShareBothWays) {
  FaultPlan p;
  p.loss = 0.2;
  Rig rig(p);
  rig.run(1000);
  // Two passes at 20 % each: about 64 % survive. Bounds are wide; the seed fixes the outcome.
  EXPECT_GT(rig.received.size(), 540u);
  EXPECT_LT(rig.received.size(), 740u);
  EXPECT_GT(rig.relay.stats().dropped, 250u);
}

TEST(FaultRelay, DuplicationDeliversSomeTwice) {
  FaultPlan p;
  p.duplicate = 0.1;
  Rig rig(p);
  rig.run(500);
  std::set<uint32_t> unique(rig.received.begin(), rig.received.end());
  EXPECT_EQ(unique.size(), 500u);
  EXPECT_GT(rig.received.size(), 550u);
}

TEST(FaultRelay, ReorderingLetsLaterDatagramsOvertake) {
  FaultPlan p;
  p.reorder = 0.2;
  Rig rig(p);
  rig.run(500);
  std::set<uint32_t> unique(rig.received.begin(), rig.received.end());
  EXPECT_EQ(unique.size(), 500u);  // nothing lost
  size_t inversions = 0;
  for (size_t i = 1; i < rig.received.size(); ++i) inversions += rig.received[i] < rig.received[i - 1];
  EXPECT_GT(inversions, 20u);
}

TEST(FaultRelay, BlackholeIsAnOutage) {
  Rig rig(FaultPlan{});
  rig.relay.set_blackhole(true);
  rig.run(50);
  EXPECT_TRUE(rig.received.empty());
  EXPECT_EQ(rig.relay.stats().blackholed, 50u);
}
