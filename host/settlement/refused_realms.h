// The realms of the providers the settlement operator refuses service (disbursement.h, the
// guaranteed policy: a provider over its credit line), which the RADIUS server's Access-Request
// path and billing's authorisations reject; read from the store's exposure
// (SettlementLedger::refused_realms, stored by every settlectl receipt, payment, credit line and
// close) every refresh_s on a thread of its own, so the Access-Request path asks a set in
// memory, never the database. A refresh that fails keeps the last set (and says so once): a
// database outage neither refuses every provider nor lets a refused one back in.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace gm::host {

class Store;

class RefusedRealms {
 public:
  RefusedRealms(std::string store_spec, uint32_t refresh_s);
  ~RefusedRealms();
  RefusedRealms(const RefusedRealms&) = delete;
  RefusedRealms& operator=(const RefusedRealms&) = delete;

  // Reads the set once (a store that cannot be read fails the start), then keeps it fresh.
  void start();
  void stop();
  bool contains(const std::string& realm) const;
  uint64_t refreshes() const { return refreshes_.load(); }

 private:
  void refresh();

  std::string store_spec_;
  uint32_t refresh_s_;
  std::unique_ptr<Store> store_;  // the refresher's own connection, opened again after a failure
  mutable std::mutex mutex_;
  std::shared_ptr<const std::set<std::string>> realms_ = std::make_shared<std::set<std::string>>();
  std::condition_variable wake_;
  bool stopping_ = false;
  bool failing_ = false;
  std::atomic<uint64_t> refreshes_{0};
  std::thread thread_;
};

}  // namespace gm::host
