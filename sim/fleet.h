// Many simulated gateways in one process, each with its own flash file, stepped from one loop;
// and the power cuts the simulator inflicts on them. A cut arms the gateway's flash to lose
// power at its next write (tearing it, as a real cut does) or, if nothing writes soon, cuts
// between writes; then everything the gateway held in RAM is thrown away, and after a pause
// it boots again from its flash file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "boards/linux-gateway/flash_file.h"
#include "boards/linux-gateway/linux_rng.h"
#include "boards/linux-gateway/posix_clock.h"
#include "sim/gateway.h"
#include "sim/record_witness.h"
#include "sim/stepped_clock.h"
#include "sim/truth_log.h"

namespace gm::sim {

inline constexpr hal::FlashGeometry fleet_flash_geometry{4096, 16, 4};  // 64 KiB journal

// A gateway's log on stderr: warnings and errors, plus its boots and logins (the evidence that
// a power cut lost nothing, and that it came back).
class SimLog final : public hal::Log {
 public:
  explicit SimLog(std::string name) : name_(std::move(name)) {}
  void write(hal::LogLevel level, const char* event, int64_t a, int64_t b) override;

 private:
  std::string name_;
};

struct FleetTotals {
  size_t gateways = 0, logged_in = 0, powered = 0;
  size_t sessions = 0, pending = 0;
  uint64_t acked = 0, charged_s = 0, free_s = 0, octets_in = 0, octets_out = 0;
  uint32_t power_cuts = 0;
  uint32_t torn_cuts = 0;  // cuts that fell inside a flash write or erase and tore it
};

class Fleet {
 public:
  // Every gateway runs on one stepped clock that step() moves (see stepped_clock.h).
  Fleet(TruthLog& truth, RecordWitness& witness, uint64_t seed, uint64_t start_ms,
        uint64_t wall_unix_at_start)
      : truth_(truth), witness_(witness), rng_(seed), clock_(start_ms, wall_unix_at_start) {}

  // Opens (or creates) the gateway's flash file; false with the reason in error.
  bool add(const GatewayConfig& config, const std::string& flash_path, std::string& error);
  void boot_all(uint64_t now_ms);

  // Schedules `count` power cuts for every gateway at random moments in [from_ms, to_ms).
  void plan_power_cuts(uint32_t count, uint64_t from_ms, uint64_t to_ms);
  void step(uint64_t now_ms);
  void wind_down(uint64_t now_ms);
  bool drained() const;

  FleetTotals totals() const;
  size_t size() const { return members_.size(); }
  const Gateway& gateway(size_t i) const { return *members_[i]->gateway; }
  uint32_t power_cuts(size_t i) const { return members_[i]->cuts_done; }
  hal::Clock& clock() { return clock_; }

 private:
  struct Member {
    GatewayConfig config;
    std::optional<board::FlashFile> flash;
    std::unique_ptr<SimLog> log;
    std::unique_ptr<Gateway> gateway;
    std::vector<uint64_t> cuts_at;  // planned, ascending
    uint32_t cuts_done = 0;
    uint32_t torn_cuts = 0;
    uint64_t cut_armed_ms = 0;      // a cut waits for the next write until this moment
    uint64_t off_until_ms = 0;      // powered off until then
  };
  void drive_power(Member& m, uint64_t now_ms);

  TruthLog& truth_;
  RecordWitness& witness_;
  std::mt19937_64 rng_;
  SteppedClock clock_;
  board::LinuxRng random_;
  std::vector<std::unique_ptr<Member>> members_;
  bool winding_down_ = false;
};

}  // namespace gm::sim
