/* Clocks in milliseconds, sleeping, and a random draw for jitter. Deadlines
 * inside the framework are on the monotonic clock. */
#ifndef CFNKIT_BASE_CLOCK_H
#define CFNKIT_BASE_CLOCK_H

#include <stdint.h>

int64_t cfn__clock_mono_ms(void);
int64_t cfn__clock_epoch_ms(void);

/* Sleeps `ms` milliseconds, resuming after signals. */
void cfn__sleep_ms(int64_t ms);

/* A random draw for jitter (not for secrets). */
uint32_t cfn__random_u32(void);

#endif
