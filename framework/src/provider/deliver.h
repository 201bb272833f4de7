/* Delivery of a response body to its presigned ResponseURL. */
#ifndef CFNKIT_PROVIDER_DELIVER_H
#define CFNKIT_PROVIDER_DELIVER_H

#include <stddef.h>
#include <stdint.h>

/* PUTs the body to the presigned ResponseURL with an empty Content-Type,
 * retrying connection errors, timeouts, 429 and 5xx with backoff and jitter
 * until `deadline` (monotonic ms); each attempt is bounded by a third of the
 * time left and gives up on a stalled transfer. Returns 0 on a 2xx answer; otherwise CFN_EIO with
 * the message in cfn_error_last. */
int cfn__response_deliver(const char *url, const char *body, size_t len, int64_t deadline);

#endif
