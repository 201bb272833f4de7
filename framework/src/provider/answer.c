/* Deciding the answer to one request: validation, dispatch, the physical id
 * and failed-create rules, without any notion of where the answer goes. */
#include "answer.h"

#include "ctx.h"
#include "physid.h"
#include "registry.h"
#include "strbuf.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <stdlib.h>
#include <string.h>

struct cfn__pending {
    cfn_ctx ctx;
    cfn__job *job; /* NULL when decided without a handler */
    int rc;        /* the decision's result when there is no job */
};

static int unknown_type(cfn_ctx *ctx)
{
    strbuf known = {0};
    for (size_t i = 0; i < cfn__registry_count(); i++)
        cfn__sb_printf(&known, "%s%s", i ? ", " : "", cfn__registry_at(i)->type);
    cfn_fail(ctx, "unknown ResourceType %.200s (this provider serves: %s)", ctx->req->resource_type,
             known.data ? known.data : "no types");
    free(known.data);
    return -1;
}

/* Decides at once (returning the result) or starts the callback as a job
 * (returning 0 with p->job set). */
static int dispatch(cfn__pending *p)
{
    cfn_ctx *ctx = &p->ctx;
    const request *req = ctx->req;
    if (req->invalid)
        return cfn_fail(ctx, "invalid request: %s", req->invalid);
    if (cfn__jobs_stopping())
        return cfn_fail(ctx,
                        "the provider is shutting down (SIGTERM): the handler for %s was "
                        "not started",
                        req->resource_type);
    const cfn_resource_type *type = cfn_lookup(req->resource_type);
    /* The Delete after a Create that answered this marker: only a type that
     * can find what such a Create made has anything to do; for every other
     * (even one no longer served) there is nothing to delete. */
    if (req->action == CFN_DELETE && cfn__physid_is_failed_create(req, req->physical_id)) {
        if (!type || type->version < 2 || !type->remove_failed_create)
            return 0;
        return cfn__job_start(ctx, type->remove_failed_create, &p->job);
    }
    if (!type)
        return unknown_type(ctx);
    cfn_callback cb = req->action == CFN_CREATE   ? type->create
                      : req->action == CFN_UPDATE ? type->update
                                                  : type->remove;
    if (!cb)
        return cfn_fail(ctx,
                        "%s does not support updates: to change this resource, give it a new "
                        "logical id in the template (CloudFormation then creates the new one "
                        "and deletes this one)",
                        type->type);
    return cfn__job_start(ctx, cb, &p->job);
}

int cfn__answer_start(const request *req, int64_t deadline, cfn__pending **out)
{
    cfn__pending *p = calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return cfn_error_set(CFN_ENOMEM, "out of memory deciding the answer");
    cfn__ctx_init(&p->ctx, req, deadline);
    p->rc = dispatch(p);
    *out = p;
    return 0;
}

cfn__job *cfn__answer_job(const cfn__pending *p)
{
    return p->job;
}

/* Whether the request is a Create: an unknown RequestType is parsed as one
 * (CFN_CREATE is 0) but is not, and keeps the id it came with. */
static bool is_create(const request *req)
{
    return req->type_name && strcmp(req->type_name, "Create") == 0;
}

void cfn__answer_finish(cfn__pending *p, answer *out)
{
    cfn_ctx *ctx = &p->ctx;
    const request *req = ctx->req;
    bool ok = (p->job ? cfn__job_finish(p->job) : p->rc) == 0;

    memset(out, 0, sizeof(*out));
    if (ok && req->action == CFN_CREATE)
        out->physical_id =
            ctx->physical_id ? cfn__strdup(ctx->physical_id) : cfn__physid_generate(req);
    else if (ok && req->action == CFN_UPDATE && ctx->physical_id)
        out->physical_id = cfn__strdup(ctx->physical_id);
    else if ((req->action != CFN_CREATE || !is_create(req)) && req->physical_id)
        out->physical_id = cfn__strdup(req->physical_id);
    else
        out->physical_id = cfn__physid_failed_create(req);
    if (!ok && !ctx->reason)
        cfn_fail(ctx, "handler for %s failed without giving a reason", req->resource_type);
    out->success = ok;
    out->noecho = ctx->noecho;
    if (ok) {
        out->data = ctx->data;
        ctx->data = NULL;
    } else {
        out->reason = ctx->reason;
        ctx->reason = NULL;
    }
    cfn__ctx_clear(ctx);
    free(p);
}

void cfn__answer_decide(const request *req, int64_t deadline, answer *out)
{
    cfn__pending *p;
    if (cfn__answer_start(req, deadline, &p) < 0) {
        memset(out, 0, sizeof(*out));
        return;
    }
    if (cfn__answer_job(p))
        cfn__job_wait(cfn__answer_job(p));
    cfn__answer_finish(p, out);
}

void cfn__answer_clear(answer *a)
{
    free(a->reason);
    free(a->physical_id);
    cJSON_Delete(a->data);
    memset(a, 0, sizeof(*a));
}
