// The settlement-reports service (SETTLEMENT.md "Access"): each member provider downloads its
// own closed reports and detail files over HTTPS, behind its own password. What may be served
// to whom is report_access.h's decision; this is its transport.
//
// One request per connection, top to bottom (serve()):
//   1. accept    at most max_connections at once; one more is closed at once
//   2. handshake TLS 1.2 or later, with the server's key and certificate (tls_key, tls_cert:
//                the login service's, made at first run if absent)
//   3. read      one request: its header at most 8 KiB, no body, all within
//                request_timeout_s of the accept, so a slow client holds a slot that long at
//                most
//   4. decide    on the worker thread: the decision over the store (the provider's password
//                hash, the closed periods, what each close kept), the password check (Argon2id,
//                tens of milliseconds) and the throttle (report_throttle.h: 5 failed logins in
//                60 s of a provider or of a client address lock it for 60 s, 429)
//   5. build     on the worker: a report from the close's stored totals, checked against the
//                checksum the close kept (closed_table); a detail file a page at a time
//                (detail_pages.h): hashed whole first and checked against its checksum before
//                its first byte is sent, then made again and sent page by page, each page a
//                task of its own, so other requests are decided between pages and a
//                connection holds one page of memory whatever the file's size
//   6. answer    from the io thread: status, Content-Type, Content-Length,
//                Cache-Control: no-store (reports are money: no cache keeps a copy),
//                Content-Disposition: attachment for the files, WWW-Authenticate with a 401,
//                Retry-After with a 429; each write within send_timeout_s; then close
//
// Threads: one io thread owns every socket and never waits on the store or a hash; one worker
// thread owns the store connection (the server's own, opened at start) and the throttles, so
// requests are decided one at a time and the throttle needs no lock. Members are few and
// download rarely; a guesser is held by the throttle before it costs a hash.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace gm::settlement {

struct ReportServerSettings {
  std::string listen_ip = "127.0.0.1";  // settlement_reports_listen
  uint16_t port = 7300;                 // 0: any free port (tests)
  uint32_t request_timeout_s = 10;      // handshake and request
  uint32_t send_timeout_s = 60;         // each write of the answer (a page of a detail file)
  uint32_t max_connections = 64;
};

struct ReportServerStats {
  static constexpr std::array<int, 8> statuses = {200, 400, 401, 403, 404, 405, 429, 500};
  std::array<std::atomic<uint64_t>, statuses.size()> answered{};  // by status, as statuses
  std::atomic<uint64_t> bytes_sent{0};  // bodies (reports, files, listings)
  std::atomic<uint64_t> lockouts{0};    // keys the throttle locked (a provider, an address)
  std::atomic<uint64_t> dropped{0};     // connections closed unanswered (limit, TLS, timeout)
  void count(int status);
};

class ReportServer {
 public:
  // store: the spec open_store() opens (the server's own connection, used by its worker).
  ReportServer(std::string store, std::string tls_key, std::string tls_cert,
               ReportServerSettings settings);
  ~ReportServer();
  ReportServer(const ReportServer&) = delete;
  ReportServer& operator=(const ReportServer&) = delete;

  // Opens the store, loads the key and certificate, binds and starts serving; throws
  // std::runtime_error naming the setting, file or address at fault.
  void start();
  void stop();
  uint16_t port() const { return port_; }
  const ReportServerSettings& settings() const { return settings_; }
  const ReportServerStats& stats() const { return stats_; }

 private:
  struct Impl;
  ReportServerSettings settings_;
  ReportServerStats stats_;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace gm::settlement
