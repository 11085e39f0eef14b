#include "host/census/commit_queue.h"

#include <iterator>

namespace gm::host {

CommitQueue::CommitQueue(size_t max_records, std::atomic<uint64_t>& depth)
    : max_records_(max_records), depth_(depth) {}

bool CommitQueue::push(VerifiedBatch& staged, const std::function<void()>& wake) {
  {
    std::lock_guard lock(mutex_);
    CensusCommit& q = queued_.commit;
    if (!q.records.empty() && q.records.size() + staged.commit.records.size() > max_records_) {
      waiting_.push_back(wake);
      return false;
    }
    const auto base = static_cast<uint32_t>(queued_.acks.size());
    for (VerifiedRecord& v : staged.commit.records) v.datagram += base;
    for (CommandConfirmation& c : staged.commit.confirmations) c.datagram += base;
    q.datagrams.insert(q.datagrams.end(), staged.commit.datagrams.begin(),
                       staged.commit.datagrams.end());
    q.records.insert(q.records.end(), staged.commit.records.begin(), staged.commit.records.end());
    q.confirmations.insert(q.confirmations.end(), staged.commit.confirmations.begin(),
                           staged.commit.confirmations.end());
    queued_.acks.insert(queued_.acks.end(), std::make_move_iterator(staged.acks.begin()),
                        std::make_move_iterator(staged.acks.end()));
    staged.clear();
    depth_ = q.records.size();
  }
  work_ready_.notify_one();
  return true;
}

bool CommitQueue::take(VerifiedBatch& out, std::chrono::milliseconds wait) {
  std::vector<std::function<void()>> wake;
  bool closed = false;
  {
    std::unique_lock lock(mutex_);
    work_ready_.wait_for(lock, wait, [&] { return closed_ || !queued_.empty(); });
    std::swap(out, queued_);
    depth_ = 0;
    wake.swap(waiting_);
    closed = closed_;
  }
  for (const auto& w : wake) w();
  return closed;
}

void CommitQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    waiting_.clear();
  }
  work_ready_.notify_all();
}

}  // namespace gm::host
