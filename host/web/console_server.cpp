#include "host/web/console_server.h"

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <thread>

#include "host/async/https_listener.h"
#include "host/async/on_worker.h"
#include "host/settlement/detail_download.h"
#include "host/store/store.h"
#include "host/web/console_routes.h"
#include "host/web/live_board.h"

namespace gm::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr size_t header_limit = 8192;
constexpr auto heartbeat = std::chrono::seconds(15);
constexpr auto session_check = std::chrono::seconds(5);

std::string text(beast::string_view s) {
  return std::string(s.data(), s.size());
}

int64_t steady_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A request as the io thread read it, copied for the worker.
struct Incoming {
  std::string method, target, cookie, csrf, origin, host, body, client;
};

// Only this server's own files and connections: an injected script could neither load code
// from elsewhere nor send what it reads anywhere.
constexpr const char* content_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

template <typename Body>
void common_headers(http::response<Body>& res) {
  res.set(http::field::server, "gatemeter web console");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy", content_policy);
  res.set(http::field::strict_transport_security, "max-age=31536000");
}

}  // namespace

struct ConsoleServer::Impl {
  std::string store_spec, key_path, cert_path;
  const ConsoleSettings& settings;
  ConsoleStats& stats;
  uint32_t connections = 0;  // the io thread's

  // The worker's alone.
  std::unique_ptr<host::Store> store;
  std::unique_ptr<ConsoleOperators> operators;
  std::unique_ptr<ConsoleRoutes> routes;

