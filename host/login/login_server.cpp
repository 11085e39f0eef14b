#include "host/login/login_server.h"

#include <pb_decode.h>
#include <pb_encode.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "host/login/login_billing.h"
#include "host/login/login_grant.h"
#include "host/store/store.h"

namespace gm::host {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;

struct LoginServer::Impl {
  std::string store_spec;
  CredentialVault vault;
  TlsIdentity tls;
  LoginSettings settings;
  LoginStats& stats;

  asio::io_context io{1};
  asio::ssl::context ssl{asio::ssl::context::tls_server};
  std::unique_ptr<Store> store;  // used only on the io thread
  std::unique_ptr<tcp::acceptor> acceptor;
  std::thread thread;
  uint32_t connections = 0;

  Impl(std::string path, CredentialVault v, TlsIdentity t, LoginSettings s, LoginStats& st)
      : store_spec(std::move(path)), vault(v), tls(std::move(t)), settings(std::move(s)),
        stats(st) {}

  void count(const char* outcome) {
    const std::string o = outcome;
    if (o == "ok") ++stats.ok;
    else if (o == "bad_credential") ++stats.bad_credential;
    else if (o == "unknown_agent") ++stats.unknown_agent;
    else if (o == "disabled") ++stats.disabled;
    else ++stats.malformed;
    if (o == "ok") return;
    // Refusals are counted in the store beside the census's, so one report shows them all.
    try {
      store->apply({}, {{"login_" + o, 1}}, std::time(nullptr));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "login: cannot count refusal: %s\n", e.what());
    }
  }

  awaitable<void> write_message(TlsStream& s, const pb_msgdesc_t* fields, const void* msg) {
    uint8_t buf[2 + gatemeter_LoginResponse_size];
    pb_ostream_t out = pb_ostream_from_buffer(buf + 2, sizeof buf - 2);
    if (!pb_encode(&out, fields, msg)) throw std::runtime_error("login message does not encode");
    buf[0] = static_cast<uint8_t>(out.bytes_written >> 8);
    buf[1] = static_cast<uint8_t>(out.bytes_written);
    co_await asio::async_write(s, asio::buffer(buf, 2 + out.bytes_written), use_awaitable);
  }

  // One login, top to bottom. The deadline closes the socket, which fails whatever await is
  // pending, so a silent or slow client holds a connection slot for at most timeout_s.
  awaitable<void> serve(std::shared_ptr<TlsStream> s) {
    asio::steady_timer deadline(io);
    deadline.expires_after(std::chrono::seconds(settings.timeout_s));
    deadline.async_wait([weak = std::weak_ptr<TlsStream>(s)](boost::system::error_code ec) {
      if (auto live = weak.lock(); live && !ec) live->lowest_layer().close(ec);
    });
    try {
      co_await s->async_handshake(asio::ssl::stream_base::server, use_awaitable);

      gatemeter_LoginChallenge challenge = gatemeter_LoginChallenge_init_zero;
      random_bytes(challenge.server_nonce, sizeof challenge.server_nonce);
      co_await write_message(*s, gatemeter_LoginChallenge_fields, &challenge);

      uint8_t len[2];
      co_await asio::async_read(*s, asio::buffer(len), use_awaitable);
      const size_t n = static_cast<size_t>(len[0]) << 8 | len[1];
      gatemeter_LoginRequest request = gatemeter_LoginRequest_init_zero;
      bool decoded = false;
      if (n <= gatemeter_LoginRequest_size) {
        uint8_t body[gatemeter_LoginRequest_size];
        co_await asio::async_read(*s, asio::buffer(body, n), use_awaitable);
        pb_istream_t in = pb_istream_from_buffer(body, n);
        decoded = pb_decode(&in, gatemeter_LoginRequest_fields, &request);
      }

      LoginOutcome o;
      if (decoded) {
        o = grant_login(*store, *store, vault, settings, challenge.server_nonce, request,
                        std::time(nullptr));
        if (std::string(o.outcome) == "ok")
          add_billing_terms(o.response, store->catalog(), settings, request.agent_id);
      } else {
        o.response.status = gatemeter_LoginStatus_LOGIN_MALFORMED;
      }
      count(o.outcome);
      if (std::string(o.outcome) == "ok") {
        if (o.sessions_closed > 0)
          std::fprintf(stderr, "login: %s logged in again; closed %zu open sessions (agent restart)\n",
                       request.agent_id, o.sessions_closed);
      }
      co_await write_message(*s, gatemeter_LoginResponse_fields, &o.response);
      // Wait for the agent to close first, so our close cannot reset the connection before
      // it has read the response.
      boost::system::error_code ignored;
      co_await s->async_shutdown(asio::redirect_error(use_awaitable, ignored));
    } catch (const StoreError& e) {
      ++stats.failed;
      std::fprintf(stderr, "login: store failed, no answer given: %s\n", e.what());
    } catch (const std::exception&) {
      ++stats.failed;  // TLS failure, disconnect or timeout: the agent retries
    }
    deadline.cancel();
    --connections;
  }

  awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket sock = co_await acceptor->async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {  // out of descriptors, most likely: let some connections finish first
        std::fprintf(stderr, "login: accept: %s\n", ec.message().c_str());
        asio::steady_timer pause(io, std::chrono::milliseconds(100));
        co_await pause.async_wait(use_awaitable);
        continue;
      }
      if (connections >= settings.max_connections) continue;  // closed as sock goes
      ++connections;
      asio::co_spawn(io, serve(std::make_shared<TlsStream>(std::move(sock), ssl)), asio::detached);
    }
  }
};

LoginServer::LoginServer(std::string store, CredentialVault vault, TlsIdentity tls,
                         LoginSettings settings)
    : impl_(std::make_unique<Impl>(std::move(store), vault, std::move(tls), std::move(settings),
                                   stats_)) {}

LoginServer::~LoginServer() { stop(); }

void LoginServer::start() {
  Impl& m = *impl_;
  m.ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
  m.ssl.use_certificate_chain_file(m.tls.cert_path);
  m.ssl.use_private_key_file(m.tls.key_path, asio::ssl::context::pem);
  m.store = open_store(m.store_spec, {.roaming = m.settings.settlement});

  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(m.settings.listen_ip, ec);
  if (ec) throw std::runtime_error("login_listen: '" + m.settings.listen_ip + "' is not an IP address");
  m.acceptor = std::make_unique<tcp::acceptor>(m.io);
  const tcp::endpoint ep(ip, m.settings.port);
  m.acceptor->open(ep.protocol());
  m.acceptor->set_option(tcp::acceptor::reuse_address(true));
  m.acceptor->bind(ep, ec);
  if (ec)
    throw std::runtime_error("login_listen: cannot bind " + m.settings.listen_ip + ":" +
                             std::to_string(m.settings.port) + ": " + ec.message());
  m.acceptor->listen();
  bound_port_ = m.acceptor->local_endpoint().port();
  asio::co_spawn(m.io, m.accept_loop(), asio::detached);
  m.thread = std::thread([&m] {
    for (;;) {
      try {
        m.io.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "login: %s\n", e.what());
      }
    }
  });
}

void LoginServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace gm::host
