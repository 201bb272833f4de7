/* Clocks, sleeping and the jitter draw. */
#include "clock.h"

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

uint32_t cfn__random_u32(void)
{
    uint32_t r;
    if (getrandom(&r, sizeof(r), 0) != sizeof(r))
        r = (uint32_t)cfn__clock_mono_ms();
    return r;
}
