/* Clocks, sleeping, the jitter draw and the backoff built on it. */
#include "clock.h"

#include <cfnkit/error.h>

#include <errno.h>
#include <sys/random.h>
#include <time.h>

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cfn__clock_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

int64_t cfn__clock_epoch_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

void cfn__sleep_ms(int64_t ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int cfn__sleep_until(int64_t ms, int64_t deadline)
{
    if (ms >= deadline - cfn__clock_mono_ms())
        return CFN_ETIMEOUT;
    cfn__sleep_ms(ms);
    return 0;
}

int64_t cfn_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
    if (base_ms <= 0 || cap_ms <= 0)
        return 0;
    int64_t bound = cap_ms;
    if (attempt < 0)
        attempt = 0;
    if (attempt < 62 && base_ms <= cap_ms >> attempt)
        bound = base_ms << attempt;
    /* Uniform in [0, bound]: 64 bits of draw keep the modulo bias negligible. */
    uint64_t r = (uint64_t)cfn__random_u32() << 32 | cfn__random_u32();
    return (int64_t)(r % ((uint64_t)bound + 1));
}

uint32_t cfn__random_u32(void)
{
    uint32_t r;
    if (getrandom(&r, sizeof(r), 0) != sizeof(r))
        r = (uint32_t)cfn__clock_mono_ms();
    return r;
}
