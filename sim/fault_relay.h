// A UDP relay that sits between agents and a census and misbehaves like a bad network: it loses,
// duplicates, reorders and delays datagrams in both directions, and can black-hole everything
// (an outage). Each agent address gets its own upstream socket, so replies find their way back.
// Deterministic for a given seed and arrival order.
#pragma once

#include <utility>  // before Boost 1.74 asio: its awaitable.hpp uses std::exchange unincluded

#include <boost/asio.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "sim/fault_plan.h"

namespace gm::sim {

// Counted on the relay's thread; read from any thread (the simulator's loop reports them).
struct RelayStats {
  std::atomic<uint64_t> forwarded{0}, dropped{0}, duplicated{0}, reordered{0}, blackholed{0};
  std::atomic<uint64_t> from_census{0};  // datagrams the census sent back, before any fault
  std::atomic<uint64_t> mirrored{0};     // agent datagrams also sent to the mirror census
};

class FaultRelay {
 public:
  using udp = boost::asio::ip::udp;

  FaultRelay(boost::asio::io_context& io, udp::endpoint listen, udp::endpoint target,
             FaultPlan plan);
  udp::endpoint local_endpoint() const { return socket_.local_endpoint(); }
  void set_plan(const FaultPlan& p) { plan_ = p; }
  void set_blackhole(bool on) { blackhole_ = on; }
  // Every agent datagram that passes is also sent, as it came, to this second census; its
  // answers come back to the agent like the target's.
  void mirror_to(udp::endpoint mirror) { mirror_ = mirror; }
  // Shown every datagram from the census before the relay's faults touch it (on the relay's
  // thread): the simulator's witness learns what the census committed, lost acks included.
  using Tap = std::function<void(const uint8_t* data, size_t length)>;
  void tap_census(Tap tap) { tap_ = std::move(tap); }
  const RelayStats& stats() const { return stats_; }

 private:
  struct Upstream;
  boost::asio::awaitable<void> from_agents();
  boost::asio::awaitable<void> from_census(std::shared_ptr<Upstream> up);
  // Applies the plan to one datagram and sends it on `out` to `to` (now, later, or never).
  void pass(udp::socket& out, udp::endpoint to, std::vector<uint8_t> data);
  void send_later(udp::socket& out, udp::endpoint to, std::shared_ptr<std::vector<uint8_t>> d,
                  uint32_t ms);
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<>(0, 1)(rng_) < p; }

  boost::asio::io_context& io_;
  udp::socket socket_;
  udp::endpoint target_;
  std::optional<udp::endpoint> mirror_;
  FaultPlan plan_;
  bool blackhole_ = false;
  Tap tap_;
  RelayStats stats_;
  std::mt19937_64 rng_;
  std::map<udp::endpoint, std::shared_ptr<Upstream>> upstreams_;
  struct Held {
    udp::socket* out;
    udp::endpoint to;
    std::vector<uint8_t> data;
  };
  std::unique_ptr<Held> held_;  // the one datagram being held back for reordering
};

}  // namespace gm::sim
