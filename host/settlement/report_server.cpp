#include "host/settlement/report_server.h"

#include <algorithm>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
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
#include <exception>
#include <stdexcept>
#include <thread>
#include <vector>

#include "host/async/https_listener.h"
#include "host/async/on_worker.h"
#include "host/billing/password_hash.h"
#include "host/settlement/detail_download.h"
#include "host/settlement/period_close.h"
#include "host/settlement/report_access.h"
#include "host/settlement/report_format.h"
#include "host/settlement/report_throttle.h"
#include "host/store/billing_types.h"
#include "host/store/store.h"

namespace gm::settlement {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;

void ReportServerStats::count(int status) {
  for (size_t i = 0; i < statuses.size(); ++i)
    if (statuses[i] == status) ++answered[i];
}

namespace {

constexpr size_t header_limit = 8192;

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
  std::string method, target, client;
  std::vector<std::string> authorization;
};

// What the worker decided, for the io thread to send.
struct Answer {
  AccessDecision decision;
  int status = 500;
  std::string body;  // a report, the listing or a refusal's line; empty for a detail file
};

Answer failure(int status, std::string why) {
  Answer a;
  a.status = a.decision.status = status;
  a.body = std::move(why) + "\n";
  return a;
}

}  // namespace

struct ReportServer::Impl {
  std::string store_spec, key_path, cert_path;
  const ReportServerSettings& settings;
  ReportServerStats& stats;
  uint32_t connections = 0;  // the io thread's

  // The worker's alone: the store connection and the throttles.
  std::unique_ptr<host::Store> store;
  ReportThrottle provider_throttle, address_throttle;

