// The agent core and the flash journal on the Cortex-M3: a session metered with no uplink is
// persisted to (simulated) NOR flash, the "power" goes, and a fresh agent over the same flash
// closes it with "agent restart" at its stored totals. Every object is static.
#include "boards/mps2-an385/selftest_agent.h"

#include <new>

#include "boards/mps2-an385/semihosting.h"
#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "firmware/store/sim_flash.h"

namespace gm::board {
namespace {

class StepClock final : public hal::Clock {
 public:
  uint64_t ms = 5'000'000;
  uint64_t monotonic_ms() override { return ms; }
  uint64_t wall_unix() override { return 1'790'000'000 + ms / 1000; }
};

// QEMU's mps2-an385 models no TRNG; the self-test needs only distinct bytes.
class CountingRng final : public hal::Rng {
 public:
  bool fill(uint8_t* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(++x_ * 167u);
    return true;
  }

 private:
  uint32_t x_ = 0;
};

class QuietLog final : public hal::Log {
 public:
  void write(hal::LogLevel, const char*, int64_t, int64_t) override {}
};

constexpr hal::FlashGeometry geometry{2048, 8, 4};
uint8_t flash_bytes[2048 * 8];
StepClock clock;
QuietLog log;
CountingRng rng;
// Two agents' worth of RAM, as two boots: placement in static storage, no heap.
alignas(store::Journal) uint8_t journal_storage[2][sizeof(store::Journal)];
alignas(core::Agent) uint8_t agent_storage[2][sizeof(core::Agent)];

}  // namespace
}  // namespace gm::board

bool gm::board::selftest_agent() {
  static store::SimFlash flash(geometry, flash_bytes, true, 7);
  auto* j1 = new (journal_storage[0]) store::Journal(flash);
  auto* a1 = new (agent_storage[0]) core::Agent(clock, *j1, rng, log);
  bool ok = check(a1->boot().journal == store::JournalStatus::ok, "agent boots on blank flash");
  uint64_t id = 0;
  ok &= check(a1->start_session("alice@isp.example", "wifi",
                                gatemeter_BillingOption_BILLING_PREPAID, id) ==
                      core::StartResult::ok &&
                  a1->authorise(id, gatemeter_AuthDecision_AUTH_APPROVE),
              "session started and approved");
  a1->on_traffic(id, 5000, 700);
  for (int s = 0; s < 90; ++s) {  // no uplink: every record goes to flash
    clock.ms += 1000;
    a1->tick();
  }
  ok &= check(j1->record_count() == 1, "unacknowledged record persisted");

  // Power cut: the first agent and journal are simply abandoned, as RAM would be.
  auto* j2 = new (journal_storage[1]) store::Journal(flash);
  auto* a2 = new (agent_storage[1]) core::Agent(clock, *j2, rng, log);
  const core::BootReport boot = a2->boot();
  UsageRecord r;
  ok &= check(boot.sessions_closed == 1 && j2->find(id, r) &&
                  r.kind == gatemeter_RecordKind_RECORD_STOP &&
                  r.cause == gatemeter_StopCause_STOP_AGENT_RESTART && r.totals.octets_in == 5000 &&
                  r.totals.charged_s >= 60,
              "after the reboot: STOP, agent restart, stored totals");
  ok &= check(j2->counters().boot_count == 2, "boot counted");
  semihost_write("session RAM bytes: ");
  semihost_write_u32(sizeof(core::Session));
  semihost_write("\nagent RAM bytes: ");
  semihost_write_u32(sizeof(core::Agent));
  semihost_write("\njournal RAM bytes: ");
  semihost_write_u32(sizeof(store::Journal));
  semihost_write("\n");
  return ok;
}
