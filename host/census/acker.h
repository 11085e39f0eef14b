// Step 5's sending half: seals committed acks with their login session's tag key and sends
// them, up to 64 per sendmmsg, on a thread of its own, so the committer applies the next
// batch meanwhile.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gatemeter.pb.h"
#include "host/census/census_stats.h"
#include "host/census/verified_batch.h"

namespace gm::host {

// An ack whose records are committed: everything but the seal.
struct AckJob {
  ReplyPath reply;
  std::shared_ptr<LoginEntry> login;
  gatemeter_Ack ack = gatemeter_Ack_init_zero;
};

class Acker {
 public:
  explicit Acker(CensusStats& stats);
  ~Acker();
  Acker(const Acker&) = delete;
  Acker& operator=(const Acker&) = delete;

  void start();
  // Queues acks to seal and send. Only acks of committed datagrams may come here.
  void send(std::vector<AckJob>&& jobs);
  // Sends what is queued, then ends the thread.
  void stop();

 private:
  void run();

  CensusStats& stats_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<AckJob> queued_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gm::host