  // In this order: the io context (with any coroutine it still holds) goes before the worker
  // and the TLS context its streams use.
  asio::ssl::context tls{asio::ssl::context::tls_server};
  asio::thread_pool worker{1};
  asio::io_context io{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread io_thread;

  Impl(std::string s, std::string k, std::string c, const ReportServerSettings& st,
       ReportServerStats& sts)
      : store_spec(std::move(s)),
        key_path(std::move(k)),
        cert_path(std::move(c)),
        settings(st),
        stats(sts) {}

  host::SettlementLedger& ledger() { return store->settlement(); }

  // job() on the worker, its result back on the io thread (async/on_worker.h).
  template <typename F>
  awaitable<std::invoke_result_t<F&>> on_worker(F& job) {
    return host::on_worker(worker, io, job);
  }

  // ---- the worker ----

  AccessLookups lookups(const Incoming& in, int64_t now) {
    AccessLookups l;
    l.password_hash = [this](const std::string& p) { return ledger().provider_password_hash(p); };
    l.password_matches = [](const std::string& hash, std::string_view password) {
      return billing::password_matches(hash, password);
    };
    l.throttled_s = [this, &in, now](const std::string& p) {
      return std::max(provider_throttle.wait_s(p, now), address_throttle.wait_s(in.client, now));
    };
    l.closed_periods = [this] { return ledger().closed_periods(); };
    l.reports_of = [this](int64_t from, const std::string& p) {
      std::vector<std::string> kept;
      for (const host::ReportChecksum& k : ledger().closed_checksums(from))
        if (k.provider == p) kept.push_back(k.report);
      return kept;
    };
    return l;
  }

  void count_failure(const AccessDecision& d, const std::string& client, int64_t now) {
    if (!d.login_failed) return;
    if (address_throttle.failed(client, now)) {
      ++stats.lockouts;
      std::fprintf(stderr,
                   "settlement-reports: %d failed logins from %s within %llds: locked for %llds\n",
                   ReportThrottle::failures_allowed, client.c_str(),
                   static_cast<long long>(ReportThrottle::window_s),
                   static_cast<long long>(ReportThrottle::lockout_s));
    }
    if (!d.throttled_provider.empty() && provider_throttle.failed(d.throttled_provider, now)) {
      ++stats.lockouts;
      std::fprintf(stderr,
                   "settlement-reports: %d failed logins as %s within %llds: locked for %llds\n",
                   ReportThrottle::failures_allowed, d.throttled_provider.c_str(),
                   static_cast<long long>(ReportThrottle::window_s),
                   static_cast<long long>(ReportThrottle::lockout_s));
    }
  }

  // Steps 4 and 5 for everything but a detail file's pages.
  Answer decide(const Incoming& in) {
    const int64_t now = steady_s();
    const std::vector<std::string_view> auth(in.authorization.begin(), in.authorization.end());
    Answer a;
    try {
      a.decision = decide_access({in.method, in.target, auth}, lookups(in, now));
      a.status = a.decision.status;
      count_failure(a.decision, in.client, now);
      const AccessDecision& d = a.decision;
      switch (d.action) {
        case AccessAction::refuse: a.body = d.why + "\n"; break;
        case AccessAction::list_periods: a.body = periods_json(d.provider, d.periods); break;
        case AccessAction::report: {
          const Table t = closed_table(ledger(), d.period, d.report, d.provider);
          a.body = d.format == ReportFormat::csv    ? to_csv(t)
                   : d.format == ReportFormat::json ? to_json(t)
                                                    : to_html(t);
          break;
        }
        case AccessAction::detail_file: break;  // made page by page (send_detail_file)
      }
    } catch (const host::BillingConflict& e) {  // a closed report that no longer matches
      std::fprintf(stderr, "settlement-reports: %s %s: %s\n", in.method.c_str(), in.target.c_str(),
                   e.what());
      return failure(500,
                     "the report cannot be served as its close made it; the settlement "
                     "operator has been told");
    } catch (const std::exception& e) {  // the store failed
      std::fprintf(stderr, "settlement-reports: %s %s: %s\n", in.method.c_str(), in.target.c_str(),
                   e.what());
      return failure(500, "the store failed; try again later");
    }
    return a;
  }

  // ---- the io thread ----

  template <typename Body>
  void set_headers(http::response<Body>& res, const Answer& a) {
    const AccessDecision& d = a.decision;
    res.set(http::field::server, "gatemeter settlement-reports");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(false);
    res.set(http::field::content_type,
            a.status == 200 ? content_type(d) : "text/plain; charset=utf-8");
    if (a.status == 200 &&
        (d.action == AccessAction::report || d.action == AccessAction::detail_file))
      res.set(http::field::content_disposition,
              "attachment; filename=\"" + download_name(d) + "\"");
    if (a.status == 401) res.set(http::field::www_authenticate, www_authenticate);
    if (a.status == 405) res.set(http::field::allow, "GET, HEAD");
    if (a.status == 429) res.set(http::field::retry_after, std::to_string(d.retry_after_s));
  }

  awaitable<void> send(Stream& s, Answer& a, unsigned version, bool head) {
    http::response<http::string_body> res{static_cast<http::status>(a.status), version};
    set_headers(res, a);
    res.body() = std::move(a.body);
    res.prepare_payload();
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
    stats.count(a.status);
    if (head) {
      http::response_serializer<http::string_body> sr{res};
      co_await http::async_write_header(s, sr, use_awaitable);
    } else {
      co_await http::async_write(s, res, use_awaitable);
      stats.bytes_sent += res.body().size();
    }
  }

  // A detail file, through detail_download.h's steps.
  awaitable<void> send_detail_file(Stream& s, Answer& a, unsigned version, bool head) {
    const AccessDecision d = a.decision;
    auto file = std::make_shared<DetailDownload>(d.period, d.provider);
    bool matches = false, made = true;
    try {
      auto check_page = [this, file] { return file->check_page(ledger()); };
      while (co_await on_worker(check_page)) {
      }
      auto compare = [this, file] { return file->matches(ledger()); };
      matches = co_await on_worker(compare);
    } catch (const std::exception& e) {  // a record that cannot be written, the store failed
      std::fprintf(stderr, "settlement-reports: detail file of %s, period %lld: %s\n",
                   d.provider.c_str(), static_cast<long long>(d.period.from_unix), e.what());
      made = false;
    }
    if (!made) {
      Answer reply =
          failure(500, "the detail file cannot be made; the settlement operator has been told");
      co_await send(s, reply, version, head);
      co_return;
    }
    if (!matches) {
      std::fprintf(stderr,
                   "settlement-reports: the detail file of %s, period %lld, no longer matches "
                   "the checksum its close kept: the store was changed\n",
                   d.provider.c_str(), static_cast<long long>(d.period.from_unix));
      Answer reply = failure(500,
                             "the detail file cannot be served as its close made it; the "
                             "settlement operator has been told");
      co_await send(s, reply, version, head);
      co_return;
    }

    http::response<http::empty_body> res{http::status::ok, version};
    set_headers(res, a);
    res.content_length(file->bytes());
    beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
    stats.count(200);
    http::response_serializer<http::empty_body> sr{res};
    co_await http::async_write_header(s, sr, use_awaitable);
    if (head) co_return;

    std::string page;
    auto next_page = [this, file, &page] { return file->send_page(ledger(), page); };
    for (;;) {
      if (!co_await on_worker(next_page)) break;
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(settings.send_timeout_s));
      co_await asio::async_write(s, asio::buffer(page), use_awaitable);
      stats.bytes_sent += page.size();
    }
    if (!file->sent_same()) {
      std::fprintf(stderr,
                   "settlement-reports: the detail file of %s, period %lld, changed "
                   "while it was sent: the connection is closed short\n",
                   d.provider.c_str(), static_cast<long long>(d.period.from_unix));
      throw std::runtime_error("the detail file changed while it was sent");
    }
  }

