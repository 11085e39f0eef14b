/* The few functions lwIP needs from its platform under NO_SYS, with the board's part reduced to
 * two calls: gm_lwip_seed() (randomness, before lwip_init) and gm_lwip_set_clock() (time).
 * Keeping sys_now() here rather than in each board avoids a link-order dependency between the
 * board's library and this one. */
#include "arch/cc.h"
#include "lwip/sys.h"

static uint32_t state = 0x9e3779b9u;
static uint32_t (*clock_ms)(void) = 0;

/* LWIP_RAND(): xorshift32. It picks initial local ports and IP ids, never keys, so a fast
 * generator is enough; what matters is that the seed differs from boot to boot. */
void gm_lwip_seed(uint32_t seed) { state = seed != 0 ? seed : 0x9e3779b9u; }

uint32_t gm_lwip_rand(void) {
  uint32_t x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}

void gm_lwip_set_clock(uint32_t (*now_ms)(void)) { clock_ms = now_ms; }

/* Milliseconds from any fixed origin; lwIP only compares differences, so wrapping is fine.
 * Without a clock, time stands still: lwIP's timers never fire (tests that need none). */
u32_t sys_now(void) { return clock_ms != 0 ? clock_ms() : 0; }
