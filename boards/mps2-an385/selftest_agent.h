// The bare-metal self-test's parts: the agent (selftest_agent.cpp) and the line printer both use.
#pragma once

#include "boards/mps2-an385/semihosting.h"

namespace gm::board {

bool selftest_agent();

// Prints one self-test line ("ok   what" or "FAIL what") and passes the verdict on.
inline bool check(bool ok, const char* what) {
  semihost_write(ok ? "ok   " : "FAIL ");
  semihost_write(what);
  semihost_write("\n");
  return ok;
}

}  // namespace gm::board
