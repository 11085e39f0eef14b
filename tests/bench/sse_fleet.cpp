#include "tests/bench/sse_fleet.h"

#include <pthread.h>
#include <string.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace gm::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

asio::ssl::context client_tls() {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);  // self-signed, 127.0.0.1 only (sse_fleet.h)
  return tls;
}

std::string form_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// The events of `text` (complete "...\n\n" blocks) into `c`; returns the bytes consumed.
size_t take_events(std::string_view text, const std::vector<std::string>& watched,
                   std::chrono::steady_clock::time_point at, SseFleet::Client& c,
                   std::atomic<uint64_t>& counter) {
  static constexpr std::string_view prefix = "event: view\ndata: ";
  static constexpr std::string_view charged = "\"charged_s\":";
  size_t used = 0;
  for (;;) {
    const size_t end = text.find("\n\n", used);
    if (end == std::string_view::npos) return used;
    const std::string_view block = text.substr(used, end - used);
    used = end + 2;
    if (block.substr(0, prefix.size()) != prefix) continue;  // a heartbeat comment
    SseEvent e;
    e.at = at;
    e.charged.fill(-1);
    // The watched sessions are in page order: each search starts where the last one ended.
    const char* from = block.data() + prefix.size();
    const char* const stop = block.data() + block.size();
    for (size_t k = 0; k < watched.size() && k < max_watched; ++k) {
      const void* hit =
          ::memmem(from, static_cast<size_t>(stop - from), watched[k].data(), watched[k].size());
      if (!hit) continue;
      const char* p = static_cast<const char*>(hit) + watched[k].size();
      const void* ch = ::memmem(p, static_cast<size_t>(stop - p), charged.data(), charged.size());
      if (!ch) continue;
      p = static_cast<const char*>(ch) + charged.size();
      int64_t v = 0;
      while (p < stop && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
      e.charged[k] = v;
      from = p;
    }
    c.events.push_back(e);
    ++counter;
  }
}

}  // namespace

std::optional<std::string> console_login(uint16_t port, const std::string& name,
                                         const std::string& password, std::string& error) {
  asio::io_context io;
  asio::ssl::context tls = client_tls();
  std::optional<std::string> cookie;
  auto login = [&]() -> awaitable<void> {
    Stream s(io, tls);
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(10));
    co_await beast::get_lowest_layer(s).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), use_awaitable);
    co_await s.async_handshake(asio::ssl::stream_base::client, use_awaitable);
    http::request<http::string_body> req{http::verb::post, "/api/login", 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.set("X-CSRF-Token", "bench");  // any value for the login (console_routes.h)
    req.body() = "role=operator&name=" + form_escape(name) + "&password=" + form_escape(password);
    req.prepare_payload();
    co_await http::async_write(s, req, use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(s, buffer, res, use_awaitable);
    if (res.result() != http::status::ok) {
      error = "login answered " + std::to_string(res.result_int()) + ": " + res.body();
      co_return;
    }
    for (const auto& field : res.base()) {
      if (field.name() != http::field::set_cookie) continue;
      const std::string value(field.value());
      if (value.rfind("gm_console=", 0) == 0) cookie = value.substr(0, value.find(';'));
    }
    if (!cookie) error = "login set no gm_console cookie";
  };
  asio::co_spawn(io, login(), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      error = std::string("login: ") + x.what();
    }
  });
  io.run_for(std::chrono::seconds(15));
  if (!cookie && error.empty()) error = "login timed out";
  return cookie;
}

struct SseFleet::Impl {
  uint16_t port;
  std::string cookie, target;
  std::vector<std::string> watched;
  asio::ssl::context tls = client_tls();
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;

