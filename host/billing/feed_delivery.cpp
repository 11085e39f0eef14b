#include "host/billing/feed_delivery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "host/billing/feed_file.h"
#include "host/billing/feed_lease.h"
#include "host/billing/feed_webhook.h"
#include "host/billing/retry_backoff.h"
#include "host/store/store.h"

namespace gm::billing {

using host::FeedSink;

namespace {

constexpr size_t file_batch = 500;     // FeedFile's recovery reads a tail that covers this
constexpr size_t webhook_batch = 100;  // feed_webhook.h

int64_t now_unix() {
  return static_cast<int64_t>(std::time(nullptr));
}

const char* sink_label(FeedSink sink) {
  return sink == FeedSink::file ? "feed file" : "feed webhook";
}

}  // namespace

struct FeedDelivery::Impl {
  std::string store_spec;
  FeedSettings settings;
  host::FeedStats& stats;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::vector<std::thread> lanes;

  Impl(std::string spec, FeedSettings s, host::FeedStats& st)
      : store_spec(std::move(spec)), settings(std::move(s)), stats(st) {}

  // False when stop() was called during the wait.
  bool pause(bool more) {
    std::unique_lock lock(mutex);
    if (!more) wake.wait_for(lock, std::chrono::milliseconds(settings.round_ms), [&] { return stopping; });
    return !stopping;
  }

  // Step 1: whether this node delivers `sink` this round; `held` is the lease as written.
  bool hold_lease(host::FeedOutbox& outbox, FeedSink sink, host::FeedLease& held, bool& was) {
    const host::FeedLease stored = outbox.lease(sink);
    const int64_t now = now_unix();
    const bool gone = stored.holder != settings.node && holder_gone_here(stored.holder);
    const LeaseDecision d = decide_lease(stored, settings.node, now, settings.lease_s, gone);
    bool holding = d.step == LeaseStep::keep;
    if (d.step == LeaseStep::renew || d.step == LeaseStep::take)
      holding = outbox.swap_lease(sink, stored, d.next);  // false: another node was first
    held = holding ? d.next : host::FeedLease{};
    if (holding != was)
      std::fprintf(stderr, "billing: %s: %s\n", sink_label(sink),
                   holding ? ("delivered by this node (" + settings.node + ")").c_str()
                           : ("delivered by " + outbox.lease(sink).holder + ", not this node").c_str());
    was = holding;
    return holding;
  }

  void run_lane(FeedSink sink) {
    std::unique_ptr<host::Store> store;
    std::unique_ptr<FeedFile> file;
    std::unique_ptr<FeedWebhook> hook;
    RetryBackoff backoff;
    host::FeedLease held;
    bool holding = false, more = true;  // the first round at once: a restart resumes
    std::string last_error;
    std::atomic<int64_t>& backlog =
        sink == FeedSink::file ? stats.backlog_file : stats.backlog_webhook;
    while (pause(more)) {
      more = false;
      try {
        if (!store) {
          store = host::open_store(store_spec);
          hook.reset();
        }
        host::FeedOutbox& outbox = store->feed();
        // 1. The lease: one node delivers each destination.
        if (!hold_lease(outbox, sink, held, holding)) {
          file.reset();  // the holder may append to the same file: reopen (recover) when back
        } else if (sink == FeedSink::file) {
          // 2. The file: opening it marks a batch a crash left written but unmarked.
          if (!file) file = std::make_unique<FeedFile>(settings.file, outbox);
          const size_t n = file->write_pending(now_unix(), file_batch);
          stats.written += n;
          more = n == file_batch;
        } else if (backoff.due(RetryBackoff::Clock::now())) {
          // 2. The webhook: one batch, marked only when acknowledged.
          if (!hook)
            hook = std::make_unique<FeedWebhook>(
                settings.webhook, outbox, [this](const std::string& url, const std::string& body) {
                  return post_json(url, body, std::chrono::milliseconds(settings.webhook_timeout_ms));
                });
          const FeedWebhook::Outcome o = hook->post_pending(now_unix(), webhook_batch);
          if (o.failed) {
            ++stats.post_failures;
            if (backoff.delay().count() == 0)  // the first of a run of failures
              std::fprintf(stderr, "billing: feed webhook %s: no acknowledgement: %s (retrying)\n",
                           settings.webhook.c_str(), o.why.c_str());
            backoff.failed(RetryBackoff::Clock::now());
          } else {
            if (backoff.delay().count() != 0)
              std::fprintf(stderr, "billing: feed webhook %s: acknowledged again\n",
                           settings.webhook.c_str());
            backoff.succeeded();
            stats.posted += o.posted;
            more = o.posted == webhook_batch;
          }
        }
        // 3. The backlog, whichever node delivers it.
        backlog = outbox.backlog(sink);
        last_error.clear();
      } catch (const std::exception& e) {
        // The connection and the file are opened again next round; reopening the file marks
        // what this round may have written before it failed.
        if (e.what() != last_error)
          std::fprintf(stderr, "billing: %s: %s (again in %u ms)\n", sink_label(sink), e.what(),
                       settings.round_ms);
        last_error = e.what();
        file.reset();
        hook.reset();
        store.reset();
        holding = false;
        held = {};
      }
    }
    // Given back, so that another node need not wait for it to expire.
    if (store && !held.holder.empty()) {
      try {
        store->feed().swap_lease(sink, held, {"", now_unix()});  // when: see prune()
      } catch (const std::exception&) {
        // It expires by itself.
      }
    }
  }

