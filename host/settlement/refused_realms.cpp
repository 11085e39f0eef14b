#include "host/settlement/refused_realms.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "host/store/store.h"

namespace gm::host {

RefusedRealms::RefusedRealms(std::string store_spec, uint32_t refresh_s)
    : store_spec_(std::move(store_spec)), refresh_s_(refresh_s ? refresh_s : 1) {}

RefusedRealms::~RefusedRealms() { stop(); }

void RefusedRealms::refresh() {
  std::vector<std::string> realms;
  try {
    if (!store_) store_ = open_store(store_spec_);
    realms = store_->settlement().refused_realms();
  } catch (...) {
    store_.reset();
    throw;
  }
  auto next = std::make_shared<const std::set<std::string>>(realms.begin(), realms.end());
  std::lock_guard lock(mutex_);
  realms_ = std::move(next);
  ++refreshes_;
}

void RefusedRealms::start() {
  refresh();
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(refresh_s_), [&] { return stopping_; })) {
      lock.unlock();
      try {
        refresh();
        if (failing_) std::fprintf(stderr, "radius: refused realms read again\n");
        failing_ = false;
      } catch (const std::exception& e) {
        if (!failing_)
          std::fprintf(stderr, "radius: refused realms not read, the last set kept: %s\n",
                       e.what());
        failing_ = true;
      }
      lock.lock();
    }
  });
}

void RefusedRealms::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RefusedRealms::contains(const std::string& realm) const {
  std::shared_ptr<const std::set<std::string>> now;
  {
    std::lock_guard lock(mutex_);
    now = realms_;
  }
  return now->count(realm) != 0;
}

}  // namespace gm::host