  // One page: connect, TLS, the GET, the answer's header, then every event until the end.
  awaitable<void> follow(asio::io_context& io, SseFleet& fleet, Client& c) {
    bool counted = false;
    try {
      Stream s(io, tls);
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(60));
      co_await beast::get_lowest_layer(s).async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), use_awaitable);
      co_await s.async_handshake(asio::ssl::stream_base::client, use_awaitable);
      const std::string req = "GET " + target +
                              " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                              "\r\nAccept: text/event-stream\r\n" +
                              "Cache-Control: no-cache\r\nCookie: " + cookie + "\r\n\r\n";
      co_await asio::async_write(s, asio::buffer(req), use_awaitable);
      std::string buf;
      std::vector<char> chunk(16384);  // one TLS record
      size_t header_end = std::string::npos;
      while (header_end == std::string::npos) {
        const size_t n = co_await s.async_read_some(asio::buffer(chunk), use_awaitable);
        buf.append(chunk.data(), n);
        header_end = buf.find("\r\n\r\n");
        if (header_end == std::string::npos && buf.size() > 16384)
          throw std::runtime_error("no end of the answer's header");
      }
      if (buf.rfind("HTTP/1.1 200", 0) != 0)
        throw std::runtime_error("answered " + buf.substr(0, buf.find("\r\n")));
      buf.erase(0, header_end + 4);
      beast::get_lowest_layer(s).expires_never();  // a stream: the server sends when it moves
      c.state = 1;
      ++fleet.started_;
      counted = true;
      for (;;) {
        const size_t used =
            take_events(buf, watched, std::chrono::steady_clock::now(), c, fleet.events_);
        buf.erase(0, used);
        const size_t n = co_await s.async_read_some(asio::buffer(chunk), use_awaitable);
        fleet.bytes_ += n;
        buf.append(chunk.data(), n);
      }
    } catch (const std::exception& e) {
      c.error = e.what();
    }
    c.ended = std::chrono::steady_clock::now();
    c.state = 2;
    if (!counted) ++fleet.failed_;
  }
};

SseFleet::SseFleet(uint16_t port, std::string cookie, std::string target,
                   std::vector<std::string> watched, unsigned threads)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->cookie = std::move(cookie);
  impl_->target = std::move(target);
  impl_->watched = std::move(watched);
  for (unsigned t = 0; t < std::max(1u, threads); ++t) {
    impl_->ios.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->ios.back()));
  }
  for (auto& io : impl_->ios) impl_->threads.emplace_back([&io] { io->run(); });
}

SseFleet::~SseFleet() {
  stop();
}

size_t SseFleet::open(size_t n, size_t parallel, std::chrono::steady_clock::time_point deadline) {
  clients_.reserve(clients_.size() + n);
  size_t spawned = 0, shown = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    const size_t done = started_ + failed_;
    if (done >= clients_.size() && spawned == n) break;
    while (spawned < n && clients_.size() - (started_ + failed_) < parallel) {
      clients_.push_back(std::make_unique<Client>());
      asio::io_context& io = *impl_->ios[spawned % impl_->ios.size()];
      asio::co_spawn(io, impl_->follow(io, *this, *clients_.back()), asio::detached);
      ++spawned;
    }
    if (started_ >= shown + 100 || (started_ == n && shown < n)) {
      shown = started_;
      std::printf("  %zu of %zu streams open (%zu failed) after %.1f s\n", shown, n, failed_.load(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return started_;
}

size_t SseFleet::streaming() const {
  size_t n = 0;
  for (const auto& c : clients_) n += c->state == 1;
  return n;
}

double SseFleet::cpu_seconds() const {
  double total = 0;
  for (auto& t : impl_->threads) {
    if (!t.joinable()) continue;
    clockid_t id;
    timespec ts{};
    if (pthread_getcpuclockid(t.native_handle(), &id) == 0 && clock_gettime(id, &ts) == 0)
      total += ts.tv_sec + ts.tv_nsec / 1e9;
  }
  return total;
}

size_t SseFleet::stop() {
  if (stopped_) return at_stop_;
  stopped_ = true;
  at_stop_ = streaming();
  // Stopping the io_contexts ends every stream where it is; their frames go with the contexts.
  for (auto& io : impl_->ios) io->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->guards.clear();
  impl_->ios.clear();
  return at_stop_;
}

}  // namespace gm::bench
