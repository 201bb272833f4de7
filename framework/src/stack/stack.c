/* The stack lifecycle (stack.h): the change set, the forward phase in
 * dependency order, rollback, cleanup and delete in reverse order, and the
 * recovery of what a killed engine left in flight, all over the scheduler
 * (scheduler.h), the dispatcher and the store.
 *
 * Resource documents (store keys: the logical id; LogicalId#PhysicalId for
 * an old resource kept until cleanup or rollback) hold LogicalResourceId,
 * PhysicalResourceId, ResourceType, ResourceStatus, ResourceStatusReason,
 * Timestamp, Properties (resolved), Data, NoEcho, DependsOn (logical ids),
 * DeletionPolicy, UpdateReplacePolicy, and while a request is in flight its
 * RequestType, RequestId and OldProperties. During an update, Op says what
 * this update did to the resource ("created", "updated", "replacement":
 * the new one of a replacement, "replaced": the old one) and Previous holds
 * what an in-place update changed, for the rollback. */
#include "stack.h"

#include <cfnkit/cfnkit.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "eval.h"
#include "graph.h"
#include "params.h"
#include "plan.h"
#include "request.h"
#include "scheduler.h"
#include "strbuf.h"
#include "template.h"
#include "validate.h"

#define MASK "****"

typedef enum phase_kind { PH_FORWARD, PH_DELETE, PH_RESTORE, PH_SETTLE } phase_kind;

typedef struct op {
    const stk_env *env;
    const char *stack;
    char stack_id[256], owner[STK_STORE_OWNER_SIZE];
    cJSON *sdoc;     /* the stack document */
    cJSON *res;      /* key -> resource document, as stored */
    cJSON *failures; /* [{LogicalResourceId, ResourceType, ResourceStatus, ...}] */
    cJSON *secrets;  /* strings masked in every output */
    int64_t renewed_ms;
    /* deploy */
    const stk_deploy_args *args;
    cfn_template *t;
    cfn_eval *e;
    cfn_eval_ops ops;
    cfn_pseudo pseudo;
    cfn_graph *g;
    bool planning;  /* ops give stored values, unknown for what is not made */
    cJSON *exports; /* the store's exports, read once */
    cJSON *imports; /* export names this template imports */
    cJSON *served;  /* the types served, when one is not */
    bool update;    /* the stack existed: an update */
    /* the phase running */
    phase_kind phase;
    char **keys;               /* PH_DELETE, PH_RESTORE, PH_SETTLE: the nodes' documents */
    const char *delete_why;    /* "rollback", "cleanup", "delete" */
    const char *const *retain; /* delete-stack --retain-resources */
    size_t nretain;
} op;

/* ---- small helpers ---- */

static int oom(void)
{
    return cfn_error_set(CFN_ENOMEM, "out of memory");
}

static void now_iso(char out[64])
{
    int64_t ms = cfn__clock_epoch_ms();
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void uuid(char out[37])
{
    uint32_t r[4] = {cfn__random_u32(), cfn__random_u32(), cfn__random_u32(), cfn__random_u32()};
    snprintf(out, 37, "%08x-%04x-4%03x-%04x-%04x%08x", r[0], r[1] >> 16, r[1] & 0xfff,
             (r[2] >> 16 & 0x3fff) | 0x8000, r[2] & 0xffff, r[3]);
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void set_str(cJSON *o, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (value)
        cJSON_AddStringToObject(o, name, value);
}

static void set_item(cJSON *o, const char *name, cJSON *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(o, name);
    if (value)
        cJSON_AddItemToObject(o, name, value);
}

/* s with every secret replaced by MASK; the caller frees it. */
static char *masked(const op *o, const char *s)
{
    strbuf sb = {0};
    const char *p = s ? s : "";
    while (*p) {
        size_t best = 0;
        for (const cJSON *x = o->secrets ? o->secrets->child : NULL; x; x = x->next) {
            size_t n = strlen(x->valuestring);
            if (n && n > best && strncmp(p, x->valuestring, n) == 0)
                best = n;
        }
        if (best) {
            cfn__sb_append(&sb, MASK, strlen(MASK));
            p += best;
        } else {
            cfn__sb_append(&sb, p, 1);
            p++;
        }
    }
    return sb.data ? sb.data : cfn__strdup("");
}

static void add_secret(op *o, const char *s)
{
    if (!s || !*s)
        return;
    if (!o->secrets)
        o->secrets = cJSON_CreateArray();
    cJSON_AddItemToArray(o->secrets, cJSON_CreateString(s));
}

/* Every string of a NoEcho resource's Data is a secret. */
static void add_data_secrets(op *o, const cJSON *doc)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "NoEcho")))
        return;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "Data");
    for (const cJSON *d = data ? data->child : NULL; d; d = d->next)
        if (cJSON_IsString(d))
            add_secret(o, d->valuestring);
}

/* Keeps the lease while the operation runs. */
static int renew(op *o, bool force)
{
    int64_t now = cfn__clock_mono_ms();
    int secs = o->env->lease_seconds > 0 ? o->env->lease_seconds : 120;
    if (!force && now - o->renewed_ms < secs * 1000 / 3)
        return 0;
    o->renewed_ms = now;
    return stk_store_renew(o->env->store, o->stack, o->owner, secs);
}

/* ---- events and documents ---- */

static int event(op *o, const char *logical, const char *physical, const char *type,
                 const char *status, const char *reason)
{
    char ts[64], id[37], eid[400];
    now_iso(ts);
    uuid(id);
    snprintf(eid, sizeof(eid), "%s-%s-%s", logical, status, ts);
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return oom();
    cJSON_AddStringToObject(ev, "StackId", o->stack_id);
    cJSON_AddStringToObject(ev, "EventId", strcmp(logical, o->stack) == 0 ? id : eid);
    cJSON_AddStringToObject(ev, "StackName", o->stack);
    cJSON_AddStringToObject(ev, "LogicalResourceId", logical);
    cJSON_AddStringToObject(ev, "PhysicalResourceId", physical ? physical : "");
    cJSON_AddStringToObject(ev, "ResourceType", type);
    cJSON_AddStringToObject(ev, "Timestamp", ts);
    cJSON_AddStringToObject(ev, "ResourceStatus", status);
    if (reason) {
        char *m = masked(o, reason);
        cJSON_AddStringToObject(ev, "ResourceStatusReason", m ? m : "");
        free(m);
    }
    int rc = stk_store_add_event(o->env->store, o->stack, ev);
    if (rc == 0 && o->env->on_event)
        o->env->on_event(o->env->arg, ev);
    cJSON_Delete(ev);
    return rc;
}

static int stack_status(op *o, const char *status, const char *reason)
{
    char ts[64];
    now_iso(ts);
    set_str(o->sdoc, "StackStatus", status);
    set_str(o->sdoc, "StackStatusReason", reason);
    if (strncmp(status, "CREATE", 6) != 0)
        set_str(o->sdoc, "LastUpdatedTime", ts);
    int rc = stk_store_put_stack(o->env->store, o->stack, o->sdoc);
    if (rc < 0)
        return rc;
    return event(o, o->stack, o->stack_id, "AWS::CloudFormation::Stack", status, reason);
}

static int put_res(op *o, const char *key, cJSON *doc)
{
    char ts[64];
    now_iso(ts);
    set_str(doc, "Timestamp", ts);
    return stk_store_put_resource(o->env->store, o->stack, key, doc);
}