  // One connection, top to bottom. Every wait on the socket has a deadline: the request's
  // (handshake and read) from the accept, then each write's.
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
      http::request_parser<http::empty_body> parser;
      parser.header_limit(header_limit);
      boost::system::error_code ec;
      co_await http::async_read(s, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec && ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
          ec != http::error::end_of_stream) {
        // Not HTTP as this service takes it (a body, a header past 8 KiB, bad syntax); a POST
        // or PUT with its body is still told which methods there are.
        // (unexpected_body comes once the header is whole, so its method is read.)
        const auto method =
            ec == http::error::unexpected_body ? parser.get().method() : http::verb::get;
        Answer reply =
            method != http::verb::get && method != http::verb::head
                ? failure(405, "only GET and HEAD are served")
                : failure(400, "malformed request: " + ec.message() +
                                   " (a request here is a GET or HEAD with no body and at most "
                                   "8 KiB of header)");
        co_await send(s, reply, 11, false);
      } else if (ec) {
        throw boost::system::system_error(ec);  // a timeout or a disconnect
      } else {
        const auto& req = parser.get();
        Incoming in{text(req.method_string()), text(req.target()), client, {}};
        for (auto [it, end] = req.equal_range(http::field::authorization); it != end; ++it)
          in.authorization.push_back(text(it->value()));
        auto job = [this, &in] { return decide(in); };
        Answer a = co_await on_worker(job);
        const bool head = a.decision.head;
        if (a.status == 200 && a.decision.action == AccessAction::detail_file)
          co_await send_detail_file(s, a, req.version(), head);
        else
          co_await send(s, a, req.version(), head);
      }
      // Our close_notify, and the client's if it sends one soon; a client that just closes
      // has everything already.
      beast::get_lowest_layer(s).expires_after(std::chrono::seconds(2));
      co_await s.async_shutdown(asio::redirect_error(use_awaitable, ec));
    } catch (const std::exception&) {
      ++stats.dropped;  // TLS failure, timeout, disconnect: nothing more to say to it
    }
    --connections;
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      if (ec) {  // out of descriptors, most likely: let some connections finish first
        std::fprintf(stderr, "settlement-reports: accept: %s\n", ec.message().c_str());
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

ReportServer::ReportServer(std::string store, std::string tls_key, std::string tls_cert,
                           ReportServerSettings settings)
    : settings_(std::move(settings)),
      impl_(std::make_unique<Impl>(std::move(store), std::move(tls_key), std::move(tls_cert),
                                   settings_, stats_)) {}

ReportServer::~ReportServer() {
  stop();
}

void ReportServer::start() {
  Impl& m = *impl_;
  host::load_server_tls(m.tls, m.key_path, m.cert_path, "settlement-reports");
  m.store = host::open_store(m.store_spec);

  m.acceptor =
      host::listen_on(m.io, settings_.listen_ip, settings_.port, "settlement_reports_listen");
  port_ = m.acceptor->local_endpoint().port();
  asio::co_spawn(m.io, m.accept_loop(), asio::detached);
  m.io_thread = host::run_io_thread(m.io, "settlement-reports");
}

void ReportServer::stop() {
  if (!impl_ || !impl_->io_thread.joinable()) return;
  impl_->io.stop();
  impl_->io_thread.join();
  // What the worker still has posts to the stopped io context and is dropped with it.
  impl_->worker.join();
}

}  // namespace gm::settlement