  LiveBoard board;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  asio::thread_pool worker{1};
  asio::io_context io{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread io_thread;

  Impl(std::string s, std::string k, std::string c, const ConsoleSettings& st, ConsoleStats& sts)
      : store_spec(s),
        key_path(std::move(k)),
        cert_path(std::move(c)),
        settings(st),
        stats(sts),
        board(std::move(s), std::chrono::milliseconds(st.tick_ms)) {}

  ConsoleAnswer decide(const Incoming& in) {
    const ConsoleRequest r{in.method, in.target, in.cookie, in.csrf,
                           in.origin, in.host,   in.body,   in.client};
    try {
      return routes->answer(r, steady_s(), std::time(nullptr));
    } catch (const std::exception& e) {  // the store failed
      std::fprintf(stderr, "web: %s %s: %s\n", in.method.c_str(), in.target.c_str(), e.what());
      ConsoleAnswer a;
      a.status = 500;
      a.body = "{\"error\":\"the store failed; try again later\"}";
      return a;
    }
  }

  awaitable<void> send(Stream& s, ConsoleAnswer& a, const http::request<http::string_body>& req) {
    ++stats.requests;
    if (a.status >= 400) ++stats.refused;
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
    if (a.asset) {
      const bool fresh = text(req[http::field::if_none_match]) == a.asset->etag;
      http::response<http::string_body> res{fresh ? http::status::not_modified : http::status::ok,
                                            req.version()};
      common_headers(res);
      res.set(http::field::etag,
              text(beast::string_view(a.asset->etag.data(), a.asset->etag.size())));
      res.set(http::field::cache_control, "no-cache");  // revalidated: a new build is seen at once
      res.set(http::field::content_type,
              beast::string_view(a.asset->content_type.data(), a.asset->content_type.size()));
      if (!fresh) res.body().assign(a.asset->body.data(), a.asset->body.size());
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await http::async_write(s, res, use_awaitable);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(a.status), req.version()};
    common_headers(res);
    res.set(http::field::cache_control, "no-store");  // money and sessions: no cache keeps it
    res.set(http::field::content_type, a.content_type);
    for (const std::string& c : a.set_cookie) res.insert(http::field::set_cookie, c);
    if (!a.disposition.empty())
      res.set(http::field::content_disposition, "attachment; filename=\"" + a.disposition + "\"");
    if (a.retry_after_s > 0) res.set(http::field::retry_after, std::to_string(a.retry_after_s));
    res.body() = std::move(a.body);
    if (res.body().empty() || res.body().back() != '\n') res.body() += "\n";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(s, res, use_awaitable);
  }

  // A provider's detail file (detail_download.h): checked whole against its close's checksum
  // before the header, sent a page at a time, the connection cut short if it changed meanwhile.
  awaitable<void> send_detail(Stream& s, ConsoleAnswer& a,
                              const http::request<http::string_body>& req) {
    auto file = std::make_shared<settlement::DetailDownload>(*a.detail_period, a.detail_provider);
    bool matches = false;
    try {
      auto check_page = [this, file] { return file->check_page(store->settlement()); };
      while (co_await host::on_worker(worker, io, check_page)) {
      }
      auto compare = [this, file] { return file->matches(store->settlement()); };
      matches = co_await host::on_worker(worker, io, compare);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "web: detail file of %s, period %lld: %s\n", a.detail_provider.c_str(),
                   static_cast<long long>(a.detail_period->from_unix), e.what());
    }
    if (!matches) {
      std::fprintf(stderr, "web: the detail file of %s, period %lld, is not the one its close "
                   "made: refused\n", a.detail_provider.c_str(),
                   static_cast<long long>(a.detail_period->from_unix));
      ConsoleAnswer refusal;
      refusal.status = 500;
      refusal.body = "{\"error\":\"the detail file cannot be served as its close made it; "
                     "the settlement operator has been told\"}";
      co_await send(s, refusal, req);
      co_return;
    }
    ++stats.requests;
    http::response<http::empty_body> res{http::status::ok, req.version()};
    common_headers(res);
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::content_disposition, "attachment; filename=\"" + a.disposition + "\"");
    res.content_length(file->bytes());
    res.keep_alive(req.keep_alive());
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
    http::response_serializer<http::empty_body> sr{res};
    co_await http::async_write_header(s, sr, use_awaitable);
    if (req.method() == http::verb::head) co_return;
    std::string page;
    auto next_page = [this, file, &page] { return file->send_page(store->settlement(), page); };
    while (co_await host::on_worker(worker, io, next_page)) {
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
      co_await asio::async_write(s, asio::buffer(page), use_awaitable);
    }
    if (!file->sent_same()) {
      std::fprintf(stderr, "web: the detail file of %s, period %lld, changed while it was "
                   "sent: the connection is closed short\n", a.detail_provider.c_str(),
                   static_cast<long long>(a.detail_period->from_unix));
      throw std::runtime_error("the detail file changed while it was sent");
    }
  }

  // Step 6: the connection follows one view until the client or its session goes.
  awaitable<void> follow(Stream& s, const LiveTopic& topic, const std::string& cookie,
                         unsigned version) {
    http::response<http::empty_body> res{http::status::ok, version};
    common_headers(res);
    res.set(http::field::content_type, "text/event-stream");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(false);  // the stream ends with the connection
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
    http::response_serializer<http::empty_body> sr{res};
    co_await http::async_write_header(s, sr, use_awaitable);
    ++stats.streams;
    ++stats.open_streams;
    board.watch(topic.key);
    struct Unwatch {
      Impl& m;
      const std::string& key;
      ~Unwatch() {
        m.board.unwatch(key);
        --m.stats.open_streams;
      }
    } unwatch{*this, topic.key};

    uint64_t sent = 0;
    auto last_write = std::chrono::steady_clock::now(), last_check = last_write;
    asio::steady_timer timer(io);
    std::string event;
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(settings.look_ms));
      co_await timer.async_wait(use_awaitable);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_check >= session_check) {
        last_check = now;
        auto alive = [this, &cookie] { return routes->session_of(cookie, steady_s()) != nullptr; };
        if (!co_await host::on_worker(worker, io, alive)) co_return;  // logged out or expired
      }
      const LiveBoard::View v = board.latest(topic.key);
      event.clear();
      if (v.version != sent && v.text) {
        // One line of JSON (the views never hold a newline): one data line, one event.
        event = "event: view\ndata: " + *v.text + "\n\n";
        sent = v.version;
        ++stats.events;
      } else if (now - last_write >= heartbeat) {
        event = ": still here\n\n";
      }
      if (event.empty()) continue;
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
      co_await asio::async_write(s, asio::buffer(event), use_awaitable);
      last_write = now;
    }
  }

  awaitable<void> serve(tcp::socket socket) {
    std::string client;
    {
      boost::system::error_code ec;
      client = socket.remote_endpoint(ec).address().to_string();
    }
    Stream s(std::move(socket), tls);
    try {
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.request_timeout_s));
      co_await s.async_handshake(asio::ssl::stream_base::server, use_awaitable);
      beast::flat_buffer buffer;
      for (bool first = true;; first = false) {
        if (!first) beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.idle_s));
        http::request_parser<http::string_body> parser;
        parser.header_limit(header_limit);
        parser.body_limit(max_body);
        boost::system::error_code ec;
        co_await http::async_read_header(s, buffer, parser,
                                         asio::redirect_error(use_awaitable, ec));
        if (ec == http::error::end_of_stream) break;
        if (!ec) {
          beast::get_lowest_layer(s).expires_after(
              std::chrono::seconds(settings.request_timeout_s));
          co_await http::async_read(s, buffer, parser, asio::redirect_error(use_awaitable, ec));
        }
        if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
          // Not HTTP as the console takes it: a header past 8 KiB, a body past 4 KiB, bad syntax.
          http::request<http::string_body> req;
          ConsoleAnswer a;
          a.status = 400;
          a.body = "{\"error\":\"malformed request: " + ec.message() + "\"}";
          req.keep_alive(false);
          co_await send(s, a, req);
          break;
        }
        if (ec) throw boost::system::system_error(ec);  // a timeout or a disconnect
        const http::request<http::string_body>& req = parser.get();
        Incoming in{text(req.method_string()),
                    text(req.target()),
                    text(req[http::field::cookie]),
                    text(req["X-CSRF-Token"]),
                    text(req[http::field::origin]),
                    text(req[http::field::host]),
                    req.body(),
                    client};
        auto job = [this, &in] { return decide(in); };
        ConsoleAnswer a = co_await host::on_worker(worker, io, job);
        if (a.live) {
          co_await follow(s, *a.live, in.cookie, req.version());
          break;
        }
        if (a.detail_period)
          co_await send_detail(s, a, req);
        else
          co_await send(s, a, req);
        if (!req.keep_alive()) break;
      }
      boost::system::error_code ec;
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(2));
      co_await s.async_shutdown(asio::redirect_error(use_awaitable, ec));
    } catch (const std::exception&) {
      ++stats.dropped;  // TLS failure, timeout, disconnect: nothing more to say
    }
    --connections;
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) {  // out of descriptors, most likely: let some connections finish first
        std::fprintf(stderr, "web: accept: %s\n", ec.message().c_str());
        asio::steady_timer pause(io, std::chrono::milliseconds(100));
        co_await pause.async_wait(use_awaitable);
        continue;
      }
      if (connections >= settings.max_connections) {
        ++stats.dropped;
        continue;  // closed as sock goes
      }
      ++connections;
      asio::co_spawn(io, serve(std::move(sock)), asio::detached);
    }
  }
};