static int drop_res(op *o, const char *key)
{
    int rc = stk_store_delete_resource(o->env->store, o->stack, key);
    if (rc == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(o->res, key);
    return rc;
}

static void failure(op *o, const cJSON *doc, const char *status, const char *reason)
{
    cJSON *f = cJSON_CreateObject();
    char *m = masked(o, reason);
    cJSON_AddStringToObject(f, "LogicalResourceId", str(doc, "LogicalResourceId"));
    cJSON_AddStringToObject(f, "ResourceType", str(doc, "ResourceType"));
    cJSON_AddStringToObject(f, "ResourceStatus", status);
    cJSON_AddStringToObject(f, "ResourceStatusReason", m ? m : "");
    free(m);
    cJSON_AddItemToArray(o->failures, f);
}

/* A resource's status, stored, with its event. */
static int res_status(op *o, const char *key, cJSON *doc, const char *status, const char *reason)
{
    set_str(doc, "ResourceStatus", status);
    set_str(doc, "ResourceStatusReason", reason);
    char why[1024];
    int rc = put_res(o, key, doc);
    if (rc < 0 && strstr(status, "FAILED")) {
        /* The state could not be written: said with the reason. */
        snprintf(why, sizeof(why), "%s (and recording it failed: %s)", reason ? reason : "",
                 cfn_error_last());
        reason = why;
    }
    if (strstr(status, "FAILED"))
        failure(o, doc, status, reason);
    int erc = event(o, str(doc, "LogicalResourceId"), str(doc, "PhysicalResourceId"),
                    str(doc, "ResourceType"), status, reason);
    return rc < 0 ? rc : erc;
}

/* ---- sending requests ---- */

/* Notes the request in doc; the res_status() that follows records it (write
 * ahead) before dispatch() sends it. */
static int note_request(op *o, const char *key, cJSON *doc, const char *type,
                        const cJSON *old_props)
{
    char rid[37];
    uuid(rid);
    set_str(doc, "RequestType", type);
    set_str(doc, "RequestId", rid);
    set_item(doc, "OldProperties", old_props ? cJSON_Duplicate(old_props, 1) : NULL);
    (void)o;
    (void)key;
    return 0;
}

/* Sends (or resends, after a kill) the request recorded in doc. */
static int dispatch(op *o, const cJSON *doc, size_t node)
{
    stk_request req = {0};
    req.request_type = str(doc, "RequestType");
    req.stack_id = o->stack_id;
    req.logical_id = str(doc, "LogicalResourceId");
    req.resource_type = str(doc, "ResourceType");
    req.physical_id = str(doc, "PhysicalResourceId");
    req.properties = cJSON_GetObjectItemCaseSensitive(doc, "Properties");
    req.old_properties = cJSON_GetObjectItemCaseSensitive(doc, "OldProperties");
    req.request_id = str(doc, "RequestId");
    req.user = (void *)(uintptr_t)(node + 1);
    cJSON *empty = NULL;
    if (!req.properties)
        req.properties = empty = cJSON_CreateObject();
    int rc = stk_dispatch_start(o->env->dispatch, &req);
    cJSON_Delete(empty);
    return rc;
}

/* The physical id a Delete carries for a resource whose Create failed
 * without one: the framework's marker of a failed Create, which its Delete
 * answers without calling the module (provider/physid.h). */
static void failed_create_id(cJSON *doc)
{
    if (str(doc, "PhysicalResourceId"))
        return;
    char id[1024];
    snprintf(id, sizeof(id), "cfnkit-failed-create-%s-%s", str(doc, "LogicalResourceId"),
             str(doc, "RequestId") ? str(doc, "RequestId") : "none");
    set_str(doc, "PhysicalResourceId", id);
}

/* ---- the evaluator's view of resources ---- */

static const cJSON *current(const op *o, const char *logical)
{
    return cJSON_GetObjectItemCaseSensitive(o->res, logical);
}

static int op_ref(void *arg, const char *logical, cJSON **out)
{
    op *o = arg;
    const char *id = str(current(o, logical), "PhysicalResourceId");
    const char *status = str(current(o, logical), "ResourceStatus");
    if (id && status && !strstr(status, "FAILED") && !strstr(status, "CREATE_IN_PROGRESS"))
        return (*out = cJSON_CreateString(id)) ? 0 : oom();
    if (o->planning)
        return (*out = cfn_eval_unknown()) ? 0 : oom();
    return cfn_error_set(CFN_EINVAL, "resource %s has no physical id yet", logical);
}

static int op_getatt(void *arg, const char *logical, const char *attr, cJSON **out)
{
    op *o = arg;
    const cJSON *doc = current(o, logical);
    const cfn_node *r = cfn_template_resource(o->t, logical);
    const char *type = r ? cfn_node_scalar(cfn_node_get(r, "Type")) : NULL;
    const cfn_resource_type *desc = type ? cfn_lookup(type) : NULL;
    if (desc && desc->version >= 1 && desc->attributes && !cfn_type_has_attribute(desc, attr))
        return cfn_error_set(CFN_EINVAL,
                             "Template error: resource %s does not support attribute type %s in "
                             "Fn::GetAtt",
                             logical, attr);
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "Data"), attr);
    const char *status = str(doc, "ResourceStatus");
    bool made = status && !strstr(status, "FAILED") && !strstr(status, "CREATE_IN_PROGRESS");
    if (v && made)
        return (*out = cJSON_Duplicate(v, 1)) ? 0 : oom();
    if (o->planning)
        return (*out = cfn_eval_unknown()) ? 0 : oom();
    if (type && stk_type_is_custom(type))
        return cfn_error_set(CFN_EINVAL,
                             "CustomResource attribute error: Vendor response doesn't contain %s "
                             "key in object %s|%s",
                             attr, o->stack_id, logical);
    return cfn_error_set(CFN_EINVAL, "Template error: resource %s has no attribute %s", logical,
                         attr);
}

static int op_import(void *arg, const char *name, cJSON **out)
{
    op *o = arg;
    int rc;
    if (!o->exports && (rc = stk_store_list_exports(o->env->store, &o->exports)) < 0)
        return rc;
    for (const cJSON *x = o->exports ? o->exports->child : NULL; x; x = x->next) {
        const char *n = str(x, "Name");
        if (!n || strcmp(n, name) != 0)
            continue;
        bool listed = false;
        for (const cJSON *i = o->imports->child; i; i = i->next)
            listed |= strcmp(i->valuestring, name) == 0;
        if (!listed)
            cJSON_AddItemToArray(o->imports, cJSON_CreateString(name));
        return (*out = cJSON_CreateString(str(x, "Value") ? str(x, "Value") : "")) ? 0 : oom();
    }
    return cfn_error_set(CFN_ENOTFOUND, "No export named %s found.", name);
}

static int op_ssm(void *arg, const char *name, char **out)
{
    op *o = arg;
    cJSON *in = NULL, *res = NULL;
    int rc;
    if (!o->env->aws)
        return cfn_error_set(CFN_EINVAL, "no AWS client for Parameter Store");
    in = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(in, "Names"), cJSON_CreateString(name));
    cJSON_AddBoolToObject(in, "WithDecryption", 1);
    if ((rc = cfn_ssm(o->env->aws, "GetParameters", in, &res)) < 0)
        goto done;
    const cJSON *v =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(res, "Parameters"), 0), "Value");
    if (!cJSON_IsString(v)) {
        rc = cfn_error_set(CFN_ENOTFOUND, "not found in Parameter Store");
        goto done;
    }
    rc = (*out = cfn__strdup(v->valuestring)) ? 0 : oom();
done:
    cJSON_Delete(in);
    cJSON_Delete(res);
    return rc;
}

/* ---- the template side of a deploy ---- */

static const cfn_node *node_res(const op *o, size_t i)
{
    return o->g->resources[i];
}

static const char *node_type(const op *o, size_t i)
{
    return cfn_node_scalar(cfn_node_get(node_res(o, i), "Type"));
}

/* A resource's resolved properties ({} when it has none). */
static int eval_props(op *o, size_t i, cJSON **out)
{
    char path[400];
    snprintf(path, sizeof(path), "Resources/%s/Properties", o->g->ids[i]);
    const cfn_node *p = cfn_node_get(node_res(o, i), "Properties");
    *out = NULL;
    if (p) {
        int rc = cfn_eval_value(o->e, p, path, out);
        if (rc < 0)
            return rc;
    }
    if (!*out)
        *out = cJSON_CreateObject();
    return *out ? 0 : oom();
}

static cJSON *node_depends(const op *o, size_t i)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; k < o->g->nedges; k++) {
        const cfn_edge *e = &o->g->edges[k];
        if (e->from != i)
            continue;
        bool listed = false;
        for (const cJSON *x = a->child; x; x = x->next)
            listed |= strcmp(x->valuestring, o->g->ids[e->to]) == 0;
        if (!listed)
            cJSON_AddItemToArray(a, cJSON_CreateString(o->g->ids[e->to]));
    }
    return a;
}

static const char *policy(const op *o, size_t i, const char *name)
{
    const char *p = cfn_node_scalar(cfn_node_get(node_res(o, i), name));
    return p ? p : "Delete";
}

/* ---- phases ---- */

static int sched_wait(void *arg, size_t *node, bool *ok);

/* Handles a finished request of the phase running; *ok when it went well. */
static int finished(op *o, size_t node, stk_result *r, bool *ok);

static int sched_start(void *arg, size_t i);

static int run_graph(op *o, const stk_sched_graph *g, bool reverse, bool stop_on_failure,
                     stk_sched_state *state)
{
    stk_sched_ops ops = {.start = sched_start, .wait = sched_wait, .arg = o};
    size_t max = o->env->max_concurrency ? o->env->max_concurrency : STK_DEFAULT_CONCURRENCY;
    if (!reverse)
        return stk_sched_run(g, max, stop_on_failure, &ops, state);
    stk_sched_graph rg;
    int rc = stk_sched_graph_reverse(g, &rg);
    if (rc < 0)
        return rc;
    rc = stk_sched_run(&rg, max, stop_on_failure, &ops, state);
    stk_sched_graph_free(&rg);
    return rc;
}

/* The graph of stored documents o->keys[0..n) by their DependsOn. */
static int keys_graph(op *o, size_t n, stk_sched_graph *g)
{
    size_t *ndeps = calloc(n + 1, sizeof(size_t)), *ndependents = calloc(n + 1, sizeof(size_t));
    size_t **dependents = calloc(n + 1, sizeof(size_t *));
    memset(g, 0, sizeof(*g));
    if (!ndeps || !ndependents || !dependents)
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (!(dependents[i] = calloc(n + 1, sizeof(size_t))))
            goto oom;
    for (size_t i = 0; i < n; i++) {
        const cJSON *doc = cJSON_GetObjectItemCaseSensitive(o->res, o->keys[i]);
        const cJSON *deps = cJSON_GetObjectItemCaseSensitive(doc, "DependsOn");
        for (const cJSON *d = deps ? deps->child : NULL; d; d = d->next) {
            for (size_t j = 0; j < n; j++) {
                if (j == i || !cJSON_IsString(d) || strcmp(o->keys[j], d->valuestring) != 0)
                    continue;
                ndeps[i]++;
                dependents[j][ndependents[j]++] = i;
            }
        }
    }
    g->count = n;
    g->ndeps = ndeps;
    g->ndependents = ndependents;
    g->dependents = (const size_t *const *)dependents;
    return 0;
oom:
    for (size_t i = 0; dependents && i < n; i++)
        free(dependents[i]);
    free(dependents);
    free(ndeps);
    free(ndependents);
    return oom();
}

