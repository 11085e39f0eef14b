// The network management feed as a JSON-lines file: each ended session's event (FeedOutbox),
// one line each, appended in batches, fsynced, then marked written. A crash between the fsync
// and the mark leaves the last batch in the file and unmarked: reopening reads the ids of the
// file's last lines and marks those written instead of writing them again, and cuts a line left
// half-written. So the file has every event once (PostgreSQL commits ids out of order, which is
// why the ids themselves, not "everything up to the last id", are marked).
//
//   {"id":17,"agent":"gw-1","created_unix":1796032800,"session":{...the event...}}
#pragma once

#include <cstdint>
#include <string>

#include "host/store/feed_outbox.h"

namespace gm::billing {

// An event as the file's line holds it (without the newline), and as the webhook posts it.
std::string feed_line(const host::FeedEvent& event);

class FeedFile {
 public:
  // Opens (creates, mode 0600) `path` for appending. Throws std::runtime_error naming it.
  FeedFile(std::string path, host::FeedOutbox& outbox);
  ~FeedFile();
  FeedFile(const FeedFile&) = delete;
  FeedFile& operator=(const FeedFile&) = delete;

  // Appends what the outbox has not written yet (at most `batch` events), fsyncs, marks them.
  // Returns how many were written.
  size_t write_pending(int64_t now_unix, size_t batch = 500);
  // Events of the file's last lines marked written on opening (a crash's leftovers).
  size_t recovered() const { return recovered_; }

 private:
  void recover(int64_t now_unix);

  std::string path_;
  host::FeedOutbox& outbox_;
  int fd_ = -1;
  size_t recovered_ = 0;
  size_t last_batch_ = 500;
};

}  // namespace gm::billing
