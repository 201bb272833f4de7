/* Serving an invocation payload: every request in it answered exactly once. */
#ifndef CFNKIT_PROVIDER_SERVE_H
#define CFNKIT_PROVIDER_SERVE_H

#include <stddef.h>
#include <stdint.h>

/* Default simulated deadline of `invoke` and of the runtime when the Runtime
 * API gives no plausible one: what a custom-resource provider usually gets. */
#define CFN_DEFAULT_TIMEOUT_S 300

/* Outcome of one served request. */
typedef struct served {
    int code;    /* 0 SUCCESS delivered, 1 FAILED delivered, 2 not delivered */
    char *body;  /* the body sent, Data masked when NoEcho; NULL when none */
    char *url;   /* the ResponseURL without its query; NULL when none */
    char *error; /* why nothing was delivered */
} served;

/* Serves every request of an invocation payload. `deadline` is the monotonic
 * ms by which responses must be delivered. Returns the worst code (0, 1, 2)
 * and, when `out` is given, one entry per request (free with
 * cfn__served_free). */
int cfn__serve_payload(const char *payload, size_t len, int64_t deadline, served **out,
                       size_t *count);
void cfn__served_free(served *s, size_t count);

/* Where a response goes instead of its ResponseURL (`invoke --response-file`):
 * called with the exact body that would be PUT. Returns 0, or negative with
 * cfn_error_last set (the request then counts as not delivered). */
typedef int (*cfn__serve_sink)(void *arg, const char *body, size_t len);

/* cfn__serve_payload with every response handed to `sink` instead of PUT. */
int cfn__serve_payload_to(const char *payload, size_t len, int64_t deadline, cfn__serve_sink sink,
                          void *arg, served **out, size_t *count);

/* The margin kept before a deadline for sending the response. */
int64_t cfn__deadline_margin_ms(int64_t budget_ms);

#endif
