#include "host/census/census_server.h"

#include "host/billing/commit_rating.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "host/census/acker.h"
#include "host/census/commit_queue.h"
#include "host/census/committer.h"
#include "host/census/receiver.h"
#include "host/store/store.h"

namespace gm::host {

CensusServer::CensusServer(std::string store, const CredentialVault& vault,
                           CensusSettings settings)
    : store_spec_(std::move(store)), settings_(std::move(settings)),
      registry_(std::make_unique<LoginRegistry>(store_spec_, vault)) {}

CensusServer::~CensusServer() { stop(); }

void CensusServer::start() {
  sockaddr_in at{};
  at.sin_family = AF_INET;
  if (inet_pton(AF_INET, settings_.listen_ip.c_str(), &at.sin_addr) != 1)
    throw std::runtime_error("census_listen: '" + settings_.listen_ip +
                             "' is not an IPv4 address");
  at.sin_port = htons(settings_.port);

  // Steps 3-4 on the committer's own connection: it commits continuously, so SQLite copies
  // its log back from a thread of its own (store.h).
  committer_store_ =
      open_store(store_spec_, {.busy_writer = true, .roaming = settings_.settlement});
  // The hand-over from step 2 to step 3, bounded.
  queue_ = std::make_unique<CommitQueue>(settings_.max_queued_records, stats_.queued_records);
  // Step 5: sealing and sending.
  acker_ = std::make_unique<Acker>(stats_);
  committer_ = std::make_unique<Committer>(
      *committer_store_, *committer_store_, *registry_, *queue_, *acker_, stats_,
      std::chrono::milliseconds(settings_.command_poll_ms),
      std::chrono::milliseconds(settings_.command_resend_ms));
  if (settings_.rating) {
    // Billing rates inside each commit (host/store/commit_rater.h) from a copy of the catalog
    // the committer refreshes between commits, on its own connection.
    catalog_ = std::make_unique<billing::CatalogCache>();
    rater_ = std::make_unique<billing::CatalogRater>(*catalog_);
    catalog_->refresh(*committer_store_);
    committer_->rate_with(*rater_, [this] { catalog_->refresh(*committer_store_); });
  }
  // Steps 1-2: a socket and an io thread each, all on one port.
  const unsigned threads = settings_.threads != 0
                               ? settings_.threads
                               : std::max(1u, std::thread::hardware_concurrency());
  LoginLookup find_login = [&registry = *registry_](uint64_t id) { return registry.find(id); };
  for (unsigned i = 0; i < threads; ++i) {
    receivers_.push_back(std::make_unique<Receiver>(at, settings_.receive_buffer_bytes,
                                                    find_login, *queue_, stats_));
    at.sin_port = htons(receivers_.front()->port());  // port 0: the others join the first's
  }
  port_ = receivers_.front()->port();

  // From the end of the line to its start, so that whatever is received can go all the way.
  acker_->start();
  committer_->start();
  for (auto& r : receivers_) r->start();
}

// In reverse: nothing more is received, what was verified is committed, its acks are sent.
void CensusServer::stop() {
  for (auto& r : receivers_) r->stop();
  if (queue_) queue_->close();
  if (committer_) committer_->join();  // its last acks are with the acker by now
  if (acker_) acker_->stop();
  receivers_.clear();  // their sockets close after the last acks left by them
  committer_.reset();
  rater_.reset();
  catalog_.reset();
  acker_.reset();
  queue_.reset();
  committer_store_.reset();
}

}  // namespace gm::host
