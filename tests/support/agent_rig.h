// The real agent over the real journal on simulated flash, with the fakes of its other seams
// (clock, random numbers, log, a capturing uplink): what every in-memory agent test starts from.
#pragma once

#include <memory>

#include "firmware/core/agent.h"
#include "firmware/store/journal.h"
#include "tests/support/agent_flash.h"
#include "tests/support/fake_hal.h"

namespace gm::test {

struct AgentRig {
  FakeClock clock;
  FakeRng rng;
  MemoryLog log;
  CaptureUplink uplink;
  AgentFlash flash;
  std::unique_ptr<store::Journal> journal;
  std::unique_ptr<core::Agent> agent;

  // A new agent over the same flash, as after a power cut (RAM is lost, flash is not): one-minute
  // interval, each datagram sent once.
  core::BootReport reboot() {
    agent.reset();
    journal = std::make_unique<store::Journal>(flash.device());
    agent = std::make_unique<core::Agent>(clock, *journal, rng, log);
    core::AgentSettings s;
    s.interval_s = 60;
    s.copies = 1;
    agent->apply_settings(s);
    return agent->boot();
  }
};

}  // namespace gm::test
