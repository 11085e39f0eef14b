// Waiting in a test for something another thread does: bounded, and no timing asserted.
#pragma once

#include <chrono>
#include <thread>

namespace gm::test {

// Polls cond every step_ms until it holds or max_ms passed; true if it held.
template <typename Cond>
bool eventually(Cond cond, int max_ms = 5000, int step_ms = 5) {
  for (int waited = 0; waited < max_ms; waited += step_ms) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  return cond();
}

}  // namespace gm::test
