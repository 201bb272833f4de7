/* Serving an invocation: each request's answer decided (answer.c), its body
 * built and delivered to the ResponseURL, one summary line logged. */
#include "serve.h"

#include "clock.h"
#include "answer.h"
#include "deliver.h"
#include "log.h"
#include "response.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long delivery may take once the provider is told to stop: Lambda's
 * shutdown gives a runtime a few hundred ms after SIGTERM. */
#define STOP_DELIVERY_MS 400

int64_t cfn__deadline_margin_ms(int64_t budget_ms)
{
    if (budget_ms < 2000)
        return budget_ms / 2;
    int64_t m = budget_ms / 10;
    return m < 1000 ? 1000 : m > 10000 ? 10000 : m;
}

/* The one summary line of a request. */
static void log_request(const request *req, bool success, const char *outcome, int64_t duration_ms,
                        const char *physical_id, const char *reason)
{
    cfn_log_level level = success ? CFN_LOG_INFO : CFN_LOG_ERROR;
    if (!cfn__log_enabled(level))
        return;
    const char *type = req->resource_type ? req->resource_type : "-";
    const char *logical = req->logical_id ? req->logical_id : "-";
    const char *rtype = req->type_name ? req->type_name : "-";
    char *msg = NULL;
    if (asprintf(&msg, "%s %s %s %s in %lld ms%s%s%s%s", type, logical, rtype, outcome,
                 (long long)duration_ms, physical_id ? " id=" : "", physical_id ? physical_id : "",
                 reason ? ": " : "", reason ? reason : "") < 0)
        return;
    cJSON *f = NULL;
    if (cfn__log_json() && (f = cJSON_CreateObject()) != NULL) {
        cJSON_AddStringToObject(f, "resourceType", type);
        cJSON_AddStringToObject(f, "logicalResourceId", logical);
        cJSON_AddStringToObject(f, "requestType", rtype);
        if (req->request_id)
            cJSON_AddStringToObject(f, "requestId", req->request_id);
        cJSON_AddStringToObject(f, "outcome", outcome);
        cJSON_AddNumberToObject(f, "durationMs", (double)duration_ms);
        if (physical_id)
            cJSON_AddStringToObject(f, "physicalResourceId", physical_id);
        if (reason)
            cJSON_AddStringToObject(f, "reason", reason);
    }
    cfn__log_emit(level, msg, f);
    free(msg);
}

/* The body as shown to a person: Data values masked when NoEcho. */
static char *display_body(const char *body, bool noecho)
{
    if (!noecho)
        return cfn__strdup(body);
    cJSON *o = cJSON_Parse(body);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "Data");
    for (cJSON *item = d ? d->child : NULL, *next; item; item = next) {
        next = item->next;
        /* The key stays (a replacement by pointer would lose it). */
        cJSON *mask = cJSON_CreateString("****");
        if (mask && !cJSON_ReplaceItemInObjectCaseSensitive(d, item->string, mask))
            cJSON_Delete(mask);
    }
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

static void serve_one(cJSON *obj, const char *split_error, int64_t deadline, cfn__serve_sink sink,
                      void *arg, served *out)
{
    int64_t start = cfn__clock_mono_ms();
    request req;
    answer a = {0};
    response_fields f = {0};
    char *body = NULL, *clean = NULL;
    size_t len = 0;

    memset(out, 0, sizeof(*out));
    if (cfn__request_init(&req, obj) < 0) {
        out->code = 2;
        out->error = cfn__strdup("out of memory reading the request");
        return;
    }
    if (!req.response_url) {
        out->code = 2;
        if (asprintf(&out->error, "cannot answer: %s%s%s",
                     split_error ? split_error : req.url_problem,
                     !split_error && req.invalid ? "; " : "",
                     !split_error && req.invalid ? req.invalid : "") < 0)
            out->error = NULL;
        log_request(&req, false, "NOT ANSWERED", cfn__clock_mono_ms() - start, NULL, out->error);
        goto done;
    }
    char where[512];
    out->url = cfn__strdup(cfn_redact_url(req.response_url, where, sizeof(where)));

    cfn__answer_decide(&req, deadline - cfn__deadline_margin_ms(deadline - start), &a);
    /* Told to stop: the answer goes out within the shutdown's grace period. */
    if (cfn__jobs_stopping() && deadline > cfn__clock_mono_ms() + STOP_DELIVERY_MS)
        deadline = cfn__clock_mono_ms() + STOP_DELIVERY_MS;
    f = (response_fields){.success = a.success,
                          .reason = a.reason,
                          .physical_id = a.physical_id,
                          .stack_id = req.stack_id,
                          .request_id = req.request_id,
                          .logical_id = req.logical_id,
                          .noecho = a.noecho,
                          .data = a.data};
    if (!a.physical_id || cfn__response_build(&f, &body, &len) < 0) {
        out->code = 2;
        out->error = cfn__strdup(a.physical_id ? cfn_error_last() : "out of memory");
    } else if ((sink ? sink(arg, body, len)
                     : cfn__response_deliver(req.response_url, body, len, deadline)) < 0) {
        out->code = 2;
        out->error = cfn__strdup(cfn_error_last());
        out->body = display_body(body, f.noecho);
    } else {
        out->code = f.success ? 0 : 1;
        out->body = display_body(body, f.noecho);
    }
    clean = cfn__reason_clean(f.reason);
    log_request(&req, out->code == 0,
                out->code == 2 ? "NOT DELIVERED"
                : f.success    ? "SUCCESS"
                               : "FAILED",
                cfn__clock_mono_ms() - start, a.physical_id, out->code == 2 ? out->error : clean);
done:
    free(clean);
    free(body);
    cfn__response_fields_clear(&f);
    cfn__answer_clear(&a);
    cfn__request_clear(&req);
}

int cfn__serve_payload(const char *payload, size_t len, int64_t deadline, served **out,
                       size_t *count)
{
    return cfn__serve_payload_to(payload, len, deadline, NULL, NULL, out, count);
}

int cfn__serve_payload_to(const char *payload, size_t len, int64_t deadline, cfn__serve_sink sink,
                          void *arg, served **out, size_t *count)
{
    payload_item *items = NULL;
    size_t n = 0;
    int worst = 0;

    if (out) {
        *out = NULL;
        *count = 0;
    }
    if (cfn__payload_split(payload, len, &items, &n) < 0) {
        cfn_log(CFN_LOG_ERROR, "cannot answer: %s", cfn_error_last());
        if (out && (*out = calloc(1, sizeof(served))) != NULL) {
            (*out)->code = 2;
            (*out)->error = cfn__strdup(cfn_error_last());
            *count = 1;
        }
        return 2;
    }
    served *all = calloc(n, sizeof(served));
    for (size_t i = 0; i < n; i++) {
        served s;
        serve_one(items[i].obj, items[i].error, deadline, sink, arg, &s);
        items[i].obj = NULL; /* owned by serve_one's request */
        if (s.code > worst)
            worst = s.code;
        if (all) {
            all[i] = s;
        } else {
            free(s.body);
            free(s.url);
            free(s.error);
        }
    }
    cfn__payload_free(items, n);
    if (out && all) {
        *out = all;
        *count = n;
    } else {
        cfn__served_free(all, all ? n : 0);
    }
    return worst;
}

void cfn__served_free(served *s, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(s[i].body);
        free(s[i].url);
        free(s[i].error);
    }
    free(s);
}
