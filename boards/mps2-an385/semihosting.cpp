#include "boards/mps2-an385/semihosting.h"

namespace gm::board {

namespace {
constexpr int sys_write0 = 0x04;
constexpr int sys_exit = 0x18;
constexpr int adp_stopped_application_exit = 0x20026;
constexpr int adp_stopped_run_time_error = 0x20023;

int call(int op, const void* arg) {
  register int r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
}  // namespace

void semihost_write(const char* text) { call(sys_write0, text); }

void semihost_write_u32(unsigned value) {
  char buf[11];
  int i = 10;
  buf[i] = '\0';
  do {
    buf[--i] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  semihost_write(buf + i);
}

void semihost_exit(bool success) {
  call(sys_exit, reinterpret_cast<const void*>(success ? adp_stopped_application_exit
                                                       : adp_stopped_run_time_error));
  for (;;) {
  }
}

}  // namespace gm::board
