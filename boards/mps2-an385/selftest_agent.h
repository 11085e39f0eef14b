// The agent part of the bare-metal self-test (selftest_agent.cpp).
#pragma once

namespace gm::board {
bool selftest_agent();
}  // namespace gm::board
