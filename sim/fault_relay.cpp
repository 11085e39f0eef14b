#include "sim/fault_relay.h"

namespace gm::sim {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

struct FaultRelay::Upstream {
  udp::socket socket;
  udp::endpoint agent;
  Upstream(asio::io_context& io, udp::endpoint a) : socket(io, udp::endpoint(udp::v4(), 0)), agent(a) {}
};

FaultRelay::FaultRelay(asio::io_context& io, udp::endpoint listen, udp::endpoint target,
                       FaultPlan plan)
    : io_(io), socket_(io, listen), target_(target), plan_(plan), rng_(plan.seed) {
  asio::co_spawn(io_, from_agents(), asio::detached);
}

awaitable<void> FaultRelay::from_agents() {
  std::vector<uint8_t> buf(65536);
  for (;;) {
    udp::endpoint from;
    boost::system::error_code ec;
    const size_t n = co_await socket_.async_receive_from(
        asio::buffer(buf), from, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    auto& up = upstreams_[from];
    if (!up) {
      up = std::make_shared<Upstream>(io_, from);
      asio::co_spawn(io_, from_census(up), asio::detached);
    }
    if (mirror_ && !blackhole_) {
      ++stats_.mirrored;
      boost::system::error_code ignored;
      up->socket.send_to(asio::buffer(buf.data(), n), *mirror_, 0, ignored);
    }
    pass(up->socket, target_, std::vector<uint8_t>(buf.begin(), buf.begin() + n));
  }
}

awaitable<void> FaultRelay::from_census(std::shared_ptr<Upstream> up) {
  std::vector<uint8_t> buf(65536);
  for (;;) {
    udp::endpoint from;
    boost::system::error_code ec;
    const size_t n = co_await up->socket.async_receive_from(
        asio::buffer(buf), from, asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    ++stats_.from_census;
    if (tap_) tap_(buf.data(), n);
    pass(socket_, up->agent, std::vector<uint8_t>(buf.begin(), buf.begin() + n));
  }
}

void FaultRelay::pass(udp::socket& out, udp::endpoint to, std::vector<uint8_t> data) {
  if (blackhole_) {
    ++stats_.blackholed;
    return;
  }
  if (chance(plan_.loss)) {
    ++stats_.dropped;
    return;
  }
  const int copies = chance(plan_.duplicate) ? 2 : 1;
  if (copies == 2) ++stats_.duplicated;

  // Reordering: hold this one back; it goes out right after the next datagram (or after
  // 50 ms if none comes), so the next one overtakes it.
  std::unique_ptr<Held> release;
  if (held_) release = std::move(held_);
  if (!release && chance(plan_.reorder)) {
    ++stats_.reordered;
    held_ = std::make_unique<Held>(Held{&out, to, std::move(data)});
    auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](boost::system::error_code) {
      if (held_) {
        auto h = std::move(held_);
        send_later(*h->out, h->to, std::make_shared<std::vector<uint8_t>>(std::move(h->data)), 0);
      }
    });
    return;
  }

  auto shared = std::make_shared<std::vector<uint8_t>>(std::move(data));
  for (int c = 0; c < copies; ++c) {
    uint32_t ms = plan_.delay_ms;
    if (plan_.jitter_ms) ms += std::uniform_int_distribution<uint32_t>(0, plan_.jitter_ms)(rng_);
    send_later(out, to, shared, ms);
  }
  if (release)
    send_later(*release->out, release->to,
               std::make_shared<std::vector<uint8_t>>(std::move(release->data)), plan_.delay_ms);
}

void FaultRelay::send_later(udp::socket& out, udp::endpoint to,
                            std::shared_ptr<std::vector<uint8_t>> d, uint32_t ms) {
  ++stats_.forwarded;
  if (ms == 0) {
    boost::system::error_code ec;
    out.send_to(asio::buffer(*d), to, 0, ec);  // a full socket buffer is just more loss
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(ms));
  timer->async_wait([&out, to, d, timer](boost::system::error_code ec) {
    if (ec) return;
    boost::system::error_code ignored;
    out.send_to(asio::buffer(*d), to, 0, ignored);
  });
}

}  // namespace gm::sim
