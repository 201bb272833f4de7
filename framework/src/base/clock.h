/* Clocks in milliseconds, sleeping, and a random draw for jitter (the
 * backoff formula is public: cfn_backoff_ms in <cfnkit/wait.h>). Deadlines
 * inside the framework are on the monotonic clock. */
#ifndef CFNKIT_BASE_CLOCK_H
#define CFNKIT_BASE_CLOCK_H

#include <stdint.h>
#include <cfnkit/wait.h>

int64_t cfn__clock_mono_ms(void);
int64_t cfn__clock_epoch_ms(void);

/* Sleeps `ms` milliseconds, resuming after signals. */
void cfn__sleep_ms(int64_t ms);

/* Sleeps `ms` milliseconds when that ends before `deadline` (monotonic ms)
 * and returns 0; otherwise returns CFN_ETIMEOUT at once, without sleeping. */
int cfn__sleep_until(int64_t ms, int64_t deadline);

/* A random draw for jitter (not for secrets). */
uint32_t cfn__random_u32(void);

#endif
