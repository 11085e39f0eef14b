// Log HAL on Linux: one line per event on stderr (journald picks it up under systemd), with a
// prefix naming the gateway so a fleet's lines can be told apart.
#pragma once

#include <cinttypes>
#include <cstdio>

#include "firmware/hal/log.h"

namespace gm::board {

class StderrLog final : public hal::Log {
 public:
  explicit StderrLog(const char* name, hal::LogLevel min = hal::LogLevel::info)
      : name_(name), min_(min) {}
  void write(hal::LogLevel level, const char* event, int64_t a, int64_t b) override {
    if (level < min_) return;
    static const char* const names[] = {"debug", "info", "warning", "error"};
    std::fprintf(stderr, "%s %s %s %" PRId64 " %" PRId64 "\n", name_,
                 names[static_cast<int>(level)], event, a, b);
  }

 private:
  const char* name_;
  hal::LogLevel min_;
};

}  // namespace gm::board
