// What the HTTPS services (the settlement-reports service, the web console) do alike before
// their first request: the server's TLS context (TLS 1.2 or later, the key and certificate
// files, errors naming the setting and file), the listening socket (errors naming the listen
// setting and address), and the io thread that survives a handler's exception.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace gm::host {

// service: what errors start with ("web"). Throws std::runtime_error.
void load_server_tls(boost::asio::ssl::context& tls, const std::string& key_path,
                     const std::string& cert_path, const std::string& service);

// setting: the listen setting errors name ("web_listen"). Port 0: any free one.
std::unique_ptr<boost::asio::ip::tcp::acceptor> listen_on(boost::asio::io_context& io,
                                                          const std::string& ip, uint16_t port,
                                                          const std::string& setting);

// Runs io until it is stopped; an exception out of a handler is printed ("service: what")
// and the loop goes on.
std::thread run_io_thread(boost::asio::io_context& io, const std::string& service);

}  // namespace gm::host
