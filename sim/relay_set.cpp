#include "sim/relay_set.h"

#include <cstdlib>
#include <optional>
#include <thread>

#include "sim/fault_relay.h"

namespace gm::sim {

struct RelaySet::Impl {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::vector<std::unique_ptr<FaultRelay>> relays;
  std::thread thread;
};

namespace {
bool endpoint(const std::string& text, boost::asio::ip::udp::endpoint& out) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address_v4(text.substr(0, colon), ec);
  const int port = std::atoi(text.c_str() + colon + 1);
  if (ec || port <= 0 || port > 65535) return false;
  out = {addr, static_cast<uint16_t>(port)};
  return true;
}
}  // namespace

RelaySet::RelaySet() : impl_(std::make_unique<Impl>()) {}
RelaySet::~RelaySet() { stop(); }

bool RelaySet::start(const std::vector<RelaySpec>& relays, const FaultPlan& faults, uint64_t seed,
                     CensusTap tap, std::string& error) {
  for (size_t i = 0; i < relays.size(); ++i) {
    boost::asio::ip::udp::endpoint listen, target, mirror;
    if (!endpoint(relays[i].listen, listen) || !endpoint(relays[i].target, target) ||
        (!relays[i].mirror.empty() && !endpoint(relays[i].mirror, mirror))) {
      error = "--relay " + relays[i].listen + "=" + relays[i].target +
              (relays[i].mirror.empty() ? "" : "+" + relays[i].mirror) +
              ": expected a.b.c.d:port=a.b.c.d:port[+a.b.c.d:port]";
      return false;
    }
    try {
      FaultPlan p = faults;
      p.seed = seed + i;
      impl_->relays.push_back(std::make_unique<FaultRelay>(impl_->io, listen, target, p));
      if (tap) impl_->relays.back()->tap_census(tap);
      if (!relays[i].mirror.empty()) impl_->relays.back()->mirror_to(mirror);
    } catch (const std::exception& e) {
      error = "--relay " + relays[i].listen + ": " + e.what();
      return false;
    }
  }
  impl_->guard.emplace(impl_->io.get_executor());
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return true;
}

RelayTotals RelaySet::totals(int relay) const {
  RelayTotals t;
  for (size_t i = 0; i < impl_->relays.size(); ++i) {
    if (relay >= 0 && static_cast<size_t>(relay) != i) continue;
    const RelayStats& s = impl_->relays[i]->stats();
    t.forwarded += s.forwarded;
    t.dropped += s.dropped;
    t.duplicated += s.duplicated;
    t.reordered += s.reordered;
    t.blackholed += s.blackholed;
    t.from_census += s.from_census;
    t.mirrored += s.mirrored;
  }
  return t;
}

void RelaySet::set_blackhole(size_t relay, bool on) {
  if (relay >= impl_->relays.size()) return;
  FaultRelay* r = impl_->relays[relay].get();
  boost::asio::post(impl_->io, [r, on] { r->set_blackhole(on); });
}

void RelaySet::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->guard.reset();
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace gm::sim
