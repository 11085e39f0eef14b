#include "host/web/live_board.h"

#include <cstdio>
#include <ctime>
#include <vector>

#include "host/billing/session_api.h"
#include "host/store/store.h"
#include "host/web/console_views.h"

namespace gm::web {

struct LiveBoard::Reader {
  std::unique_ptr<host::Store> store;

  // A topic's text now; "" for a topic no longer meaningful (an unknown subscriber).
  std::string read(const std::string& topic, int64_t now) {
    if (topic == "gateways") return gateways_json(*store);
    if (topic == "accounts") return accounts_json(*store);
    constexpr std::string_view subscriber = "subscriber|", sessions = "sessions|";
    if (topic.rfind(subscriber, 0) == 0)
      return subscriber_json(*store, topic.substr(subscriber.size()), now).value_or("{}");
    if (topic.rfind(sessions, 0) == 0) {
      // "sessions|AFTER|LIMIT", checked by the route that made it.
      const std::string rest = topic.substr(sessions.size());
      const size_t bar = rest.rfind('|');
      const std::string after = rest.substr(0, bar);
      const size_t limit = std::stoul(rest.substr(bar + 1));
      return sessions_json(*store, after.empty() ? std::nullopt : billing::parse_session_key(after),
                           limit, now);
    }
    return "{}";
  }
};

LiveBoard::LiveBoard(std::string store, std::chrono::milliseconds tick)
    : store_spec_(std::move(store)), tick_(tick), reader_(std::make_unique<Reader>()) {}

LiveBoard::~LiveBoard() {
  stop();
}

void LiveBoard::start() {
  reader_->store = host::open_store(store_spec_);
  thread_ = std::thread([this] { run(); });
}

void LiveBoard::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveBoard::watch(const std::string& topic) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = topics_[topic].watchers++ == 0;
  }
  if (first) wake_.notify_all();
}

void LiveBoard::unwatch(const std::string& topic) {
  std::lock_guard lock(mutex_);
  const auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  // Forgotten with its last watcher: a page that comes back reads it again.
  if (--it->second.watchers == 0) topics_.erase(it);
}

LiveBoard::View LiveBoard::latest(const std::string& topic) const {
  std::lock_guard lock(mutex_);
  const auto it = topics_.find(topic);
  return it == topics_.end() ? View{} : it->second.view;
}

void LiveBoard::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<std::string> watched;
    for (const auto& [topic, t] : topics_) watched.push_back(topic);
    lock.unlock();
    const auto began = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, std::string>> read;
    const int64_t now = std::time(nullptr);
    for (const std::string& topic : watched) {
      try {
        read.emplace_back(topic, reader_->read(topic, now));
        ++stats_.reads;
      } catch (const std::exception& e) {  // the store failed: the pages keep the last view
        ++stats_.failures;
        std::fprintf(stderr, "web: live view %s: %s\n", topic.c_str(), e.what());
      }
    }
    stats_.last_tick_us =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - began)
                                  .count());
    ++stats_.ticks;
    lock.lock();
    for (const std::string& topic : watched)
      if (const auto it = topics_.find(topic); it != topics_.end()) it->second.attempted = true;
    for (auto& [topic, text] : read) {
      const auto it = topics_.find(topic);
      if (it == topics_.end()) continue;  // unwatched meanwhile
      View& v = it->second.view;
      if (v.text && *v.text == text) continue;
      v.text = std::make_shared<const std::string>(std::move(text));
      ++v.version;
      ++stats_.changes;
    }
    // A topic watched for the first time is read at once; else the next tick.
    wake_.wait_for(lock, tick_, [&] {
      if (stopping_) return true;
      for (const auto& [topic, t] : topics_)
        if (!t.attempted) return true;
      return false;
    });
  }
}

}  // namespace gm::web