ConsoleServer::ConsoleServer(std::string store, std::string tls_key, std::string tls_cert,
                             ConsoleSettings settings)
    : settings_(std::move(settings)),
      impl_(std::make_unique<Impl>(std::move(store), std::move(tls_key), std::move(tls_cert),
                                   settings_, stats_)) {}

ConsoleServer::~ConsoleServer() {
  stop();
}

const LiveBoard& ConsoleServer::board() const {
  return impl_->board;
}

void ConsoleServer::start() {
  Impl& m = *impl_;
  host::load_server_tls(m.tls, m.key_path, m.cert_path, "web");
  m.store = host::open_store(m.store_spec);
  m.operators = std::make_unique<ConsoleOperators>(settings_.operators_file);
  m.routes = std::make_unique<ConsoleRoutes>(*m.store, *m.operators);
  m.board.start();

  m.acceptor = host::listen_on(m.io, settings_.listen_ip, settings_.port, "web_listen");
  port_ = m.acceptor->local_endpoint().port();
  asio::co_spawn(m.io, m.accept_loop(), asio::detached);
  m.io_thread = host::run_io_thread(m.io, "web");
}

void ConsoleServer::stop() {
  if (!impl_ || !impl_->io_thread.joinable()) return;
  impl_->io.stop();
  impl_->io_thread.join();
  impl_->worker.join();
  impl_->board.stop();
}

}  // namespace gm::web
