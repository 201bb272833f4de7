/* Waiting inside a callback: sleeps that end at the request's deadline, and
 * the backoff between retries. */
#ifndef CFNKIT_WAIT_H
#define CFNKIT_WAIT_H

#include <cfnkit/common.h>
#include <stdint.h>
#include <cfnkit/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sleeps `ms` milliseconds when the callback's time (cfn_remaining_ms)
 * outlasts the sleep, and returns 0. Otherwise returns CFN_ETIMEOUT at once,
 * without sleeping, so that the callback keeps its last moments to fail
 * clearly: `if (cfn_sleep(ctx, pause) < 0) return cfn_fail(ctx, "...");`. */
CFN_EXTERN int cfn_sleep(const cfn_ctx *ctx, int64_t ms);

/* The pause before retry number `attempt` (0 for the first retry): "full
 * jitter", a uniform draw in [0, min(cap_ms, base_ms * 2^attempt)], so that
 * many processes retrying at once spread out. */
CFN_EXTERN int64_t cfn_backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);

#ifdef __cplusplus
}
#endif
#endif
