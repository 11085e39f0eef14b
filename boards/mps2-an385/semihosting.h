// ARM semihosting (the debugger/QEMU services reached with `bkpt 0xAB`): how the bare-metal
// image prints and ends when run under `qemu-system-arm -semihosting`.
#pragma once

namespace gm::board {

void semihost_write(const char* text);
void semihost_write_u32(unsigned value);
[[noreturn]] void semihost_exit(bool success);

}  // namespace gm::board
