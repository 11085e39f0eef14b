// The agent core and the flash journal on the Cortex-M3: a session metered with no uplink is
// persisted to (simulated) NOR flash, the "power" goes, and a fresh agent over the same flash
// closes it with "agent restart" at its stored totals; then that agent authorises a session
// through a billing server and enforces its grant. Every object is static.
#include "boards/mps2-an385/selftest_agent.h"

#include <new>

#include "boards/mps2-an385/semihosting.h"
#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "firmware/store/sim_flash.h"
#include "shared/frame/frame_codec.h"

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

// Keeps the newest datagram sent to a billing server; census datagrams go nowhere.
class BillingCapture final : public core::Uplink {
 public:
  bool send(const uint8_t*, size_t) override { return true; }
  size_t billing_count() const override { return 1; }
  bool send_billing(size_t index, const uint8_t* d, size_t n) override {
    if (index != 0 || n > sizeof last) return false;
    for (size_t i = 0; i < n; ++i) last[i] = d[i];
    length = n;
    return true;
  }
  uint8_t last[frame::overhead + gatemeter_AuthRequest_size] = {};
  size_t length = 0;
};

constexpr hal::FlashGeometry geometry{2048, 8, 4};
uint8_t flash_bytes[2048 * 8];
StepClock clock;
QuietLog log;
CountingRng rng;
// Two agents' worth of RAM, as two boots: placement in static storage, no heap.
alignas(store::Journal) uint8_t journal_storage[2][sizeof(store::Journal)];
alignas(core::Agent) uint8_t agent_storage[2][sizeof(core::Agent)];
BillingCapture billing_uplink;
core::LoginGrant billing_login;
gatemeter_AuthRequest asked = gatemeter_AuthRequest_init_zero;
gatemeter_AuthResponse answer = gatemeter_AuthResponse_init_zero;
uint8_t answer_frame[frame::overhead + gatemeter_AuthResponse_size];

// A billing server's whole part, with the frame codec: the agent's AuthRequest opens under the
// login's key and a final 30 s grant, sealed with the request's sequence, ends the session with
// zero balance at its limit. On this target enums are short, so this is where a field read or
// written at the wrong width would show.
bool selftest_billing(core::Agent& agent, store::Journal& journal) {
  billing_login.login_session = 0x5150;
  for (size_t i = 0; i < sizeof billing_login.session_key; ++i)
    billing_login.session_key[i] = static_cast<uint8_t>(3 * i);
  billing_login.billing_count = 1;
  billing_login.outage_policy = gatemeter_OutagePolicy_OUTAGE_CONTINUE;
  agent.on_login(billing_login, billing_uplink);
  uint64_t id = 0;
  bool ok = check(agent.start_session("bob@isp.example", "wifi",
                                      gatemeter_BillingOption_BILLING_PREPAID, id) ==
                          core::StartResult::ok &&
                      agent.request_authorisation(id, gatemeter_BillingOption_BILLING_TIME_PASS,
                                                  "pass-1", "10.0.0.9") ==
                          core::AuthRequestResult::sent,
                  "session sent to billing");
  frame::TagKey key;
  frame::derive_tag_key(billing_login.session_key, sizeof billing_login.session_key, key);
  frame::ReplayWindow window;
  frame::Header h;
  ok &= check(frame::peek(billing_uplink.last, billing_uplink.length, h) == frame::Refusal::none &&
                  frame::open(billing_uplink.last, billing_uplink.length, h, key, window,
                              frame::FrameKind::auth_request, &asked) == frame::Refusal::none &&
                  asked.session_id == id && asked.request == 1 &&
                  wire_enum(asked.billing) == gatemeter_BillingOption_BILLING_TIME_PASS,
              "AuthRequest opens with the login's key");
  answer.session_id = id;
  answer.request = asked.request;
  answer.decision = gatemeter_AuthDecision_AUTH_APPROVE;
  answer.outage_policy = gatemeter_OutagePolicy_OUTAGE_CONTINUE;
  answer.has_grant = true;
  answer.grant.charged_s = 30;
  answer.grant.final = true;
  const size_t n = frame::seal({frame::FrameKind::auth_response, billing_login.login_session, h.seq},
                               &answer, key, answer_frame, sizeof answer_frame);
  ok &= check(n != 0 && agent.on_datagram(answer_frame, n) == frame::Refusal::none &&
                  agent.session(id)->state == core::SessionState::active &&
                  agent.session(id)->outage_policy() == gatemeter_OutagePolicy_OUTAGE_CONTINUE,
              "AuthResponse approves it");
  for (int s = 0; s < 40; ++s) {
    clock.ms += 1000;
    agent.tick();
  }
  // Nothing acknowledges its records here, so its STOP went to flash after persist_after.
  UsageRecord r;
  ok &= check(agent.session(id) == nullptr && journal.find(id, r) &&
                  r.kind == gatemeter_RecordKind_RECORD_STOP &&
                  r.cause == gatemeter_StopCause_STOP_ZERO_BALANCE && r.totals.charged_s == 30,
              "final grant ends it with zero balance at 30 s");
  return ok;
}

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
  ok &= selftest_billing(*a2, *j2);
  semihost_write("session RAM bytes: ");
  semihost_write_u32(sizeof(core::Session));
  semihost_write("\nagent RAM bytes: ");
  semihost_write_u32(sizeof(core::Agent));
  semihost_write("\njournal RAM bytes: ");
  semihost_write_u32(sizeof(store::Journal));
  semihost_write("\n");
  return ok;
}
