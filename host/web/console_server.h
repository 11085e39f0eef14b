// The web console (WEB.md): operators, providers and subscribers over HTTPS, live by
// Server-Sent Events. What may be answered to whom is console_routes.h's decision; this is its
// transport, as report_server.h is for the settlement reports.
//
// A connection, top to bottom (serve()):
//   1. accept     at most max_connections at once (an event stream holds one for as long as
//                 its page is open); one more is closed at once
//   2. handshake  TLS 1.2 or later, the server's key and certificate (tls_key, tls_cert)
//   3. read       a request: header at most 8 KiB, a body at most 4 KiB (a form), within
//                 request_timeout_s; the next one on a kept-alive connection within idle_s
//   4. decide     on the worker thread, which owns the store connection, the sessions and the
//                 login throttles: requests are decided one at a time, a password check
//                 (Argon2id, tens of milliseconds) included, so the io thread never waits
//   5. answer     from the io thread, each write within send_timeout_s, with the headers every
//                 answer carries (no-store for data, a Content-Security-Policy that allows only
//                 this server's own files, nosniff, HSTS), then 3 again
//   6. follow     GET /api/live turns the connection into an event stream of its view: every
//                 look_ms it looks at the live board (live_board.h) and sends the view when its
//                 version moved, a comment every 15 s so proxies keep it, and it ends when the
//                 client goes or its session does (checked every 5 s)
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace gm::web {

struct ConsoleSettings {
  std::string listen_ip = "127.0.0.1";  // web_listen
  uint16_t port = 7400;                 // 0: any free port (tests)
  std::string operators_file;           // web_operators: <state_dir>/web-operators
  uint32_t request_timeout_s = 10;
  uint32_t idle_s = 60;
  uint32_t send_timeout_s = 30;
  uint32_t max_connections = 4096;
  uint32_t tick_ms = 250;  // web_live_tick_ms: how often the live board reads its views
  uint32_t look_ms = 100;  // how often an event stream looks at the board
};

struct ConsoleStats {
  std::atomic<uint64_t> requests{0}, refused{0}, streams{0}, events{0}, dropped{0};
  std::atomic<uint64_t> open_streams{0};
};

class LiveBoard;

class ConsoleServer {
 public:
  ConsoleServer(std::string store, std::string tls_key, std::string tls_cert,
                ConsoleSettings settings);
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Opens the store, loads the key and certificate, binds and serves; throws
  // std::runtime_error naming the setting, file or address at fault.
  void start();
  void stop();
  uint16_t port() const { return port_; }
  const ConsoleSettings& settings() const { return settings_; }
  const ConsoleStats& stats() const { return stats_; }
  const LiveBoard& board() const;

 private:
  struct Impl;
  ConsoleSettings settings_;
  ConsoleStats stats_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace gm::web
