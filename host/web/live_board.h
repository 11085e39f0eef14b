// The console's live views (WEB.md "Live"): what each open page follows, read from the store
// on a thread of its own every tick and kept with a version that rises when the text changes.
// Each event stream (console_server.h) looks at its view's version and sends the text when it
// moved, so a commit reaches every page that shows it within a tick and a look, however many
// pages follow the same view, at the cost of one read per view per tick.
//
// Why the store and not the census: the census may run on other nodes (one shared
// PostgreSQL), and the console shows what is committed, nothing earlier.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace gm::web {

struct LiveStats {
  std::atomic<uint64_t> ticks{0}, reads{0}, changes{0}, failures{0};
  std::atomic<uint64_t> last_tick_us{0};  // how long the last tick's reads took
};

class LiveBoard {
 public:
  // store: the spec open_store() opens (the board's own connection, opened at start).
  explicit LiveBoard(std::string store,
                     std::chrono::milliseconds tick = std::chrono::milliseconds(250));
  ~LiveBoard();
  LiveBoard(const LiveBoard&) = delete;
  LiveBoard& operator=(const LiveBoard&) = delete;

  void start();  // throws StoreError
  void stop();

  // A stream starts or stops following a topic (live_topic keys, console_routes.h); any thread.
  // The first watcher has the topic read at the next tick.
  void watch(const std::string& topic);
  void unwatch(const std::string& topic);

  struct View {
    uint64_t version = 0;  // 0: not read yet
    std::shared_ptr<const std::string> text;
  };
  View latest(const std::string& topic) const;

  const LiveStats& stats() const { return stats_; }
  std::chrono::milliseconds tick() const { return tick_; }

 private:
  struct Topic {
    size_t watchers = 0;
    bool attempted = false;  // read (or failed to be) at least once
    View view;
  };
  void run();

  std::string store_spec_;
  std::chrono::milliseconds tick_;
  LiveStats stats_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Topic> topics_;
  bool stopping_ = false;
  struct Reader;
  std::unique_ptr<Reader> reader_;
  std::thread thread_;
};

}  // namespace gm::web
