#include "host/census/acker.h"

#include <sys/socket.h>

#include <array>
#include <iterator>

#include "shared/frame/frame_codec.h"

namespace gm::host {

Acker::Acker(CensusStats& stats) : stats_(stats) {}

Acker::~Acker() { stop(); }

void Acker::start() { thread_ = std::thread([this] { run(); }); }

void Acker::send(std::vector<AckJob>&& jobs) {
  if (jobs.empty()) return;
  {
    std::lock_guard lock(mutex_);
    queued_.insert(queued_.end(), std::make_move_iterator(jobs.begin()),
                   std::make_move_iterator(jobs.end()));
  }
  ready_.notify_one();
}

void Acker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Acker::run() {
  constexpr size_t chunk = 64;
  std::vector<std::array<uint8_t, frame::max_frame_size>> frames(chunk);
  std::array<mmsghdr, chunk> headers{};
  std::array<iovec, chunk> iov{};
  std::vector<AckJob> jobs;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
      if (queued_.empty() && stopping_) return;
      std::swap(jobs, queued_);
    }
    size_t n = 0;
    int fd = -1;
    auto flush = [&] {
      for (size_t done = 0; done < n;) {
        const int sent_now =
            ::sendmmsg(fd, headers.data() + done, static_cast<unsigned>(n - done), 0);
        if (sent_now <= 0) break;  // a full socket buffer: those agents resend and get acked then
        done += static_cast<size_t>(sent_now);
        stats_.acks_sent += static_cast<uint64_t>(sent_now);
      }
      n = 0;
    };
    for (AckJob& j : jobs) {
      if (j.reply.fd != fd || n == chunk) {
        if (n > 0) flush();
        fd = j.reply.fd;
      }
      // The ack's frame sequence is the acknowledged datagram's: unique per login session
      // while the agent's sequence rises, and still rising after a census restart, so the
      // agent's replay window accepts acks from any census node without shared state.
      const size_t len = frame::seal({frame::FrameKind::ack, j.login->id, j.ack.datagram_seq},
                                     &j.ack, j.login->key, frames[n].data(), frames[n].size());
      if (len == 0) continue;
      iov[n] = {frames[n].data(), len};
      headers[n] = {};
      headers[n].msg_hdr.msg_iov = &iov[n];
      headers[n].msg_hdr.msg_iovlen = 1;
      headers[n].msg_hdr.msg_name = &j.reply.to;
      headers[n].msg_hdr.msg_namelen = sizeof j.reply.to;
      ++n;
    }
    if (n > 0) flush();
    jobs.clear();
  }
}

}  // namespace gm::host
