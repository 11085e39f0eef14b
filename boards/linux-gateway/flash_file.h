// NOR flash kept in a file: the simulated flash (firmware/store/sim_flash.h) over a shared
// mapping of the file, so what the agent wrote survives the process being killed — the
// simulator's power cut. Linux gateways without raw flash use it as their journal device too
// (under /var/lib/gatemeter/).
//
// The file holds exactly sector_size * sector_count bytes; a new file starts erased (0xFF).
// open() refuses a file of another size rather than guessing, and a file another process holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "firmware/store/sim_flash.h"

namespace gm::board {

class FlashFile {
 public:
  // Opens (or creates) the file. On failure returns nullopt and says why in `error`.
  static std::optional<FlashFile> open(const std::string& path, hal::FlashGeometry geometry,
                                       std::string& error, uint64_t seed = 1);
  FlashFile(FlashFile&& other) noexcept;
  FlashFile& operator=(FlashFile&&) = delete;
  ~FlashFile();

  store::SimFlash& device() { return *flash_; }
  const std::string& path() const { return path_; }
  bool created() const { return created_; }  // true if the file was new (blank flash)

 private:
  FlashFile(std::string path, int fd, uint8_t* bytes, size_t size, bool created,
            hal::FlashGeometry geometry, uint64_t seed);
  std::string path_;
  int fd_ = -1;  // held open: its lock keeps a second process off this flash
  uint8_t* bytes_ = nullptr;
  size_t size_ = 0;
  bool created_ = false;
  uint64_t seed_ = 1;
  std::optional<store::SimFlash> flash_;
};

}  // namespace gm::board
