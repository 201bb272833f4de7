/* The request context: accessors for the request, and what callbacks report. */
#include "ctx.h"

#include "clock.h"
#include "digest.h"
#include "physid.h"
#include "response.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cfn__ctx_init(cfn_ctx *ctx, const request *req, int64_t deadline)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->req = req;
    ctx->deadline = deadline;
}

void cfn__ctx_clear(cfn_ctx *ctx)
{
    free(ctx->physical_id);
    free(ctx->reason);
    cJSON_Delete(ctx->data);
    ctx->physical_id = ctx->reason = NULL;
    ctx->data = NULL;
}

int cfn__ctx_set_reason(cfn_ctx *ctx, const char *reason)
{
    char *r = cfn__strdup(reason);
    if (!r)
        return CFN_ENOMEM;
    free(ctx->reason);
    ctx->reason = r;
    return 0;
}

cfn_action cfn_request_action(const cfn_ctx *ctx)
{
    return ctx->req->action;
}

const char *cfn_request_type_name(const cfn_ctx *ctx)
{
    return ctx->req->type_name;
}

const char *cfn_request_stack_id(const cfn_ctx *ctx)
{
    return ctx->req->stack_id;
}

const char *cfn_request_stack_name(const cfn_ctx *ctx)
{
    return ctx->req->stack_name;
}

const char *cfn_request_region(const cfn_ctx *ctx)
{
    return ctx->req->region;
}

const char *cfn_request_id(const cfn_ctx *ctx)
{
    return ctx->req->request_id;
}

const char *cfn_request_resource_type(const cfn_ctx *ctx)
{
    return ctx->req->resource_type;
}

const char *cfn_request_logical_id(const cfn_ctx *ctx)
{
    return ctx->req->logical_id;
}

const char *cfn_request_physical_id(const cfn_ctx *ctx)
{
    return ctx->req->action == CFN_CREATE ? NULL : ctx->req->physical_id;
}

const char *cfn_request_failed_create_id(const cfn_ctx *ctx)
{
    return ctx->req->action == CFN_DELETE
               ? cfn__physid_failed_create_request(ctx->req, ctx->req->physical_id)
               : NULL;
}

const cJSON *cfn_request_props(const cfn_ctx *ctx)
{
    return ctx->req->props;
}

const cJSON *cfn_request_old_props(const cfn_ctx *ctx)
{
    return ctx->req->old_props;
}

void cfn_request_resource_hash(const cfn_ctx *ctx, char out[CFN_RESOURCE_HASH_SIZE])
{
    const char *parts[] = {ctx->req->stack_id, ctx->req->logical_id};
    unsigned char md[32];
    cfn__sha256_parts(parts, 2, md);
    cfn__hex(md, sizeof(md), out);
}

int64_t cfn_remaining_ms(const cfn_ctx *ctx)
{
    int64_t left = ctx->deadline - cfn__clock_mono_ms();
    return left > 0 ? left : 0;
}

int cfn_sleep(const cfn_ctx *ctx, int64_t ms)
{
    return cfn__sleep_until(ms, ctx->deadline);
}

int cfn_fail(cfn_ctx *ctx, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (msg) {
        free(ctx->reason);
        ctx->reason = msg;
    }
    return -1;
}

const char *cfn_reason(const cfn_ctx *ctx)
{
    return ctx->reason;
}

int cfn_set_physical_id(cfn_ctx *ctx, const char *id)
{
    if (!id || !*id)
        return cfn_fail(ctx, "module set an empty PhysicalResourceId");
    size_t n = strlen(id);
    if (n > CFN_MAX_PHYSICAL_ID_BYTES)
        return cfn_fail(ctx, "module set a PhysicalResourceId of %zu bytes (at most %d)", n,
                        CFN_MAX_PHYSICAL_ID_BYTES);
    if (!cfn__utf8_valid(id, false))
        return cfn_fail(ctx, "module set a PhysicalResourceId that is not valid UTF-8 or holds "
                             "control characters: CloudFormation cannot read it");
    if (cfn__physid_reserved(id))
        return cfn_fail(ctx,
                        "module set the PhysicalResourceId \"%.64s\": ids starting with %s "
                        "are reserved for the failed-create marker",
                        id, CFN_FAILED_CREATE_PREFIX);
    char *copy = cfn__strdup(id);
    if (!copy)
        return cfn_fail(ctx, "out of memory");
    free(ctx->physical_id);
    ctx->physical_id = copy;
    return 0;
}

int cfn_set_data_json(cfn_ctx *ctx, const char *key, cJSON *value)
{
    if (!value)
        return cfn_fail(ctx, "out of memory setting Data %s", key);
    if (!key || !*key) {
        cJSON_Delete(value);
        return cfn_fail(ctx, "module set a Data entry with an empty key");
    }
    if (!cfn__utf8_valid(key, false)) {
        cJSON_Delete(value);
        return cfn_fail(ctx, "module set a Data key that is not valid UTF-8 or holds control "
                             "characters: CloudFormation cannot read it");
    }
    cJSON *wrap = cJSON_CreateObject();
    char *why = NULL;
    if (!wrap || !cJSON_AddItemReferenceToObject(wrap, key, value)) {
        cJSON_Delete(wrap);
        cJSON_Delete(value);
        return cfn_fail(ctx, "out of memory setting Data");
    }
    int bad = cfn__data_check(wrap, &why);
    cJSON_Delete(wrap);
    if (bad) {
        cJSON_Delete(value);
        int rc = why ? cfn_fail(ctx, "%s", why) : cfn_fail(ctx, "out of memory");
        free(why);
        return rc;
    }
    if (!ctx->data && !(ctx->data = cJSON_CreateObject())) {
        cJSON_Delete(value);
        return cfn_fail(ctx, "out of memory setting Data %s", key);
    }
    if (cJSON_GetObjectItemCaseSensitive(ctx->data, key)) {
        cJSON_ReplaceItemInObjectCaseSensitive(ctx->data, key, value);
        return 0;
    }
    if (!cJSON_AddItemToObject(ctx->data, key, value)) {
        cJSON_Delete(value);
        return cfn_fail(ctx, "out of memory setting Data %s", key);
    }
    return 0;
}

int cfn_set_data(cfn_ctx *ctx, const char *key, const char *value)
{
    if (!value)
        return cfn_fail(ctx, "module set Data %s to NULL", key ? key : "");
    return cfn_set_data_json(ctx, key, cJSON_CreateString(value));
}

int cfn_set_dataf(cfn_ctx *ctx, const char *key, const char *fmt, ...)
{
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (!msg)
        return cfn_fail(ctx, "out of memory setting Data %s", key ? key : "");
    int rc = cfn_set_data(ctx, key, msg);
    free(msg);
    return rc;
}

void cfn_set_noecho(cfn_ctx *ctx, bool noecho)
{
    ctx->noecho = noecho;
}
