#include "host/async/https_listener.h"

#include <openssl/ssl.h>

#include <cstdio>
#include <stdexcept>

namespace gm::host {

namespace asio = boost::asio;
using asio::ip::tcp;

void load_server_tls(asio::ssl::context& tls, const std::string& key_path,
                     const std::string& cert_path, const std::string& service) {
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  if (SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error(service + ": cannot require TLS 1.2");
  try {
    tls.use_certificate_chain_file(cert_path);
  } catch (const std::exception& e) {
    throw std::runtime_error("tls_cert: cannot load '" + cert_path + "': " + e.what());
  }
  try {
    tls.use_private_key_file(key_path, asio::ssl::context::pem);
  } catch (const std::exception& e) {
    throw std::runtime_error("tls_key: cannot load '" + key_path + "': " + e.what());
  }
}

std::unique_ptr<tcp::acceptor> listen_on(asio::io_context& io, const std::string& ip_text,
                                         uint16_t port, const std::string& setting) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(ip_text, ec);
  if (ec) throw std::runtime_error(setting + ": '" + ip_text + "' is not an IP address");
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  const tcp::endpoint at(ip, port);
  acceptor->open(at.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(at, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(setting + ": cannot bind " + ip_text + ":" + std::to_string(port) +
                             ": " + ec.message());
  return acceptor;
}

std::thread run_io_thread(asio::io_context& io, const std::string& service) {
  return std::thread([&io, service] {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", service.c_str(), e.what());
      }
    }
  });
}

}  // namespace gm::host