static void free_keys(op *o, size_t n)
{
    for (size_t i = 0; o->keys && i < n; i++)
        free(o->keys[i]);
    free(o->keys);
    o->keys = NULL;
}

/* Runs `kind` over the stored documents that `pick` selects, in dependency
 * order (PH_RESTORE, PH_SETTLE) or reverse order (PH_DELETE). Returns how
 * many did not finish well. */
static int run_docs(op *o, phase_kind kind, bool (*pick)(const op *, const char *, const cJSON *))
{
    size_t n = 0, total = (size_t)cJSON_GetArraySize(o->res);
    int rc;
    o->keys = calloc(total + 1, sizeof(char *));
    if (!o->keys)
        return oom();
    for (const cJSON *d = o->res->child; d; d = d->next)
        if (pick(o, d->string, d))
            o->keys[n++] = cfn__strdup(d->string);
    if (n == 0) {
        free_keys(o, n);
        return 0;
    }
    stk_sched_graph g;
    stk_sched_state *state = calloc(n, sizeof(*state));
    if (!state || (rc = keys_graph(o, n, &g)) < 0) {
        free(state);
        free_keys(o, n);
        return oom();
    }
    o->phase = kind;
    rc = run_graph(o, &g, kind == PH_DELETE, kind == PH_RESTORE, state);
    /* Settling resends everything in flight at once: no order. */
    stk_sched_graph_free(&g);
    free(state);
    free_keys(o, n);
    return rc;
}

static bool in_flight(const op *o, const char *key, const cJSON *doc)
{
    (void)o;
    (void)key;
    return str(doc, "RequestType") != NULL;
}

/* Sends again, with the same RequestId, every request a killed engine
 * recorded but did not see answered. */
static int settle(op *o)
{
    int rc = run_docs(o, PH_SETTLE, in_flight);
    return rc < 0 ? rc : 0;
}

/* ---- starting one node ---- */

static int start_delete(op *o, size_t i)
{
    const char *key = o->keys[i];
    cJSON *doc = cJSON_GetObjectItemCaseSensitive(o->res, key);
    const char *pol = str(doc, "DeletionPolicy");
    const char *op_did = str(doc, "Op");
    bool created_now =
        op_did && (strcmp(op_did, "created") == 0 || strcmp(op_did, "replacement") == 0);
    if (strcmp(o->delete_why, "cleanup") == 0 && op_did && strcmp(op_did, "replaced") == 0)
        pol = str(doc, "UpdateReplacePolicy");
    if (!pol)
        pol = "Delete";
    if (strcmp(pol, "Retain") == 0 || (strcmp(pol, "RetainExceptOnCreate") == 0 &&
                                       !(strcmp(o->delete_why, "rollback") == 0 && created_now))) {
        int rc = event(o, str(doc, "LogicalResourceId"), str(doc, "PhysicalResourceId"),
                       str(doc, "ResourceType"), "DELETE_SKIPPED", NULL);
        if (rc == 0)
            rc = drop_res(o, key);
        return rc < 0 ? rc : 0;
    }
    failed_create_id(doc);
    int rc = note_request(o, key, doc, "Delete", NULL);
    if (rc == 0)
        rc = res_status(o, key, doc, "DELETE_IN_PROGRESS", NULL);
    if (rc == 0)
        rc = dispatch(o, doc, i);
    if (rc < 0) {
        res_status(o, key, doc, "DELETE_FAILED", cfn_error_last());
        return -1;
    }
    return 1;
}

/* Update rollback: an in-place update sent back (ResourceProperties = old,
 * OldResourceProperties = new), or a replacement undone (the old one is
 * current again; the new one waits for the rollback's cleanup). */
static int start_restore(op *o, size_t i)
{
    const char *key = o->keys[i];
    cJSON *doc = cJSON_GetObjectItemCaseSensitive(o->res, key);
    const char *did = str(doc, "Op");
    const char *logical = str(doc, "LogicalResourceId");
    int rc;
    if (did && strcmp(did, "replaced") == 0) {
        /* The old one of a replacement: current again. */
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(o->res, logical);
        const char *cur_id = str(cur, "PhysicalResourceId"),
                   *old_id = str(doc, "PhysicalResourceId");
        if (cur && (!cur_id || !old_id || strcmp(cur_id, old_id) != 0)) {
            /* The new one (made, or failed making) waits for the rollback's cleanup. */
            cJSON *moved = cJSON_Duplicate(cur, 1);
            failed_create_id(moved);
            char k[1400];
            snprintf(k, sizeof(k), "%s#%s", logical, str(moved, "PhysicalResourceId"));
            set_str(moved, "Op", "replacement");
            if ((rc = put_res(o, k, moved)) < 0) {
                cJSON_Delete(moved);
                return rc;
            }
            cJSON_AddItemToObject(o->res, k, moved);
        }
        cJSON *back = cJSON_Duplicate(doc, 1);
        set_str(back, "Op", NULL);
        if ((rc = put_res(o, logical, back)) < 0 || (rc = drop_res(o, key)) < 0) {
            cJSON_Delete(back);
            return rc;
        }
        if (!cJSON_ReplaceItemInObjectCaseSensitive(o->res, logical, back))
            cJSON_AddItemToObject(o->res, logical, back);
        rc = event(o, logical, str(back, "PhysicalResourceId"), str(back, "ResourceType"),
                   "UPDATE_COMPLETE", NULL);
        return rc < 0 ? rc : 0;
    }
    /* Updated in place (or its update failed): an Update back. */
    cJSON *prev = cJSON_GetObjectItemCaseSensitive(doc, "Previous");
    cJSON *newp = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "Properties"), 1);
    set_item(doc, "Properties",
             cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(prev, "Properties"), 1));
    rc = note_request(o, key, doc, "Update", newp);
    cJSON_Delete(newp);
    if (rc == 0)
        rc = res_status(o, key, doc, "UPDATE_IN_PROGRESS", NULL);
    if (rc == 0)
        rc = dispatch(o, doc, i);
    if (rc < 0) {
        res_status(o, key, doc, "UPDATE_FAILED", cfn_error_last());
        return -1;
    }
    return 1;
}

