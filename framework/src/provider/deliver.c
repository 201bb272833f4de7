/* Delivery of a response to its presigned ResponseURL, retried with backoff. */
#include "deliver.h"

#include "clock.h"
#include "http.h"

#include <cfnkit/error.h>
#include <cfnkit/log.h>

#include <stdio.h>
#include <stdlib.h>

#define MAX_ATTEMPTS   8
#define BACKOFF_BASE   100  /* ms */
#define BACKOFF_CAP    5000 /* ms */
#define ATTEMPT_MAX_MS 30000

int cfn__response_deliver(const char *url, const char *body, size_t len, int64_t deadline)
{
    static const http_header headers[] = {{"Content-Type", ""}};
    char where[512], last[512] = "no attempt made: the deadline had passed";
    int tries = 0;
    cfn_redact_url(url, where, sizeof(where));
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        int64_t left = deadline - cfn__clock_mono_ms();
        if (left <= 0)
            break;
        http_request req = {.method = "PUT",
                            .url = url,
                            .headers = headers,
                            .header_count = 1,
                            .body = body,
                            .body_len = len,
                            .timeout_ms = left < ATTEMPT_MAX_MS ? (long)left : ATTEMPT_MAX_MS};
        http_response res;
        tries++;
        int rc = cfn__http_send(&req, &res);
        long status = res.status;
        cfn__http_response_free(&res);
        if (rc == 0 && status >= 200 && status < 300) {
            cfn_log(CFN_LOG_DEBUG, "response delivered to %s (HTTP %ld, attempt %d)", where, status,
                    attempt + 1);
            return 0;
        }
        if (rc == 0)
            snprintf(last, sizeof(last), "HTTP %ld", status);
        else
            snprintf(last, sizeof(last), "%s", cfn_error_last());
        /* Other 4xx answers (an expired or wrong signature) will not change. */
        if (rc == 0 && status != 429 && status < 500) {
            return cfn_error_set(CFN_EIO, "response to %s refused: HTTP %ld", where, status);
        }
        int64_t wait = cfn_backoff_ms(attempt, BACKOFF_BASE, BACKOFF_CAP);
        left = deadline - cfn__clock_mono_ms();
        cfn_log(CFN_LOG_WARN, "response to %s failed (attempt %d: %s)%s", where, attempt + 1, last,
                attempt + 1 < MAX_ATTEMPTS && wait < left ? ", retrying" : "");
        if (attempt + 1 >= MAX_ATTEMPTS || wait >= left)
            break;
        cfn__sleep_ms(wait);
    }
    return cfn_error_set(CFN_EIO, "response to %s not delivered after %d attempt%s: %s", where,
                         tries, tries == 1 ? "" : "s", last);
}
