// bench_web's console clients: one operator login over HTTPS, then N pages following one live
// view by Server-Sent Events as an EventSource does (GET with Accept: text/event-stream and the
// session cookie, then `event: view` / `data: {...}` blocks until the connection ends), all
// from a few io threads of this process (Boost.Asio coroutines over Beast's ssl_stream, one
// io_context per thread). No browser and no DOM: what is timed is the server's delivery plus
// this process's TLS reads. Each client keeps, per event, when it arrived and the charged_s of
// the sessions the bench watches, found by their exact JSON prefix (console_views.h prints
// every session as {"agent":..,"session_id":"N",...,"charged_s":..}).
//
// The server's certificate is self-signed and the bench only talks to 127.0.0.1, so it is not
// verified.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gm::bench {

// POST /api/login (role=operator); the Cookie header's value ("gm_console=...") or nullopt
// with `error` set.
std::optional<std::string> console_login(uint16_t port, const std::string& name,
                                         const std::string& password, std::string& error);

inline constexpr size_t max_watched = 8;

struct SseEvent {
  std::chrono::steady_clock::time_point at;  // when its last byte was read and decrypted
  std::array<int64_t, max_watched> charged;  // per watched session; -1: not on the page
};

class SseFleet {
 public:
  // target: e.g. "/api/live?view=sessions&limit=100"; cookie: console_login's; watched: the
  // JSON prefixes of the sessions to follow, at most max_watched, in page order.
  SseFleet(uint16_t port, std::string cookie, std::string target, std::vector<std::string> watched,
           unsigned threads);
  ~SseFleet();
  SseFleet(const SseFleet&) = delete;
  SseFleet& operator=(const SseFleet&) = delete;

  // Opens n streams, at most `parallel` connecting at once, with a progress line every 100;
  // returns how many answered 200 and started streaming by the deadline.
  size_t open(size_t n, size_t parallel, std::chrono::steady_clock::time_point deadline);
  size_t streaming() const;  // streams open now
  uint64_t events() const { return events_; }
  uint64_t bytes() const { return bytes_; }
  double cpu_seconds() const;  // the io threads' user + system time
  // Ends every stream and joins the threads; returns how many were still streaming.
  size_t stop();

  struct Client {
    std::vector<SseEvent> events;
    std::atomic<int> state{0};                    // 0 connecting, 1 streaming, 2 ended
    std::chrono::steady_clock::time_point ended;  // when state became 2
    std::string error;
  };
  // After stop(): every client's events.
  const std::vector<std::unique_ptr<Client>>& clients() const { return clients_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::atomic<uint64_t> events_{0}, bytes_{0};
  std::atomic<size_t> started_{0}, failed_{0};
  bool stopped_ = false;
  size_t at_stop_ = 0;
};

}  // namespace gm::bench
