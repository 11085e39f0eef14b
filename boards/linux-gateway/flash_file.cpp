#include "boards/linux-gateway/flash_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gm::board {

std::optional<FlashFile> FlashFile::open(const std::string& path, hal::FlashGeometry geometry,
                                         std::string& error, uint64_t seed) {
  const size_t size = size_t{geometry.sector_size} * geometry.sector_count;
  if (size == 0 || geometry.word_size == 0) {
    error = "flash geometry is empty";
    return std::nullopt;
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open flash file " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // Two agents on one flash would corrupt each other's journal: the second is refused.
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    error = "flash file " + path + " is in use by another process";
    ::close(fd);
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    error = "cannot stat flash file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  const bool created = st.st_size == 0;
  if (!created && static_cast<size_t>(st.st_size) != size) {
    error = "flash file " + path + " holds " + std::to_string(st.st_size) +
            " bytes but the geometry needs " + std::to_string(size) +
            " (sector size x sector count); refusing to guess";
    ::close(fd);
    return std::nullopt;
  }
  if (created && ftruncate(fd, static_cast<off_t>(size)) != 0) {
    error = "cannot size flash file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    error = "cannot map flash file " + path + ": " + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  return FlashFile(path, fd, static_cast<uint8_t*>(map), size, created, geometry, seed);
}

FlashFile::FlashFile(std::string path, int fd, uint8_t* bytes, size_t size, bool created,
                     hal::FlashGeometry geometry, uint64_t seed)
    : path_(std::move(path)), fd_(fd), bytes_(bytes), size_(size), created_(created), seed_(seed) {
  flash_.emplace(geometry, bytes_, created, seed);
}

FlashFile::FlashFile(FlashFile&& o) noexcept
    : path_(std::move(o.path_)), fd_(o.fd_), bytes_(o.bytes_), size_(o.size_), created_(o.created_),
      seed_(o.seed_) {
  if (o.flash_) flash_.emplace(o.flash_->geometry(), bytes_, false, seed_);
  o.bytes_ = nullptr;
  o.fd_ = -1;
  o.flash_.reset();
}

FlashFile::~FlashFile() {
  if (bytes_ != nullptr) {
    msync(bytes_, size_, MS_SYNC);
    munmap(bytes_, size_);
  }
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace gm::board