static int start_forward(op *o, size_t i)
{
    const char *logical = o->g->ids[i], *type = node_type(o, i);
    cJSON *props = NULL, *doc = cJSON_GetObjectItemCaseSensitive(o->res, logical);
    int rc = renew(o, false);
    if (rc < 0)
        return rc;
    rc = eval_props(o, i, &props);
    const char *was = str(doc, "ResourceStatus");
    bool fresh = !doc || (was && strcmp(was, "CREATE_FAILED") == 0);
    const char *in_progress = fresh ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS";
    if (rc < 0) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "LogicalResourceId", logical);
        cJSON_AddStringToObject(d, "ResourceType", type);
        const char *st = fresh ? "CREATE_FAILED" : "UPDATE_FAILED";
        failure(o, d, st, cfn_error_last());
        event(o, logical, doc ? str(doc, "PhysicalResourceId") : NULL, type, st, cfn_error_last());
        cJSON_Delete(d);
        return -1;
    }
    if (stk_type_is_custom(type) && !cJSON_GetObjectItemCaseSensitive(props, "ServiceToken")) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "LogicalResourceId", logical);
        cJSON_AddStringToObject(d, "ResourceType", type);
        const char *why = "Properties validation failed for resource: ServiceToken is required";
        failure(o, d, fresh ? "CREATE_FAILED" : "UPDATE_FAILED", why);
        event(o, logical, NULL, type, fresh ? "CREATE_FAILED" : "UPDATE_FAILED", why);
        cJSON_Delete(d);
        cJSON_Delete(props);
        return -1;
    }
    if (!fresh) {
        const cJSON *old = cJSON_GetObjectItemCaseSensitive(doc, "Properties");
        bool same_type = str(doc, "ResourceType") && strcmp(str(doc, "ResourceType"), type) == 0;
        if (same_type && stk_json_same(old, props)) {
            cJSON_Delete(props);
            /* Unchanged: not touched; what the engine keeps of it (its
             * dependencies, for deletes; its policies) follows the template. */
            cJSON *deps = node_depends(o, i);
            const char *dp = policy(o, i, "DeletionPolicy");
            const char *rp = policy(o, i, "UpdateReplacePolicy");
            if (cJSON_Compare(deps, cJSON_GetObjectItemCaseSensitive(doc, "DependsOn"), 1) &&
                str(doc, "DeletionPolicy") && strcmp(str(doc, "DeletionPolicy"), dp) == 0 &&
                str(doc, "UpdateReplacePolicy") &&
                strcmp(str(doc, "UpdateReplacePolicy"), rp) == 0) {
                cJSON_Delete(deps);
                return 0;
            }
            set_item(doc, "DependsOn", deps);
            set_str(doc, "DeletionPolicy", dp);
            set_str(doc, "UpdateReplacePolicy", rp);
            return put_res(o, logical, doc) < 0 ? -1 : 0;
        }
        if (stk_type_is_custom(type) && same_type) {
            const char *a = str(old, "ServiceToken"), *b = str(props, "ServiceToken");
            if (!a || !b || strcmp(a, b) != 0) {
                const char *why = "Modifying service token is not allowed.";
                failure(o, doc, "UPDATE_FAILED", why);
                event(o, logical, str(doc, "PhysicalResourceId"), type, "UPDATE_FAILED", why);
                cJSON_Delete(props);
                return -1;
            }
        }
        if (same_type && !stk_plan_replacing_property(type, old, props)) {
            /* In place. */
            cJSON *prev = cJSON_CreateObject();
            cJSON_AddItemToObject(prev, "Properties", cJSON_Duplicate(old, 1));
            cJSON_AddStringToObject(prev, "PhysicalResourceId", str(doc, "PhysicalResourceId"));
            const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "Data");
            if (data)
                cJSON_AddItemToObject(prev, "Data", cJSON_Duplicate(data, 1));
            set_item(doc, "Previous", prev);
            set_str(doc, "Op", "updated");
            /* Properties is replaced: OldResourceProperties from the copy in Previous. */
            set_item(doc, "Properties", props);
            set_item(doc, "DependsOn", node_depends(o, i));
            set_str(doc, "DeletionPolicy", policy(o, i, "DeletionPolicy"));
            set_str(doc, "UpdateReplacePolicy", policy(o, i, "UpdateReplacePolicy"));
            rc = note_request(o, logical, doc, "Update",
                              cJSON_GetObjectItemCaseSensitive(prev, "Properties"));
            if (rc == 0)
                rc = res_status(o, logical, doc, "UPDATE_IN_PROGRESS", NULL);
            if (rc == 0)
                rc = dispatch(o, doc, i);
            if (rc < 0) {
                res_status(o, logical, doc, "UPDATE_FAILED", cfn_error_last());
                return -1;
            }
            return 1;
        }
        /* Replacement: the old one waits for cleanup under LogicalId#PhysicalId. */
        char k[1400];
        snprintf(k, sizeof(k), "%s#%s", logical, str(doc, "PhysicalResourceId"));
        cJSON *old_doc = cJSON_Duplicate(doc, 1);
        set_str(old_doc, "Op", "replaced");
        set_str(old_doc, "RequestType", NULL);
        if ((rc = put_res(o, k, old_doc)) < 0) {
            cJSON_Delete(old_doc);
            cJSON_Delete(props);
            return rc;
        }
        cJSON_AddItemToObject(o->res, k, old_doc);
        in_progress = "UPDATE_IN_PROGRESS";
    }
    cJSON *nd = cJSON_CreateObject();
    cJSON_AddStringToObject(nd, "LogicalResourceId", logical);
    cJSON_AddStringToObject(nd, "ResourceType", type);
    cJSON_AddItemToObject(nd, "Properties", props);
    cJSON_AddItemToObject(nd, "DependsOn", node_depends(o, i));
    cJSON_AddStringToObject(nd, "DeletionPolicy", policy(o, i, "DeletionPolicy"));
    cJSON_AddStringToObject(nd, "UpdateReplacePolicy", policy(o, i, "UpdateReplacePolicy"));
    cJSON_AddStringToObject(nd, "Op", fresh ? "created" : "replacement");
    if (doc)
        cJSON_ReplaceItemInObjectCaseSensitive(o->res, logical, nd);
    else
        cJSON_AddItemToObject(o->res, logical, nd);
    rc = note_request(o, logical, nd, "Create", NULL);
    if (rc == 0)
        rc = res_status(o, logical, nd, in_progress,
                        fresh ? NULL
                              : "Requested update requires the creation of a new physical "
                                "resource; hence creating one.");
    if (rc == 0)
        rc = dispatch(o, nd, i);
    if (rc < 0) {
        res_status(o, logical, nd, fresh ? "CREATE_FAILED" : "UPDATE_FAILED", cfn_error_last());
        return -1;
    }
    return 1;
}

static int sched_start(void *arg, size_t i)
{
    op *o = arg;
    switch (o->phase) {
    case PH_FORWARD:
        return start_forward(o, i);
    case PH_DELETE:
        return start_delete(o, i);
    case PH_RESTORE:
        return start_restore(o, i);
    case PH_SETTLE: {
        cJSON *doc = cJSON_GetObjectItemCaseSensitive(o->res, o->keys[i]);
        return dispatch(o, doc, i) < 0 ? -1 : 1;
    }
    }
    return -1;
}

static int sched_wait(void *arg, size_t *node, bool *ok)
{
    op *o = arg;
    for (;;) {
        stk_result r = {0};
        int tick = o->env->on_tick && o->env->tick_ms > 0 ? o->env->tick_ms : 1000;
        int rc = stk_dispatch_wait(o->env->dispatch, tick < 1000 ? tick : 1000, &r);
        if (rc < 0)
            return rc;
        if (rc == 0 && o->env->on_tick && o->env->tick_ms > 0)
            o->env->on_tick(o->env->arg);
        if (renew(o, false) < 0) {
            stk_result_clear(&r);
            return cfn_error_set(CFN_EBUSY, "lost the lease on stack %s: %s", o->stack,
                                 cfn_error_last());
        }
        if (rc == 0)
            continue;
        *node = (size_t)(uintptr_t)r.user - 1;
        rc = finished(o, *node, &r, ok);
        stk_result_clear(&r);
        return rc;
    }
}

/* ---- a request answered ---- */

static int finished(op *o, size_t node, stk_result *r, bool *ok)
{
    const char *key = o->phase == PH_FORWARD ? o->g->ids[node] : o->keys[node];
    cJSON *doc = cJSON_GetObjectItemCaseSensitive(o->res, key);
    char type[16], did[16];
    snprintf(type, sizeof(type), "%s", str(doc, "RequestType") ? str(doc, "RequestType") : "");
    snprintf(did, sizeof(did), "%s", str(doc, "Op") ? str(doc, "Op") : "");
    /* A resource new in an update is created (CREATE_*); the new one of a
     * replacement is its resource's update (UPDATE_*), as CloudFormation's
     * events show them. */
    bool update_op = strcmp(did, "replacement") == 0;
    char reason[1200];
    snprintf(reason, sizeof(reason), "%s", r->reason ? r->reason : "");
    *ok = r->success;
    if (strcmp(type, "Delete") == 0) {
        set_str(doc, "RequestType", NULL);
        if (r->success) {
            int rc = event(o, str(doc, "LogicalResourceId"), str(doc, "PhysicalResourceId"),
                           str(doc, "ResourceType"), "DELETE_COMPLETE", NULL);
            return rc < 0 ? rc : drop_res(o, key);
        }
        return res_status(o, key, doc, "DELETE_FAILED", reason);
    }
    bool in_place = strcmp(type, "Update") == 0;
    if (r->success && r->physical_id) {
        const char *before = str(doc, "PhysicalResourceId");
        in_place = in_place && (!before || strcmp(before, r->physical_id) == 0);
        if (strcmp(type, "Update") == 0 && before && strcmp(before, r->physical_id) != 0 &&
            (o->phase == PH_FORWARD || o->phase == PH_SETTLE)) {
            /* The provider answered a new id: a replacement; the old one is
             * deleted in cleanup with its old properties. */
            char k[1400];
            snprintf(k, sizeof(k), "%s#%s", key, before);
            cJSON *old_doc = cJSON_Duplicate(doc, 1), *prev = cJSON_GetObjectItem(doc, "Previous");
            set_item(old_doc, "Properties",
                     cJSON_Duplicate(cJSON_GetObjectItem(prev, "Properties"), 1));
            set_item(old_doc, "Data", cJSON_Duplicate(cJSON_GetObjectItem(prev, "Data"), 1));
            set_item(old_doc, "Previous", NULL);
            set_item(old_doc, "OldProperties", NULL);
            set_str(old_doc, "RequestType", NULL);
            set_str(old_doc, "Op", "replaced");
            set_str(old_doc, "ResourceStatus", "UPDATE_COMPLETE");
            int rc = put_res(o, k, old_doc);
            if (rc < 0) {
                cJSON_Delete(old_doc);
                return rc;
            }
            cJSON_AddItemToObject(o->res, k, old_doc);
            set_str(doc, "Op", "replacement");
            set_item(doc, "Previous", NULL);
        }
        set_str(doc, "PhysicalResourceId", r->physical_id);
    } else if (r->physical_id && !str(doc, "PhysicalResourceId")) {
        set_str(doc, "PhysicalResourceId", r->physical_id);
    }
    if (r->success) {
        cJSON *data = r->data ? cJSON_Duplicate(r->data, 1) : NULL;
        const cJSON *had = cJSON_GetObjectItemCaseSensitive(doc, "Data");
        /* An update in place keeps the attributes its answer leaves out:
         * AWS gives some only when the resource is made (an access key's
         * secret), and Fn::GetAtt still reads them after an update. */
        if (in_place && cJSON_IsObject(had)) {
            if (!data)
                data = cJSON_CreateObject();
            for (const cJSON *a = had->child; data && a; a = a->next)
                if (!cJSON_GetObjectItemCaseSensitive(data, a->string))
                    cJSON_AddItemToObject(data, a->string, cJSON_Duplicate(a, 1));
        }
        set_item(doc, "Data", data);
        if (r->no_echo)
            cJSON_AddBoolToObject(doc, "NoEcho", 1);
        add_data_secrets(o, doc);
    }
    set_str(doc, "RequestType", NULL);
    set_item(doc, "OldProperties", NULL);
    if (o->phase == PH_RESTORE && r->success) {
        set_item(doc, "Previous", NULL);
        set_str(doc, "Op", NULL);
    }
    const char *status;
    if (strcmp(type, "Create") == 0 && !update_op)
        status = r->success ? "CREATE_COMPLETE" : "CREATE_FAILED";
    else
        status = r->success ? "UPDATE_COMPLETE" : "UPDATE_FAILED";
    return res_status(o, key, doc, status, r->success ? NULL : reason);
}

