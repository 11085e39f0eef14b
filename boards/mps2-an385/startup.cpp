// Reset and fault vectors for the Cortex-M3 on mps2-an385: copy .data, zero .bss, run static
// constructors, call main, and report main's result to the host through semihosting.
#include <cstdint>

#include "boards/mps2-an385/semihosting.h"

extern "C" {
extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int main();
void reset_handler();
void fault_handler();
}

void reset_handler() {
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* p = __bss_start; p < __bss_end;) *p++ = 0;
  for (auto* ctor = __init_array_start; ctor < __init_array_end; ++ctor) (*ctor)();
  gm::board::semihost_exit(main() == 0);
}

void fault_handler() {
  gm::board::semihost_write("fault\n");
  gm::board::semihost_exit(false);
}

// Initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault, UsageFault.
__attribute__((section(".vectors"), used)) void (*const vectors[])() = {
    reinterpret_cast<void (*)()>(__stack_top), reset_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, fault_handler};
