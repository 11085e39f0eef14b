// The hand-over from the receive threads (steps 1-2) to the committer (steps 3-4), bounded by
// the number of verified records waiting. A receive thread never waits here: when the queue
// is full it keeps its batch, stops reading its socket (the kernel's buffer holds or drops;
// agents resend what is not acknowledged) and is called back once the committer has taken
// what was queued.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "host/census/verified_batch.h"

namespace gm::host {

class CommitQueue {
 public:
  // depth: the gauge of records waiting (CensusStats::queued_records).
  CommitQueue(size_t max_records, std::atomic<uint64_t>& depth);

  // Moves staged to the end of the queue, its datagram indexes moved up past those already
  // queued, if its records fit (or nothing is queued: a batch larger than the bound still
  // goes, alone), and returns true. Otherwise leaves staged as it is, keeps a copy of `wake`,
  // and returns false: wake is called once, from the committer's thread, after it has taken
  // the queue; it must not block.
  bool push(VerifiedBatch& staged, const std::function<void()>& wake);

  // Waits up to `wait` for work or close(), then swaps what is queued into `out` (empty on
  // entry) and wakes the receive threads that found the queue full. Returns true once closed:
  // `out` then holds the last of it.
  bool take(VerifiedBatch& out, std::chrono::milliseconds wait);

  // No more pushes will come (the receive threads have stopped); the committer's next take
  // returns at once. Forgets the waiting receive threads without calling them.
  void close();

 private:
  const size_t max_records_;
  std::atomic<uint64_t>& depth_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  VerifiedBatch queued_;
  std::vector<std::function<void()>> waiting_;
  bool closed_ = false;
};

}  // namespace gm::host
