// Fakes of the agent's seams for tests: a clock the test moves, a log that remembers, and an
// uplink that captures datagrams (and can drop them, like a lossy network).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "firmware/core/uplink.h"
#include "firmware/hal/clock.h"
#include "firmware/hal/log.h"
#include "firmware/hal/rng.h"

namespace gm::test {

class FakeClock final : public hal::Clock {
 public:
  uint64_t ms = 1'000'000;  // not zero: catches code that assumes time starts at 0
  uint64_t unix_s = 1'790'000'000;
  uint64_t monotonic_ms() override { return ms; }
  uint64_t wall_unix() override { return unix_s + ms / 1000; }
  void advance_s(uint64_t s) { ms += s * 1000; }
};

// Deterministic bytes (xorshift from a seed): the same test draws the same values.
class FakeRng final : public hal::Rng {
 public:
  explicit FakeRng(uint64_t seed = 0x9e3779b97f4a7c15ull) : x_(seed | 1) {}
  bool ok = true;  // false: the device fails, as a missing TRNG would
  bool fill(uint8_t* out, size_t n) override {
    if (!ok) return false;
    for (size_t i = 0; i < n; ++i) {
      x_ ^= x_ << 13;
      x_ ^= x_ >> 7;
      x_ ^= x_ << 17;
      out[i] = static_cast<uint8_t>(x_);
    }
    return true;
  }

 private:
  uint64_t x_;
};

class MemoryLog final : public hal::Log {
 public:
  std::vector<std::string> events;
  void write(hal::LogLevel, const char* event, int64_t, int64_t) override {
    events.emplace_back(event);
  }
  bool saw(const std::string& e) const {
    for (const auto& x : events)
      if (x == e) return true;
    return false;
  }
};

class CaptureUplink final : public core::Uplink {
 public:
  std::vector<std::vector<uint8_t>> sent;
  // Datagrams for billing servers, with the index of the server each was sent to.
  std::vector<std::pair<size_t, std::vector<uint8_t>>> billing_sent;
  size_t billing = 0;  // billing servers it knows (the login's list)
  bool accept = true;
  int failovers = 0;
  size_t census = 2;  // addresses it moves between (every fail_over succeeds)
  bool fail_over() override {
    ++failovers;
    return true;
  }
  size_t census_count() const override { return census; }
  bool send(const uint8_t* d, size_t n) override {
    if (!accept) return false;
    sent.emplace_back(d, d + n);
    return true;
  }
  size_t billing_count() const override { return billing; }
  bool send_billing(size_t index, const uint8_t* d, size_t n) override {
    if (!accept || index >= billing) return false;
    billing_sent.emplace_back(index, std::vector<uint8_t>(d, d + n));
    return true;
  }
};

}  // namespace gm::test
