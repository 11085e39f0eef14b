// The agent's log: an event name with up to two numbers, so firmware formats nothing and a
// board can print, count or drop lines as it likes (UART, syslog, a ring buffer).
#pragma once

#include <cstdint>

namespace gm::hal {

enum class LogLevel : uint8_t { debug, info, warning, error };

class Log {
 public:
  virtual void write(LogLevel level, const char* event, int64_t a = 0, int64_t b = 0) = 0;

 protected:
  ~Log() = default;
};

}  // namespace gm::hal
