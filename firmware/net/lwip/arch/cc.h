/* lwIP's compiler/platform boundary for the agent: the same for Linux (simulator) and bare
 * metal. Types and byte order come from the compiler's own headers; an assertion traps instead
 * of printing, because bare metal has no stdio worth the code size. */
#ifndef GATEMETER_LWIP_ARCH_CC_H
#define GATEMETER_LWIP_ARCH_CC_H

#include <stdint.h>

#define LWIP_NO_INTTYPES_H 0
#define LWIP_PLATFORM_DIAG(x) \
  do {                        \
  } while (0)
#define LWIP_PLATFORM_ASSERT(x) \
  do {                          \
    (void)(x);                  \
    __builtin_trap();           \
  } while (0)

#ifdef __cplusplus
extern "C" {
#endif
/* lwIP's LWIP_RAND(): a small generator the board seeds from its RNG (gm_lwip_seed). */
uint32_t gm_lwip_rand(void);
void gm_lwip_seed(uint32_t seed);
/* lwIP's sys_now() reads this: the board's monotonic milliseconds. */
void gm_lwip_set_clock(uint32_t (*now_ms)(void));
#ifdef __cplusplus
}
#endif

#endif