/* ---- the pieces of an operation ---- */

static bool pick_all(const op *o, const char *key, const cJSON *doc)
{
    (void)o;
    (void)key;
    (void)doc;
    return true;
}

/* Cleanup after an update: the old ones of replacements, and what the new
 * template no longer has. */
static bool pick_cleanup(const op *o, const char *key, const cJSON *doc)
{
    (void)o;
    (void)key;
    const char *did = str(doc, "Op");
    return did && (strcmp(did, "replaced") == 0 || strcmp(did, "removed") == 0);
}

/* Update rollback, first pass: what this update changed in place, and the
 * old ones of replacements, made current again. */
static bool pick_restore(const op *o, const char *key, const cJSON *doc)
{
    (void)o;
    (void)key;
    const char *did = str(doc, "Op");
    return did && (strcmp(did, "updated") == 0 || strcmp(did, "replaced") == 0);
}

/* Update rollback, cleanup: what this update created. */
static bool pick_created(const op *o, const char *key, const cJSON *doc)
{
    (void)o;
    (void)key;
    const char *did = str(doc, "Op");
    return did && (strcmp(did, "created") == 0 || strcmp(did, "replacement") == 0);
}

static int clear_ops(op *o)
{
    for (cJSON *d = o->res->child; d; d = d->next) {
        if (!str(d, "Op") && !cJSON_GetObjectItemCaseSensitive(d, "Previous"))
            continue;
        set_str(d, "Op", NULL);
        set_item(d, "Previous", NULL);
        int rc = put_res(o, d->string, d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int reload(op *o)
{
    cJSON_Delete(o->res);
    o->res = NULL;
    int rc = stk_store_list_resources(o->env->store, o->stack, &o->res);
    if (rc == 0 && !o->res)
        o->res = cJSON_CreateObject();
    for (const cJSON *d = o->res ? o->res->child : NULL; d; d = d->next)
        add_data_secrets(o, d);
    return rc;
}

/* Rolls a failed create back: everything deleted, in reverse order. */
static int release_imports(op *o, const cJSON *from, const cJSON *keep);

/* The exports the stack holds made those of `outs` again (after a rollback:
 * a claim the failed operation made is undone, a value it changed is set
 * back). Every export is tried; the first error is returned. */
static int sync_exports(op *o, const cJSON *outs)
{
    cJSON *all = NULL;
    int rc = stk_store_list_exports(o->env->store, &all), first = 0;
    if (rc < 0)
        return rc;
    for (const cJSON *x = all ? all->child : NULL; x; x = x->next) {
        const char *name = str(x, "Name"), *by = str(x, "ExportingStackId");
        if (!name || !by || strcmp(by, o->stack_id) != 0)
            continue;
        const cJSON *want = NULL;
        for (const cJSON *y = outs ? outs->child : NULL; y; y = y->next)
            if (str(y, "ExportName") && strcmp(str(y, "ExportName"), name) == 0)
                want = y;
        rc = want ? stk_store_claim_export(o->env->store, name, str(want, "OutputValue"),
                                           o->stack_id)
                  : stk_store_release_export(o->env->store, name, o->stack_id);
        if (rc < 0 && !first)
            first = rc;
    }
    cJSON_Delete(all);
    return first;
}

static int rollback_create(op *o, const char *reason)
{
    int rc = stack_status(o, "ROLLBACK_IN_PROGRESS", reason);
    if (rc < 0)
        return rc;
    o->delete_why = "rollback";
    int bad = run_docs(o, PH_DELETE, pick_all);
    if (bad < 0)
        return bad;
    /* Nothing of the stack stays: no export, no import. */
    sync_exports(o, NULL);
    release_imports(o, cJSON_GetObjectItemCaseSensitive(o->sdoc, "Imports"), NULL);
    set_item(o->sdoc, "Imports", cJSON_CreateArray());
    set_item(o->sdoc, "Outputs", cJSON_CreateArray());
    return stack_status(o, bad == 0 ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", NULL);
}

/* Rolls a failed update back: updates sent back, replacements undone, then
 * what the update created deleted. */
static int rollback_update(op *o, const char *reason)
{
    int rc = stack_status(o, "UPDATE_ROLLBACK_IN_PROGRESS", reason);
    if (rc < 0)
        return rc;
    int bad = run_docs(o, PH_RESTORE, pick_restore);
    if (bad < 0)
        return bad;
    if (bad > 0)
        return stack_status(o, "UPDATE_ROLLBACK_FAILED", NULL);
    const cJSON *prev = cJSON_GetObjectItemCaseSensitive(o->sdoc, "Previous");
    if (prev) {
        /* The outputs, exports and imports as they were. */
        release_imports(o, cJSON_GetObjectItemCaseSensitive(o->sdoc, "Imports"),
                        cJSON_GetObjectItemCaseSensitive(prev, "Imports"));
        for (const cJSON *p = prev->child; p; p = p->next)
            set_item(o->sdoc, p->string, cJSON_Duplicate(p, 1));
        set_item(o->sdoc, "Previous", NULL);
        sync_exports(o, cJSON_GetObjectItemCaseSensitive(o->sdoc, "Outputs"));
    }
    if ((rc = stack_status(o, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", NULL)) < 0)
        return rc;
    o->delete_why = "rollback";
    if ((rc = run_docs(o, PH_DELETE, pick_created)) < 0)
        return rc;
    if ((rc = clear_ops(o)) < 0)
        return rc;
    return stack_status(o, "UPDATE_ROLLBACK_COMPLETE", NULL);
}

static int cleanup_update(op *o)
{
    int rc;
    /* What the template no longer has is marked first (write ahead). */
    for (cJSON *d = o->res->child; o->g && d; d = d->next) {
        if (strchr(d->string, '#') || cfn_graph_find(o->g, d->string) != (size_t)-1)
            continue;
        set_str(d, "Op", "removed");
        if ((rc = put_res(o, d->string, d)) < 0)
            return rc;
    }
    if ((rc = stack_status(o, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", NULL)) < 0)
        return rc;
    o->delete_why = "cleanup";
    /* A failure in cleanup does not fail the update. */
    if ((rc = run_docs(o, PH_DELETE, pick_cleanup)) < 0)
        return rc;
    if ((rc = clear_ops(o)) < 0)
        return rc;
    set_item(o->sdoc, "Previous", NULL);
    return stack_status(o, "UPDATE_COMPLETE", NULL);
}

/* Finishes or rolls back what a killed engine left: requests in flight
 * resent, then the operation it was in completed or rolled back. Leaves the
 * stack in a settled state (or gone, after a delete). */
static int recover(op *o, bool *gone)
{
    const char *st = str(o->sdoc, "StackStatus");
    int rc;
    *gone = false;
    if (!st || !strstr(st, "IN_PROGRESS"))
        return 0;
    if ((rc = settle(o)) < 0)
        return rc;
    char status[64];
    snprintf(status, sizeof(status), "%s", st);
    if (strcmp(status, "CREATE_IN_PROGRESS") == 0 || strcmp(status, "ROLLBACK_IN_PROGRESS") == 0)
        return rollback_create(o, "The engine stopped before the stack was created.");
    if (strcmp(status, "UPDATE_IN_PROGRESS") == 0 ||
        strcmp(status, "UPDATE_ROLLBACK_IN_PROGRESS") == 0 ||
        strcmp(status, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS") == 0)
        return rollback_update(o, "The engine stopped before the stack was updated.");
    if (strcmp(status, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") == 0)
        return cleanup_update(o);
    if (strcmp(status, "DELETE_IN_PROGRESS") == 0) {
        o->delete_why = "delete";
        int bad = run_docs(o, PH_DELETE, pick_all);
        if (bad < 0)
            return bad;
        if (bad > 0)
            return stack_status(o, "DELETE_FAILED", NULL);
        release_imports(o, cJSON_GetObjectItemCaseSensitive(o->sdoc, "Imports"), NULL);
        const cJSON *outs = cJSON_GetObjectItemCaseSensitive(o->sdoc, "Outputs");
        for (const cJSON *x = outs ? outs->child : NULL; x; x = x->next)
            if (str(x, "ExportName"))
                stk_store_release_export(o->env->store, str(x, "ExportName"), o->stack_id);
        if ((rc = event(o, o->stack, o->stack_id, "AWS::CloudFormation::Stack", "DELETE_COMPLETE",
                        NULL)) < 0 ||
            (rc = stk_store_delete_stack(o->env->store, o->stack)) < 0)
            return rc;
        *gone = true;
    }
    return 0;
}

static int lease(op *o)
{
    int rc = stk_store_owner(o->owner);
    if (rc < 0)
        return rc;
    int secs = o->env->lease_seconds > 0 ? o->env->lease_seconds : 120;
    rc = stk_store_lease(o->env->store, o->stack, o->owner, secs);
    if (rc < 0) {
        o->owner[0] = '\0';
        return rc;
    }
    o->renewed_ms = cfn__clock_mono_ms();
    return 0;
}

static int open_stack(op *o)
{
    int rc = stk_store_get_stack(o->env->store, o->stack, &o->sdoc);
    if (rc < 0)
        return rc;
    if ((rc = reload(o)) < 0)
        return rc;
    o->failures = cJSON_CreateArray();
    if (o->sdoc && str(o->sdoc, "StackId"))
        snprintf(o->stack_id, sizeof(o->stack_id), "%s", str(o->sdoc, "StackId"));
    return o->failures ? 0 : oom();
}

static void op_done(op *o)
{
    if (o->owner[0])
        stk_store_release(o->env->store, o->stack, o->owner);
    cJSON_Delete(o->sdoc);
    cJSON_Delete(o->res);
    cJSON_Delete(o->failures);
    cJSON_Delete(o->secrets);
    cJSON_Delete(o->exports);
    cJSON_Delete(o->imports);
    cJSON_Delete(o->served);
    cfn_graph_free(o->g);
    cfn_eval_free(o->e);
    cfn_template_free(o->t);
}

static cJSON *make_report(op *o, cJSON *changes)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "Changes", changes ? changes : cJSON_CreateArray());
    cJSON_AddItemToObject(r, "Failures",
                          o->failures ? cJSON_Duplicate(o->failures, 1) : cJSON_CreateArray());
    if (o->sdoc)
        cJSON_AddItemToObject(r, "Stack", stk__stack_view(o->sdoc));
    if (o->served)
        cJSON_AddItemToObject(r, "ServedTypes", cJSON_Duplicate(o->served, 1));
    return r;
}

/* ---- exports and imports ---- */

/* Removes the imports of `from` that `keep` does not list. */
static int release_imports(op *o, const cJSON *from, const cJSON *keep)
{
    for (const cJSON *x = from ? from->child : NULL; x; x = x->next) {
        bool kept = false;
        for (const cJSON *k = keep ? keep->child : NULL; k; k = k->next)
            kept |= strcmp(k->valuestring, x->valuestring) == 0;
        if (!kept && cJSON_IsString(x))
            stk_store_remove_import(o->env->store, x->valuestring, o->stack);
    }
    return 0;
}

/* The stacks other than ours importing `name`, as "[A, B]"; NULL when none. */
static char *importers(op *o, const char *name)
{
    cJSON *list = NULL;
    if (stk_store_importers(o->env->store, name, &list) < 0)
        return NULL;
    strbuf sb = {0};
    for (const cJSON *x = list ? list->child : NULL; x; x = x->next) {
        const char *s = cJSON_IsString(x) ? x->valuestring : str(x, "StackName");
        if (!s || strcmp(s, o->stack) == 0)
            continue;
        cfn__sb_printf(&sb, "%s%s", sb.len ? ", " : "", s);
    }
    cJSON_Delete(list);
    return sb.data;
}

/* The outputs of the template, evaluated; exports claimed (new or changed
 * ones) and released (gone ones), refused while imported. */
static int outputs(op *o, cJSON **out)
{
    cJSON *outs = cJSON_CreateArray();
    int rc = 0;
    *out = NULL;
    for (size_t i = 0; o->t->outputs && i < o->t->outputs->count; i++) {
        const cfn_node *n = o->t->outputs->items[i];
        const char *cond = cfn_node_scalar(cfn_node_get(n, "Condition"));
        int holds = 1;
        if (cond && (rc = cfn_eval_condition(o->e, cond, &holds)) < 0)
            goto done;
        if (holds != 1)
            continue;
        char path[400];
        snprintf(path, sizeof(path), "Outputs/%s/Value", n->key);
        cJSON *v = NULL, *name = NULL;
        if ((rc = cfn_eval_value(o->e, cfn_node_get(n, "Value"), path, &v)) < 0)
            goto done;
        strbuf sb = {0};
        if (cJSON_IsArray(v)) {
            for (const cJSON *x = v->child; x; x = x->next)
                cfn__sb_printf(&sb, "%s%s", x == v->child ? "" : ",",
                               cfn_eval_string(x) ? cfn_eval_string(x) : "");
        } else {
            cfn__sb_printf(&sb, "%s", cfn_eval_string(v) ? cfn_eval_string(v) : "");
        }
        cJSON_Delete(v);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "OutputKey", n->key);
        cJSON_AddStringToObject(x, "OutputValue", sb.data ? sb.data : "");
        free(sb.data);
        const char *desc = cfn_node_scalar(cfn_node_get(n, "Description"));
        if (desc)
            cJSON_AddStringToObject(x, "Description", desc);
        const cfn_node *exp = cfn_node_get(cfn_node_get(n, "Export"), "Name");
        if (exp) {
            snprintf(path, sizeof(path), "Outputs/%s/Export/Name", n->key);
            if ((rc = cfn_eval_export_name(o->e, exp, path, &name)) < 0) {
                cJSON_Delete(x);
                goto done;
            }
            cJSON_AddStringToObject(x, "ExportName", cfn_eval_string(name));
            cJSON_Delete(name);
        }
        cJSON_AddItemToArray(outs, x);
    }
done:
    if (rc < 0)
        cJSON_Delete(outs);
    else
        *out = outs;
    return rc;
}

static int apply_exports(op *o, const cJSON *outs)
{
    const cJSON *had = cJSON_GetObjectItemCaseSensitive(o->sdoc, "Outputs");
    int rc;
    /* Gone or changed exports that another stack imports are refused. */
    for (const cJSON *h = had ? had->child : NULL; h; h = h->next) {
        const char *name = str(h, "ExportName");
        if (!name)
            continue;
        const cJSON *now = NULL;
        for (const cJSON *x = outs->child; x; x = x->next)
            if (str(x, "ExportName") && strcmp(str(x, "ExportName"), name) == 0)
                now = x;
        if (now && strcmp(str(now, "OutputValue"), str(h, "OutputValue")) == 0)
            continue;
        char *who = importers(o, name);
        if (who) {
            rc = cfn_error_set(CFN_EINVAL, "Export %s cannot be %s as it is in use by %s", name,
                               now ? "updated" : "deleted", who);
            free(who);
            return rc;
        }
    }
    for (const cJSON *x = outs->child; x; x = x->next) {
        const char *name = str(x, "ExportName");
        if (!name)
            continue;
        if ((rc = stk_store_claim_export(o->env->store, name, str(x, "OutputValue"), o->stack_id)) <
            0)
            return rc;
    }
    for (const cJSON *h = had ? had->child : NULL; h; h = h->next) {
        const char *name = str(h, "ExportName");
        bool kept = false;
        for (const cJSON *x = outs->child; name && x; x = x->next)
            kept |= str(x, "ExportName") && strcmp(str(x, "ExportName"), name) == 0;
        if (name && !kept)
            stk_store_release_export(o->env->store, name, o->stack_id);
    }
    return 0;
}

/* Output values masked where they carry a secret. */
static void mask_outputs(op *o, cJSON *outs)
{
    for (cJSON *x = outs ? outs->child : NULL; x; x = x->next) {
        char *m = masked(o, str(x, "OutputValue"));
        set_str(x, "OutputValue", m);
        free(m);
    }
}

/* ---- deploy ---- */

static int graph_filter(void *arg, const cfn_node *resource)
{
    return cfn_validate_created(arg, resource);
}

/* The template read and checked, the evaluator and the graph made. */
static int load(op *o, strbuf *problems)
{
    const stk_deploy_args *a = o->args;
    int rc;
    if ((rc = cfn_template_load(a->template_file, &o->t)) < 0)
        return rc;
    o->pseudo.account_id = o->env->account;
    o->pseudo.region = o->env->region;
    o->pseudo.stack_name = o->stack;
    o->pseudo.stack_id = o->stack_id;
    o->ops.ref = op_ref;
    o->ops.getatt = op_getatt;
    o->ops.import_value = op_import;
    o->ops.ssm = op_ssm;
    o->ops.arg = o;
    o->imports = cJSON_CreateArray();
    o->planning = true;
    if ((rc = cfn_eval_new(o->t, &o->pseudo, &o->ops, a->overrides, a->noverrides, 1, &o->e)) < 0)
        return rc;
    if ((rc = cfn_validate(o->t, o->e, problems)) != 0)
        return rc < 0 ? rc : cfn_error_set(CFN_EINVAL, "%s", problems->data);
    if ((rc = cfn_graph_build(o->t, graph_filter, o->e, &o->g)) < 0 ||
        (rc = cfn_graph_check_cycles(o->g)) < 0)
        return rc;
    /* NoEcho parameters are secrets. */
    for (size_t i = 0; o->t->parameters && i < o->t->parameters->count; i++) {
        const char *name = o->t->parameters->items[i]->key;
        if (cfn_param_noecho(o->t, name))
            add_secret(o, cfn_eval_string(cfn_eval_parameter(o->e, name)));
    }
    return 0;
}

/* Refusals before anything is made: a type nobody serves, a Snapshot
 * policy, missing capabilities. */
static int preflight(op *o)
{
    bool iam = false, named = false;
    for (size_t i = 0; i < o->g->count; i++) {
        const char *type = node_type(o, i);
        if (!type)
            return cfn_error_set(CFN_EINVAL, "Resource %s has no Type", o->g->ids[i]);
        if (!stk_dispatch_provider_for(o->env->dispatch, type)) {
            /* The types served go with the report (too many for a message). */
            cJSON *types = NULL;
            if (stk_dispatch_types(o->env->dispatch, &types) == 0)
                o->served = types;
            return cfn_error_set(CFN_EINVAL,
                                 "Template format error: Unrecognized resource types: [%s] "
                                 "(resource %s): neither cfnkit nor a --provider serves it",
                                 type, o->g->ids[i]);
        }
        for (int k = 0; k < 2; k++) {
            const char *p = cfn_node_scalar(
                cfn_node_get(node_res(o, i), k ? "UpdateReplacePolicy" : "DeletionPolicy"));
            if (p && strcmp(p, "Snapshot") == 0)
                return cfn_error_set(CFN_EINVAL,
                                     "%s Snapshot of resource %s (%s) is not supported locally: "
                                     "the local engine cannot snapshot; use Retain or Delete",
                                     k ? "UpdateReplacePolicy" : "DeletionPolicy", o->g->ids[i],
                                     type);
        }
        if (strncmp(type, "AWS::IAM::", 10) == 0) {
            iam = true;
            /* Named: a resource of these types given its own name (a
             * RolePolicy's RoleName names the role it goes in, not itself). */
            static const char *const names[][2] = {
                {"AWS::IAM::Role", "RoleName"},
                {"AWS::IAM::User", "UserName"},
                {"AWS::IAM::Group", "GroupName"},
                {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
                {"AWS::IAM::InstanceProfile", "InstanceProfileName"}};
            const cfn_node *props = cfn_node_get(node_res(o, i), "Properties");
            for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
                named |= strcmp(type, names[k][0]) == 0 && cfn_node_get(props, names[k][1]) != NULL;
        }
    }
    if (iam) {
        const char *need = named ? "CAPABILITY_NAMED_IAM" : "CAPABILITY_IAM";
        bool have = false;
        for (size_t i = 0; i < o->args->ncapabilities; i++)
            have |= strcmp(o->args->capabilities[i], need) == 0 ||
                    (!named && strcmp(o->args->capabilities[i], "CAPABILITY_NAMED_IAM") == 0);
        if (!have)
            return cfn_error_set(CFN_EINVAL, "Requires capabilities : [%s]", need);
    }
    return 0;
}

/* The change set: every resource added, modified or removed. */
static int plan(op *o, cJSON **changes)
{
    cJSON *list = cJSON_CreateArray();
    int rc = 0;
    o->planning = true;
    for (size_t i = 0; i < o->g->count; i++) {
        cJSON *props = NULL;
        if ((rc = eval_props(o, i, &props)) < 0)
            break;
        const cJSON *doc = current(o, o->g->ids[i]);
        if (doc && str(doc, "ResourceStatus") &&
            strcmp(str(doc, "ResourceStatus"), "CREATE_FAILED") == 0)
            doc = NULL;
        cJSON *c = stk_plan_change(o->g->ids[i], node_type(o, i), doc, props);
        cJSON_Delete(props);
        if (c) {
            cJSON_AddItemToArray(list, c);
            if (o->env->on_change)
                o->env->on_change(o->env->arg, c);
        }
    }
    for (const cJSON *d = o->res->child; rc == 0 && d; d = d->next) {
        if (strchr(d->string, '#') || cfn_graph_find(o->g, d->string) != (size_t)-1)
            continue;
        cJSON *c = cJSON_CreateObject(), *rcd = cJSON_AddObjectToObject(c, "ResourceChange");
        cJSON_AddStringToObject(c, "Type", "Resource");
        cJSON_AddStringToObject(rcd, "Action", "Remove");
        cJSON_AddStringToObject(rcd, "LogicalResourceId", d->string);
        if (str(d, "PhysicalResourceId"))
            cJSON_AddStringToObject(rcd, "PhysicalResourceId", str(d, "PhysicalResourceId"));
        cJSON_AddStringToObject(rcd, "ResourceType", str(d, "ResourceType"));
        cJSON_AddItemToArray(list, c);
        if (o->env->on_change)
            o->env->on_change(o->env->arg, c);
    }
    if (rc < 0) {
        cJSON_Delete(list);
        return rc;
    }
    *changes = list;
    return 0;
}

/* The parameters as describe-stacks shows them, NoEcho ones masked, and a
 * fingerprint of the template and values (no secret stored). */
static void parameters(op *o, cJSON **shown, char fp[CFN_SHA256_HEX_SIZE])
{
    strbuf sb = {0};
    char *text = NULL;
    size_t len = 0;
    *shown = cJSON_CreateArray();
    if (cfn_node_read_file(o->args->template_file, &text, &len) == 0)
        cfn__sb_append(&sb, text, len);
    free(text);
    for (size_t i = 0; o->t->parameters && i < o->t->parameters->count; i++) {
        const char *name = o->t->parameters->items[i]->key;
        const cJSON *v = cfn_eval_parameter(o->e, name);
        char *joined = NULL;
        if (cJSON_IsArray(v)) {
            strbuf j = {0};
            for (const cJSON *x = v->child; x; x = x->next)
                cfn__sb_printf(&j, "%s%s", x == v->child ? "" : ",",
                               cfn_eval_string(x) ? cfn_eval_string(x) : "");
            joined = j.data;
        }
        const char *value = joined ? joined : cfn_eval_string(v) ? cfn_eval_string(v) : "";
        cfn__sb_printf(&sb, "\n%s=%s", name, value);
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "ParameterKey", name);
        cJSON_AddStringToObject(p, "ParameterValue", cfn_param_noecho(o->t, name) ? MASK : value);
        cJSON_AddItemToArray(*shown, p);
        free(joined);
    }
    cfn_sha256_hex(sb.data ? sb.data : "", sb.len, fp);
    free(sb.data);
}

int stk_deploy(const stk_env *env, const stk_deploy_args *args, cJSON **report)
{
    op o = {.env = env, .stack = args->stack_name, .args = args};
    strbuf problems = {0};
    cJSON *changes = NULL, *outs = NULL, *shown = NULL;
    char fp[CFN_SHA256_HEX_SIZE];
    int rc;
    bool gone = false;
    *report = NULL;
    if ((rc = lease(&o)) < 0 || (rc = open_stack(&o)) < 0)
        goto done;
    if (o.sdoc && (rc = recover(&o, &gone)) < 0)
        goto done;
    if (gone) {
        cJSON_Delete(o.sdoc);
        o.sdoc = NULL;
        if ((rc = reload(&o)) < 0)
            goto done;
    }
    if (o.sdoc) {
        const char *st = str(o.sdoc, "StackStatus");
        if (strcmp(st, "ROLLBACK_COMPLETE") == 0 || strcmp(st, "ROLLBACK_FAILED") == 0 ||
            strcmp(st, "CREATE_FAILED") == 0 || strcmp(st, "DELETE_FAILED") == 0 ||
            strcmp(st, "UPDATE_ROLLBACK_FAILED") == 0) {
            rc = cfn_error_set(
                CFN_EINVAL, "Stack:%s is in %s state and can not be updated.%s", o.stack_id, st,
                strncmp(st, "ROLLBACK", 8) == 0 ? " A stack in this state can only be deleted "
                                                  "(cfnkit delete-stack)."
                                                : "");
            goto done;
        }
        o.update = true;
    } else {
        char id[37];
        uuid(id);
        snprintf(o.stack_id, sizeof(o.stack_id), "arn:aws:cloudformation:%s:%s:stack/%s/%s",
                 env->region, env->account, o.stack, id);
    }
    if ((rc = load(&o, &problems)) < 0 || (rc = preflight(&o)) < 0 || (rc = plan(&o, &changes)) < 0)
        goto done;
    parameters(&o, &shown, fp);
    if (o.update) {
        /* "No updates": nothing to change in resources, outputs or values. */
        cJSON *now_outs = NULL;
        bool same = cJSON_GetArraySize(changes) == 0 && str(o.sdoc, "Fingerprint") &&
                    strcmp(str(o.sdoc, "Fingerprint"), fp) == 0;
        if (same && outputs(&o, &now_outs) == 0) {
            mask_outputs(&o, now_outs);
            same = stk_json_same(now_outs, cJSON_GetObjectItem(o.sdoc, "Outputs"));
        }
        cJSON_Delete(now_outs);
        if (same) {
            rc = 0;
            *report = make_report(&o, changes);
            changes = NULL;
            cJSON_AddBoolToObject(*report, "NoChanges", 1);
            goto done;
        }
    }
    if (args->no_execute) {
        *report = make_report(&o, changes);
        changes = NULL;
        rc = 0;
        goto done;
    }
    /* Execute: the stack recorded first. */
    char ts[64];
    now_iso(ts);
    if (!o.sdoc) {
        o.sdoc = cJSON_CreateObject();
        cJSON_AddStringToObject(o.sdoc, "StackId", o.stack_id);
        cJSON_AddStringToObject(o.sdoc, "StackName", o.stack);
        cJSON_AddStringToObject(o.sdoc, "CreationTime", ts);
        cJSON_AddItemToObject(o.sdoc, "Outputs", cJSON_CreateArray());
    }
    if (o.update) {
        cJSON *prev = cJSON_CreateObject();
        static const char *const keep[] = {"Parameters",  "Outputs",      "Description",
                                           "Fingerprint", "Capabilities", "Imports"};
        for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(o.sdoc, keep[k]);
            if (v)
                cJSON_AddItemToObject(prev, keep[k], cJSON_Duplicate(v, 1));
        }
        set_item(o.sdoc, "Previous", prev);
    }
    const char *desc = cfn_node_scalar(o.t->description);
    set_str(o.sdoc, "Description", desc);
    set_item(o.sdoc, "Parameters", shown);
    shown = NULL;
    set_str(o.sdoc, "Fingerprint", fp);
    cJSON *caps = cJSON_CreateArray();
    for (size_t i = 0; i < args->ncapabilities; i++)
        cJSON_AddItemToArray(caps, cJSON_CreateString(args->capabilities[i]));
    set_item(o.sdoc, "Capabilities", caps);
    set_item(o.sdoc, "DisableRollback", cJSON_CreateBool(args->disable_rollback));
    set_item(o.sdoc, "Tags", cJSON_CreateArray());
    set_item(o.sdoc, "NotificationARNs", cJSON_CreateArray());
    /* Imports known before anything is made: recorded so the exporting
     * stack cannot go while this one is being built. */
    set_item(o.sdoc, "Imports", cJSON_Duplicate(o.imports, 1));
    for (const cJSON *x = o.imports->child; x; x = x->next)
        if ((rc = stk_store_add_import(env->store, x->valuestring, o.stack)) < 0)
            goto done;
    if ((rc = stack_status(&o, o.update ? "UPDATE_IN_PROGRESS" : "CREATE_IN_PROGRESS",
                           "User Initiated")) < 0)
        goto done;
    o.planning = false;
    o.phase = PH_FORWARD;
    stk_sched_state *state = calloc(o.g->count + 1, sizeof(*state));
    if (!state) {
        rc = oom();
        goto done;
    }
    stk_sched_graph g = {.count = o.g->count,
                         .ndeps = o.g->ndeps,
                         .dependents = (const size_t *const *)o.g->dependents,
                         .ndependents = o.g->ndependents};
    int bad = run_graph(&o, &g, false, true, state);
    for (size_t i = 0; bad > 0 && i < o.g->count; i++) {
        if (state[i] != STK_NODE_CANCELLED)
            continue;
        const char *why = o.update ? "Resource update cancelled" : "Resource creation cancelled";
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "LogicalResourceId", o.g->ids[i]);
        cJSON_AddStringToObject(d, "ResourceType", node_type(&o, i));
        failure(&o, d, o.update ? "UPDATE_FAILED" : "CREATE_FAILED", why);
        cJSON_Delete(d);
        event(&o, o.g->ids[i], str(current(&o, o.g->ids[i]), "PhysicalResourceId"),
              node_type(&o, i), o.update ? "UPDATE_FAILED" : "CREATE_FAILED", why);
    }
    free(state);
    if (bad < 0) {
        rc = bad;
        goto done;
    }
    char why[2048] = "";
    if (bad == 0) {
        if ((rc = outputs(&o, &outs)) == 0)
            rc = apply_exports(&o, outs);
        if (rc < 0) {
            snprintf(why, sizeof(why), "%s", cfn_error_last());
            bad = 1;
        }
    } else {
        strbuf names = {0};
        for (const cJSON *f = o.failures->child; f; f = f->next)
            if (!strstr(str(f, "ResourceStatusReason"), "cancelled"))
                cfn__sb_printf(&names, "%s%s", names.len ? ", " : "", str(f, "LogicalResourceId"));
        snprintf(why, sizeof(why), "The following resource(s) failed to %s: [%s]. ",
                 o.update ? "update" : "create", names.data ? names.data : "");
        free(names.data);
    }
    if (bad > 0) {
        if (args->disable_rollback)
            rc = stack_status(&o, o.update ? "UPDATE_FAILED" : "CREATE_FAILED", why);
        else if (o.update)
            rc = rollback_update(&o, why);
        else
            rc = rollback_create(&o, why);
        if (rc == 0)
            rc = cfn_error_set(CFN_ERROR, "%s", why);
        goto done;
    }
    mask_outputs(&o, outs);
    set_item(o.sdoc, "Outputs", outs);
    outs = NULL;
    release_imports(&o,
                    cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(o.sdoc, "Previous"), "Imports"),
                    o.imports);
    if (o.update)
        rc = cleanup_update(&o);
    else if ((rc = clear_ops(&o)) == 0)
        rc = stack_status(&o, "CREATE_COMPLETE", NULL);
done:
    if (!*report)
        *report = make_report(&o, changes);
    else
        cJSON_Delete(changes);
    cJSON_Delete(outs);
    cJSON_Delete(shown);
    free(problems.data);
    op_done(&o);
    return rc;
}

/* ---- delete ---- */

static bool pick_delete(const op *o, const char *key, const cJSON *doc)
{
    (void)key;
    for (size_t i = 0; i < o->nretain; i++)
        if (strcmp(str(doc, "LogicalResourceId"), o->retain[i]) == 0)
            return false;
    return true;
}

int stk_delete(const stk_env *env, const char *stack_name, const char *const *retain,
               size_t nretain, cJSON **report)
{
    op o = {.env = env, .stack = stack_name, .retain = retain, .nretain = nretain};
    int rc;
    bool gone = false;
    *report = NULL;
    if ((rc = lease(&o)) < 0 || (rc = open_stack(&o)) < 0)
        goto done;
    if (!o.sdoc) {
        rc = cfn_error_set(CFN_ENOTFOUND, "Stack with id %s does not exist", stack_name);
        goto done;
    }
    const char *st = str(o.sdoc, "StackStatus");
    if (nretain && strcmp(st, "DELETE_FAILED") != 0) {
        rc = cfn_error_set(CFN_EINVAL,
                           "Invalid operation on stack %s: --retain-resources can be given only "
                           "for a stack in DELETE_FAILED state (it is %s)",
                           o.stack_id, st);
        goto done;
    }
    /* Refused while another stack imports one of its exports. */
    const cJSON *outs = cJSON_GetObjectItemCaseSensitive(o.sdoc, "Outputs");
    for (const cJSON *x = outs ? outs->child : NULL; x; x = x->next) {
        const char *name = str(x, "ExportName");
        char *who = name ? importers(&o, name) : NULL;
        if (who) {
            rc = cfn_error_set(CFN_EINVAL, "Export %s cannot be deleted as it is in use by %s",
                               name, who);
            free(who);
            goto done;
        }
    }
    /* Every resource's type must be served, before anything is asked. */
    for (const cJSON *d = o.res->child; d; d = d->next) {
        const char *type = str(d, "ResourceType");
        if (type && !stk_dispatch_provider_for(env->dispatch, type)) {
            rc = cfn_error_set(CFN_EINVAL,
                               "no provider serves %s (resource %s): give the --provider "
                               "PROGRAM that served it when the stack was deployed",
                               type, str(d, "LogicalResourceId"));
            goto done;
        }
    }
    if ((rc = recover(&o, &gone)) < 0)
        goto done;
    if (gone) {
        rc = 0;
        goto done;
    }
    if ((rc = stack_status(&o, "DELETE_IN_PROGRESS", "User Initiated")) < 0)
        goto done;
    o.delete_why = "delete";
    int bad = run_docs(&o, PH_DELETE, pick_delete);
    if (bad < 0) {
        rc = bad;
        goto done;
    }
    if (bad > 0) {
        strbuf names = {0};
        for (const cJSON *f = o.failures->child; f; f = f->next)
            cfn__sb_printf(&names, "%s%s", names.len ? ", " : "", str(f, "LogicalResourceId"));
        char why[2048];
        snprintf(why, sizeof(why), "The following resource(s) failed to delete: [%s]. ",
                 names.data ? names.data : "");
        free(names.data);
        if ((rc = stack_status(&o, "DELETE_FAILED", why)) == 0)
            rc = cfn_error_set(CFN_ERROR, "%s", why);
        goto done;
    }
    release_imports(&o, cJSON_GetObjectItemCaseSensitive(o.sdoc, "Imports"), NULL);
    for (const cJSON *x = outs ? outs->child : NULL; x; x = x->next)
        if (str(x, "ExportName"))
            stk_store_release_export(env->store, str(x, "ExportName"), o.stack_id);
    set_str(o.sdoc, "StackStatus", "DELETE_COMPLETE");
    if ((rc = event(&o, o.stack, o.stack_id, "AWS::CloudFormation::Stack", "DELETE_COMPLETE",
                    NULL)) < 0)
        goto done;
    rc = stk_store_delete_stack(env->store, stack_name);
done:
    *report = make_report(&o, NULL);
    op_done(&o);
    return rc;
}