  // Step 4, whatever the destinations. Several nodes may prune at once: a row is deleted once.
  void run_pruner() {
    constexpr size_t batch = 10'000;
    std::unique_ptr<host::Store> store;
    std::string last_error;
    bool more = false;
    while (true) {
      {
        std::unique_lock lock(mutex);
        const auto wait = more ? std::chrono::milliseconds(100)
                               : std::chrono::milliseconds(1000ll * settings.prune_every_s);
        wake.wait_for(lock, wait, [&] { return stopping; });
        if (stopping) return;
      }
      try {
        if (!store) store = host::open_store(store_spec);
        const int64_t now = now_unix();
        const int64_t before = now - static_cast<int64_t>(settings.retention_s);
        const int64_t n = store->feed().prune(before, before, batch);
        stats.pruned += static_cast<uint64_t>(n);
        more = n == static_cast<int64_t>(batch);  // a backlog: the next batch at once
        last_error.clear();
      } catch (const std::exception& e) {
        if (e.what() != last_error)
          std::fprintf(stderr, "billing: feed retention: %s (again in %u s)\n", e.what(),
                       settings.prune_every_s);
        last_error = e.what();
        store.reset();
        more = false;
      }
    }
  }
};

FeedDelivery::FeedDelivery(std::string store, FeedSettings settings, host::FeedStats& stats)
    : impl_(std::make_unique<Impl>(std::move(store), std::move(settings), stats)) {
  if (impl_->settings.node.empty()) impl_->settings.node = this_node();
}

FeedDelivery::~FeedDelivery() {
  stop();
}

void FeedDelivery::start() {
  Impl& m = *impl_;
  if (!m.settings.file.empty()) {
    // Refused now, not in a log line every round: a folder that is missing, a file not ours.
    const int fd = ::open(m.settings.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
      throw std::runtime_error("feed_file: cannot open " + m.settings.file + " for appending: " +
                               std::strerror(errno));
    ::close(fd);
    m.lanes.emplace_back([&m] { m.run_lane(FeedSink::file); });
  }
  if (!m.settings.webhook.empty()) m.lanes.emplace_back([&m] { m.run_lane(FeedSink::webhook); });
  if (m.settings.retention_s != 0) m.lanes.emplace_back([&m] { m.run_pruner(); });
}

void FeedDelivery::stop() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.mutex);
    m.stopping = true;
  }
  m.wake.notify_all();
  for (std::thread& t : m.lanes) t.join();
  m.lanes.clear();
}

}  // namespace gm::billing
