/* Fuzzes the dispatcher's ResponseURL side with anything a provider could
 * send: the HTTP parser must stay inside the bytes it is given and agree
 * with itself, and CloudFormation's check of an answer must accept only
 * bodies that meet its rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "respond.h"

static const stk_expect want = {"r", "s", "l"};

static void check_body(const char *body, size_t len)
{
    stk_result r = {0};
    if (stk_response_check(body, len, &want, &r) < 0) {
        stk_result_clear(&r);
        return;
    }
    if (r.success) {
        /* Accepted: within the limits, with a valid id and no reason. */
        if (len > 4096 || !r.physical_id || !*r.physical_id || strlen(r.physical_id) > 1024 ||
            r.reason)
            abort();
    } else if (!r.reason || !*r.reason) {
        abort(); /* every failure says why */
    }
    stk_result_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    stk_http_req req;
    int rc = stk_http_parse(buf, size, &req);
    if (rc == 1) {
        if (req.head_len > size || req.content_length > size - req.head_len || req.path < buf ||
            req.path + req.path_len > buf + req.head_len ||
            (req.query && req.query + req.query_len > buf + req.head_len) || req.path[0] != '/')
            abort();
        check_body(buf + req.head_len, req.content_length);
        /* The same bytes, whole, parse the same way. */
        stk_http_req again;
        if (stk_http_parse(buf, req.head_len + req.content_length, &again) != 1 ||
            again.head_len != req.head_len || again.content_length != req.content_length)
            abort();
    } else if (rc == 0) {
        if (req.head_len > size)
            abort();
    } else if (rc != -400 && rc != -411 && rc != -413 && rc != -431 && rc != -501) {
        abort();
    }
    check_body(buf, size);
    return 0;
}
