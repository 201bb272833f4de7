/* Serving a request: validation, dispatch to the module, physical id rules,
 * and exactly one response per request. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t deadline_margin_ms(int64_t budget_ms)
{
    if (budget_ms < 2000)
        return budget_ms / 2;
    int64_t m = budget_ms / 10;
    return m < 1000 ? 1000 : m > 10000 ? 10000 : m;
}

static int unknown_type(cfn_ctx *ctx)
{
    strbuf known = {0};
    for (size_t i = 0; i < registry_count(); i++)
        sb_printf(&known, "%s%s", i ? ", " : "", registry_at(i)->type);
    cfn_fail(ctx, "unknown ResourceType %.200s (this provider serves: %s)", ctx->req->resource_type,
             known.data ? known.data : "no types");
    free(known.data);
    return -1;
}

static int dispatch(cfn_ctx *ctx)
{
    const request *req = ctx->req;
    if (req->invalid)
        return cfn_fail(ctx, "invalid request: %s", req->invalid);
    /* The Create that answered this marker made nothing, so there is nothing
     * to delete, whatever the type (even one no longer served). */
    if (req->action == CFN_DELETE && physid_is_failed_create(req->physical_id))
        return 0;
    const cfn_resource_type *type = cfn_lookup(req->resource_type);
    if (!type)
        return unknown_type(ctx);
    cfn_callback cb = req->action == CFN_CREATE   ? type->create
                      : req->action == CFN_UPDATE ? type->update
                                                  : type->remove;
    if (!cb)
        return cfn_fail(ctx, "%s does not support updates: change a property that replaces it",
                        type->type);
    return isolate_run(ctx, cb);
}

/* The body as shown to a person: Data values masked when NoEcho. */
static char *display_body(const char *body, bool noecho)
{
    if (!noecho)
        return xstrdup(body);
    cJSON *o = cJSON_Parse(body);
    cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "Data");
    cJSON *item;
    cJSON_ArrayForEach(item, d)
    {
        cJSON *mask = cJSON_CreateString("****");
        if (mask)
            cJSON_ReplaceItemViaPointer(d, item, mask);
        item = mask;
    }
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return s;
}

static void serve_one(cJSON *obj, const char *split_error, int64_t deadline, served *out)
{
    int64_t start = clock_mono_ms();
    request req;
    cfn_ctx ctx;
    char *id = NULL, *body = NULL;
    size_t len = 0;

    memset(out, 0, sizeof(*out));
    if (request_init(&req, obj) < 0) {
        out->code = 2;
        out->error = xstrdup("out of memory reading the request");
        return;
    }
    if (!req.response_url) {
        out->code = 2;
        if (asprintf(&out->error, "cannot answer: %s",
                     split_error   ? split_error
                     : req.invalid ? req.invalid
                                   : "no ResponseURL") < 0)
            out->error = NULL;
        log_request(&req, false, "NOT ANSWERED", clock_mono_ms() - start, NULL, out->error);
        request_clear(&req);
        return;
    }
    char where[512];
    out->url = xstrdup(cfn_redact_url(req.response_url, where, sizeof(where)));

    ctx_init(&ctx, &req, deadline - deadline_margin_ms(deadline - start));
    bool ok = dispatch(&ctx) == 0;
    if (ok && req.action == CFN_CREATE)
        id = ctx.physical_id ? xstrdup(ctx.physical_id) : physid_generate(&req);
    else if (ok && req.action == CFN_UPDATE && ctx.physical_id)
        id = xstrdup(ctx.physical_id);
    else if (req.action != CFN_CREATE && req.physical_id)
        id = xstrdup(req.physical_id);
    else
        id = physid_failed_create(&req);
    if (!ok && !ctx.reason)
        cfn_fail(&ctx, "handler for %s failed without giving a reason", req.resource_type);

    response_fields f = {.success = ok,
                         .reason = ok ? NULL : ctx.reason,
                         .physical_id = id,
                         .stack_id = req.stack_id,
                         .request_id = req.request_id,
                         .logical_id = req.logical_id,
                         .noecho = ctx.noecho,
                         .data = ok ? ctx.data : NULL};
    char *clean = NULL;
    if (!id || response_build(&f, &body, &len) < 0) {
        out->code = 2;
        out->error = xstrdup(id ? cfn_error_last() : "out of memory");
    } else if (response_deliver(req.response_url, body, len, deadline) < 0) {
        out->code = 2;
        out->error = xstrdup(cfn_error_last());
        out->body = display_body(body, f.noecho);
    } else {
        out->code = f.success ? 0 : 1;
        out->body = display_body(body, f.noecho);
    }
    clean = reason_clean(f.reason);
    log_request(&req, out->code == 0,
                out->code == 2 ? "NOT DELIVERED"
                : f.success    ? "SUCCESS"
                               : "FAILED",
                clock_mono_ms() - start, id, out->code == 2 ? out->error : clean);
    free(clean);
    free(body);
    free(id);
    ctx_clear(&ctx);
    request_clear(&req);
}

int serve_payload(const char *payload, size_t len, int64_t deadline, served **out, size_t *count)
{
    payload_item *items = NULL;
    size_t n = 0;
    int worst = 0;

    if (out) {
        *out = NULL;
        *count = 0;
    }
    if (payload_split(payload, len, &items, &n) < 0) {
        cfn_log(CFN_LOG_ERROR, "cannot answer: %s", cfn_error_last());
        if (out && (*out = calloc(1, sizeof(served))) != NULL) {
            (*out)->code = 2;
            (*out)->error = xstrdup(cfn_error_last());
            *count = 1;
        }
        return 2;
    }
    served *all = calloc(n, sizeof(served));
    for (size_t i = 0; i < n; i++) {
        served s;
        serve_one(items[i].obj, items[i].error, deadline, &s);
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
    payload_free(items, n);
    if (out && all) {
        *out = all;
        *count = n;
    } else {
        served_free(all, all ? n : 0);
    }
    return worst;
}

void served_free(served *s, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(s[i].body);
        free(s[i].url);
        free(s[i].error);
    }
    free(s);
}
