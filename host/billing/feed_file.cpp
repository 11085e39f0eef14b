#include "host/billing/feed_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <vector>

#include "host/store/json_text.h"

namespace gm::billing {

namespace {

[[noreturn]] void fail(const std::string& path, const char* what) {
  throw std::runtime_error("feed file " + path + ": " + what + ": " + std::strerror(errno));
}

// The id at the start of a line this file wrote ({"id":N,...}); -1 if it is not one.
int64_t line_id(std::string_view line) {
  constexpr std::string_view head = "{\"id\":";
  if (line.substr(0, head.size()) != head) return -1;
  int64_t id = -1;
  const char* at = line.data() + head.size();
  if (std::from_chars(at, line.data() + line.size(), id).ec != std::errc()) return -1;
  return id;
}

}  // namespace

std::string feed_line(const host::FeedEvent& e) {
  return "{\"id\":" + std::to_string(e.id) + ",\"agent\":" + host::json_string(e.agent_id) +
         ",\"created_unix\":" + std::to_string(e.created_unix) + ",\"session\":" + e.event + "}";
}

FeedFile::FeedFile(std::string path, host::FeedOutbox& outbox)
    : path_(std::move(path)), outbox_(outbox) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(path_, "cannot open");
  recover(static_cast<int64_t>(std::time(nullptr)));
}

FeedFile::~FeedFile() {
  if (fd_ >= 0) ::close(fd_);
}

void FeedFile::recover(int64_t now) {
  struct stat st{};
  if (::fstat(fd_, &st) != 0) fail(path_, "cannot stat");
  // The last batch is at most last_batch_ lines of at most ~1 KiB: read a tail that covers it.
  const off_t tail = std::min<off_t>(st.st_size, static_cast<off_t>(last_batch_) * 2048);
  std::string text(static_cast<size_t>(tail), '\0');
  if (tail > 0 && ::pread(fd_, text.data(), text.size(), st.st_size - tail) != tail)
    fail(path_, "cannot read");
  // A line without its newline was cut by a crash: it goes, and its event is written again.
  const size_t end = text.rfind('\n');
  const off_t complete = st.st_size - tail + (end == std::string::npos ? 0 : static_cast<off_t>(end + 1));
  if (complete != st.st_size) {
    if (::ftruncate(fd_, complete) != 0 || ::fsync(fd_) != 0) fail(path_, "cannot cut a torn line");
    text.resize(end == std::string::npos ? 0 : end + 1);
  }
  std::vector<int64_t> in_file;
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    const int64_t id = line_id(std::string_view(text).substr(at, nl - at));
    if (id > 0) in_file.push_back(id);
    at = nl + 1;
  }
  // Of those, the ones the outbox still lists were written but not marked.
  std::vector<int64_t> leftovers;
  for (const host::FeedEvent& e : outbox_.undelivered(host::FeedSink::file, last_batch_ * 2))
    for (int64_t id : in_file)
      if (id == e.id) leftovers.push_back(id);
  outbox_.mark_delivered(host::FeedSink::file, leftovers, now);
  recovered_ = leftovers.size();
  if (::lseek(fd_, 0, SEEK_END) < 0) fail(path_, "cannot seek");
}

size_t FeedFile::write_pending(int64_t now, size_t batch) {
  last_batch_ = std::max(last_batch_, batch);
  const auto events = outbox_.undelivered(host::FeedSink::file, batch);
  if (events.empty()) return 0;
  std::string out;
  std::vector<int64_t> ids;
  for (const host::FeedEvent& e : events) {
    out += feed_line(e) + "\n";
    ids.push_back(e.id);
  }
  for (size_t done = 0; done < out.size();) {
    const ssize_t n = ::write(fd_, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path_, "cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) fail(path_, "cannot fsync");
  outbox_.mark_delivered(host::FeedSink::file, ids, now);
  return ids.size();
}

}  // namespace gm::billing
