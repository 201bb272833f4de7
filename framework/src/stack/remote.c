/* CloudFormation itself as the engine (remote.h): change sets, events,
 * delete and the describe views through cfn_aws_call, and the rule that
 * picks this engine or the local one from the endpoint. */
#include "remote.h"

#include <cfnkit/cfnkit.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client.h"
#include "clock.h"
#include "credentials.h"
#include "node.h"
#include "strbuf.h"

/* Pages of one listing we read at most: bounded, far beyond any stack. */
#define MAX_PAGES 1000

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* ---- which engine ---- */

static bool truthy(const char *v)
{
    return v && strcasecmp(v, "true") == 0;
}

/* The endpoint URL configured for CloudFormation, or NULL (AWS's own).
 * Caller frees. */
static char *configured_endpoint(void)
{
    if (truthy(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")))
        return NULL;
    const char *v = getenv("AWS_ENDPOINT_URL_CLOUDFORMATION");
    if (!v || !*v)
        v = getenv("AWS_ENDPOINT_URL");
    if (v && *v)
        return cfn__strdup(v);
    const char *name = cfn__profile_name();
    char section[300];
    snprintf(section, sizeof(section), strcmp(name, "default") == 0 ? "%s" : "profile %s", name);
    char *conf = cfn__config_path("AWS_CONFIG_FILE", "config");
    char *ignore = cfn__profile_value(conf, section, "ignore_configured_endpoint_urls");
    char *url = truthy(ignore) ? NULL : cfn__profile_value(conf, section, "endpoint_url");
    free(ignore);
    free(conf);
    if (url && !*url) {
        free(url);
        url = NULL;
    }
    return url;
}

/* Whether a URL's host is one of AWS's own names. */
static bool aws_host(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *at = strchr(h, '@'), *slash = strchr(h, '/');
    if (at && (!slash || at < slash))
        h = at + 1;
    char host[256];
    size_t n = strcspn(h, ":/?#");
    if (n == 0 || n >= sizeof(host) || h[0] == '[')
        return false;
    memcpy(host, h, n);
    host[n] = '\0';
    while (n && host[n - 1] == '.')
        host[--n] = '\0';
    return ends_with(host, ".amazonaws.com") || ends_with(host, ".amazonaws.com.cn") ||
           ends_with(host, ".api.aws");
}

stk_engine stk_engine_for_endpoint(void)
{
    char *url = configured_endpoint();
    stk_engine e = !url || aws_host(url) ? STK_ENGINE_CLOUDFORMATION : STK_ENGINE_LOCAL;
    free(url);
    return e;
}

int stk_engine_parse(const char *name, stk_engine *out)
{
    if (name && strcmp(name, "local") == 0)
        *out = STK_ENGINE_LOCAL;
    else if (name && strcmp(name, "cloudformation") == 0)
        *out = STK_ENGINE_CLOUDFORMATION;
    else
        return cfn_error_set(CFN_EINVAL, "--engine is local or cloudformation, not \"%s\"",
                             name ? name : "");
    return 0;
}

const char *stk_engine_name(stk_engine e)
{
    return e == STK_ENGINE_LOCAL ? "local" : "cloudformation";
}

/* ---- the change set description ---- */

static int recreation_rank(const char *r)
{
    return !r ? -1 : strcmp(r, "Always") == 0 ? 2 : strcmp(r, "Conditionally") == 0 ? 1 : 0;
}

/* The detail already kept for the same target, or NULL. */
static cJSON *same_target(cJSON *details, const char *attribute, const char *name)
{
    cJSON *d;
    cJSON_ArrayForEach(d, details)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "Target");
        const char *a = str(t, "Attribute"), *n = str(t, "Name");
        if (a && strcmp(a, attribute) == 0 && n && strcmp(n, name) == 0)
            return d;
    }
    return NULL;
}

static cJSON *detail(const cJSON *from)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(from, "Target");
    const char *attribute = str(t, "Attribute");
    const char *name = str(t, "Name") ? str(t, "Name") : attribute;
    if (!attribute || !name)
        return NULL;
    cJSON *d = cJSON_CreateObject(), *tgt = cJSON_AddObjectToObject(d, "Target");
    cJSON_AddStringToObject(tgt, "Attribute", attribute);
    cJSON_AddStringToObject(tgt, "Name", name);
    cJSON_AddStringToObject(tgt, "RequiresRecreation",
                            str(t, "RequiresRecreation") ? str(t, "RequiresRecreation") : "Never");
    const char *eval = str(from, "Evaluation"), *source = str(from, "ChangeSource");
    if (eval)
        cJSON_AddStringToObject(d, "Evaluation", eval);
    if (source)
        cJSON_AddStringToObject(d, "ChangeSource", source);
    if (str(from, "CausingEntity"))
        cJSON_AddStringToObject(d, "CausingEntity", str(from, "CausingEntity"));
    return d;
}

/* Keeps one detail per target: the strongest recreation, Static over
 * Dynamic (CloudFormation lists a property once per cause). */
static void merge_detail(cJSON *details, cJSON *d)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(d, "Target");
    cJSON *old = same_target(details, str(t, "Attribute"), str(t, "Name"));
    if (!old) {
        cJSON_AddItemToArray(details, d);
        return;
    }
    cJSON *ot = cJSON_GetObjectItemCaseSensitive(old, "Target");
    if (recreation_rank(str(t, "RequiresRecreation")) >
        recreation_rank(str(ot, "RequiresRecreation")))
        cJSON_ReplaceItemInObjectCaseSensitive(ot, "RequiresRecreation",
                                               cJSON_CreateString(str(t, "RequiresRecreation")));
    const char *oe = str(old, "Evaluation"), *ne = str(d, "Evaluation");
    if (ne && strcmp(ne, "Static") == 0 && (!oe || strcmp(oe, "Static") != 0)) {
        const char *fields[] = {"Evaluation", "ChangeSource", "CausingEntity"};
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(old, fields[i]);
            if (str(d, fields[i]))
                cJSON_AddStringToObject(old, fields[i], str(d, fields[i]));
        }
    }
    cJSON_Delete(d);
}

cJSON *stk_remote_change(const cJSON *change)
{
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(change, "ResourceChange");
    const char *type = str(change, "Type");
    if ((type && strcmp(type, "Resource") != 0) || !cJSON_IsObject(rc) || !str(rc, "Action") ||
        !str(rc, "LogicalResourceId"))
        return NULL;
    cJSON *c = cJSON_CreateObject(), *out = cJSON_AddObjectToObject(c, "ResourceChange");
    cJSON_AddStringToObject(c, "Type", "Resource");
    const char *fields[] = {"Action", "LogicalResourceId", "PhysicalResourceId", "ResourceType"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (str(rc, fields[i]))
            cJSON_AddStringToObject(out, fields[i], str(rc, fields[i]));
    if (strcmp(str(rc, "Action"), "Modify") != 0)
        return c;
    /* CloudFormation always says Replacement for Modify; an emulator that
     * does not (moto) is shown as it is, without a guess. */
    if (str(rc, "Replacement"))
        cJSON_AddStringToObject(out, "Replacement", str(rc, "Replacement"));
    const cJSON *scope = cJSON_GetObjectItemCaseSensitive(rc, "Scope");
    if (cJSON_IsArray(scope))
        cJSON_AddItemToObject(out, "Scope", cJSON_Duplicate(scope, 1));
    cJSON *details = cJSON_AddArrayToObject(out, "Details");
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(rc, "Details"))
    {
        cJSON *mine = detail(d);
        if (mine)
            merge_detail(details, mine);
    }
    return c;
}

bool stk_remote_empty_reason(const char *reason)
{
    return reason && (strstr(reason, "didn't contain changes") ||
                      strstr(reason, "No updates are to be performed"));
}

bool stk_remote_status_final(const char *status)
{
    return status && *status && !ends_with(status, "_IN_PROGRESS");
}

/* ---- calls ---- */

static int cfn(cfn_aws *aws, const char *op, const cJSON *in, cJSON **out)
{
    cJSON *o = NULL;
    int rc = cfn_aws_call(aws, "cloudformation", op, in, &o);
    if (rc == 0 && out)
        *out = o;
    else
        cJSON_Delete(o);
    return rc;
}

/* Every page of a listing: {list: [...]} with the items of all pages. */
static int gather(cfn_aws *aws, const char *op, cJSON *in, const char *list, cJSON **out)
{
    cJSON *all = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(all, list);
    int rc = 0;
    for (int page = 0; page < MAX_PAGES; page++) {
        cJSON *o = NULL;
        if ((rc = cfn(aws, op, in, &o)) < 0)
            break;
        cJSON *got = cJSON_GetObjectItemCaseSensitive(o, list);
        while (got && got->child)
            cJSON_AddItemToArray(items, cJSON_DetachItemViaPointer(got, got->child));
        const char *token = str(o, "NextToken");
        cJSON_DeleteItemFromObjectCaseSensitive(in, "NextToken");
        if (token && *token)
            cJSON_AddStringToObject(in, "NextToken", token);
        cJSON_Delete(o);
        if (!token || !*token)
            break;
    }
    cJSON_Delete(in);
    if (rc < 0) {
        cJSON_Delete(all);
        return rc;
    }
    *out = all;
    return 0;
}

static bool not_found(const char *message)
{
    return message && strstr(message, "does not exist");
}

/* The stack (DescribeStacks' entry) or CFN_ENOTFOUND. */
static int describe_one(cfn_aws *aws, const char *stack, cJSON **out)
{
    cJSON *in = cJSON_CreateObject(), *o = NULL;
    cJSON_AddStringToObject(in, "StackName", stack);
    int rc = cfn(aws, "DescribeStacks", in, &o);
    cJSON_Delete(in);
    if (rc < 0)
        return not_found(cfn_error_last()) && cfn_aws_error_is(aws, "ValidationError")
                   ? cfn_error_set(CFN_ENOTFOUND, "Stack with id %s does not exist", stack)
                   : rc;
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "Stacks"), 0);
    if (!first) {
        cJSON_Delete(o);
        return cfn_error_set(CFN_ENOTFOUND, "Stack with id %s does not exist", stack);
    }
    *out = cJSON_Duplicate(first, 1);
    cJSON_Delete(o);
    return 0;
}

/* ---- following an operation ---- */

typedef struct op {
    const stk_remote_env *env;
    char *stack_id;
    char *marker; /* the newest event already seen */
    char *before; /* the stack's status before the operation */
    cJSON *failures, *changes, *stack;
    char *change_set_id;
    bool no_changes;
    char own[64]; /* the status of the stack's own newest event since the start */
} op;

static void op_free(op *o)
{
    free(o->stack_id);
    free(o->marker);
    free(o->before);
    free(o->change_set_id);
    cJSON_Delete(o->failures);
    cJSON_Delete(o->changes);
    cJSON_Delete(o->stack);
}

static void set_marker(op *o, const char *id)
{
    free(o->marker);
    o->marker = id ? cfn__strdup(id) : NULL;
}

/* Remembers the newest event of the stack, so that only later ones are shown. */
static int mark(op *o)
{
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "StackName", o->stack_id);
    int rc = cfn(o->env->aws, "DescribeStackEvents", in, &out);
    cJSON_Delete(in);
    if (rc < 0)
        return rc;
    set_marker(o, str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "StackEvents"), 0),
                      "EventId"));
    cJSON_Delete(out);
    return 0;
}

/* Hands the events after the marker to on_event, oldest first; o->own
 * follows the stack's own events. */
static int poll_events(op *o)
{
    cJSON *fresh = cJSON_CreateArray(), *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "StackName", o->stack_id);
    bool reached = false;
    int rc = 0;
    for (int page = 0; page < MAX_PAGES && !reached; page++) {
        cJSON *out = NULL;
        if ((rc = cfn(o->env->aws, "DescribeStackEvents", in, &out)) < 0)
            break;
        cJSON *list = cJSON_GetObjectItemCaseSensitive(out, "StackEvents");
        while (list && list->child && !reached) {
            cJSON *e = cJSON_DetachItemViaPointer(list, list->child);
            if (o->marker && str(e, "EventId") && strcmp(str(e, "EventId"), o->marker) == 0) {
                reached = true;
                cJSON_Delete(e);
            } else {
                cJSON_AddItemToArray(fresh, e);
            }
        }
        const char *token = str(out, "NextToken");
        cJSON_DeleteItemFromObjectCaseSensitive(in, "NextToken");
        if (token && *token)
            cJSON_AddStringToObject(in, "NextToken", token);
        else
            reached = true;
        cJSON_Delete(out);
    }
    cJSON_Delete(in);
    int n = cJSON_GetArraySize(fresh);
    for (int i = n - 1; rc == 0 && i >= 0; i--) {
        const cJSON *e = cJSON_GetArrayItem(fresh, i);
        const char *status = str(e, "ResourceStatus"), *phys = str(e, "PhysicalResourceId");
        bool own = phys && strcmp(phys, o->stack_id) == 0 && str(e, "ResourceType") &&
                   strcmp(str(e, "ResourceType"), "AWS::CloudFormation::Stack") == 0;
        if (own)
            snprintf(o->own, sizeof(o->own), "%s", status ? status : "");
        else if (status && ends_with(status, "_FAILED")) {
            cJSON *f = cJSON_CreateObject();
            const char *keep[] = {"LogicalResourceId", "ResourceType", "ResourceStatus",
                                  "ResourceStatusReason"};
            for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
                cJSON_AddStringToObject(f, keep[k], str(e, keep[k]) ? str(e, keep[k]) : "");
            cJSON_AddItemToArray(o->failures, f);
        }
        if (o->env->on_event)
            o->env->on_event(o->env->arg, e);
    }
    if (rc == 0 && n > 0)
        set_marker(o, str(cJSON_GetArrayItem(fresh, 0), "EventId"));
    cJSON_Delete(fresh);
    return rc;
}

/* Follows the stack's events until its status is final: the stack's own
 * newest event has a final status and DescribeStacks, read after the
 * events, says the same (a status that looks final may be followed by a
 * rollback); without events of the stack's own, DescribeStacks showing a
 * final status other than the one before the operation. Then o->stack is
 * the stack. */
static int follow(op *o)
{
    const stk_remote_env *env = o->env;
    int64_t deadline = cfn__clock_mono_ms() + 1000LL * (env->wait_s > 0 ? env->wait_s : 3600);
    int64_t pause = 500, pause_max = env->poll_max_ms > 0 ? env->poll_max_ms : 5000;
    for (;;) {
        cJSON *stack = NULL;
        int rc = poll_events(o);
        if (rc < 0 || (rc = describe_one(env->aws, o->stack_id, &stack)) < 0)
            return rc;
        cJSON_Delete(o->stack);
        o->stack = stack;
        const char *status = str(stack, "StackStatus");
        bool done =
            o->own[0]
                ? stk_remote_status_final(o->own) && status && strcmp(status, o->own) == 0
                : stk_remote_status_final(status) && (!o->before || strcmp(status, o->before) != 0);
        if (done)
            return 0;
        if (cfn__sleep_until(pause, deadline) < 0)
            return cfn_error_set(CFN_ETIMEOUT,
                                 "stack %s is still %s after %d s; cfnkit stopped waiting, "
                                 "CloudFormation goes on (cfnkit cloudformation "
                                 "describe-stack-events shows it)",
                                 str(stack, "StackName") ? str(stack, "StackName") : o->stack_id,
                                 status ? status : "in progress",
                                 env->wait_s > 0 ? env->wait_s : 3600);
        pause = pause * 2 > pause_max ? pause_max : pause * 2;
    }
}

static cJSON *report_of(op *o)
{
    cJSON *r = cJSON_CreateObject();
    if (o->change_set_id)
        cJSON_AddStringToObject(r, "ChangeSetId", o->change_set_id);
    cJSON_AddItemToObject(r, "Changes", o->changes ? o->changes : cJSON_CreateArray());
    o->changes = NULL;
    cJSON_AddBoolToObject(r, "NoChanges", o->no_changes);
    cJSON_AddItemToObject(r, "Failures", o->failures ? o->failures : cJSON_CreateArray());
    o->failures = NULL;
    if (o->stack) {
        cJSON_AddItemToObject(r, "Stack", o->stack);
        o->stack = NULL;
    }
    return r;
}

/* The report, with the stack as it is now when the operation stopped
 * early, keeping the error that stopped it. */
static int finish(op *o, int rc, cJSON **report)
{
    char why[2048] = "";
    if (rc < 0)
        snprintf(why, sizeof(why), "%s", cfn_error_last());
    if (!o->stack && o->stack_id) {
        cJSON *s = NULL;
        if (describe_one(o->env->aws, o->stack_id, &s) == 0)
            o->stack = s;
    }
    if (report)
        *report = report_of(o);
    op_free(o);
    return rc < 0 ? cfn_error_set(rc, "%s", why) : 0;
}

/* The operation ended in `status`: 0 when it is one of `ok`, else the
 * error in CloudFormation's words. */
static int outcome(op *o, const char *const *ok)
{
    const char *status = str(o->stack, "StackStatus");
    for (; *ok; ok++)
        if (status && strcmp(status, *ok) == 0)
            return 0;
    const char *reason = str(o->stack, "StackStatusReason");
    return cfn_error_set(CFN_ERROR, "stack %s is %s%s%s", str(o->stack, "StackName"),
                         status ? status : "in an unknown state", reason ? ": " : "",
                         reason ? reason : "");
}

/* ---- deploy ---- */

static int key_value(const char *what, const char *kv, char **key, const char **value)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return cfn_error_set(CFN_EINVAL, "%s: \"%s\" is not Key=Value", what, kv);
    *key = strndup(kv, (size_t)(eq - kv));
    *value = eq + 1;
    return *key ? 0 : cfn_error_set(CFN_ENOMEM, "out of memory");
}

/* The Parameters of CreateChangeSet: each override, and on UPDATE every
 * other parameter of the template that the stack has, UsePreviousValue. */
static int parameters(const stk_remote_deploy_args *a, const cfn_node *declared, const cJSON *stack,
                      cJSON *list)
{
    for (size_t i = 0; i < a->noverrides; i++) {
        char *key;
        const char *value = NULL;
        if (key_value("--parameter-overrides", a->overrides[i], &key, &value) < 0)
            return -1;
        if (!cfn_node_get(declared, key)) {
            int rc = cfn_error_set(CFN_EINVAL,
                                   "--parameter-overrides: the template has no parameter %s", key);
            free(key);
            return rc;
        }
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "ParameterKey", key);
        cJSON_AddStringToObject(p, "ParameterValue", value);
        cJSON_AddItemToArray(list, p);
        free(key);
    }
    if (!stack || !declared || declared->kind != CFN_NODE_MAP)
        return 0;
    for (size_t i = 0; i < declared->count; i++) {
        const char *name = declared->items[i]->key;
        bool given = false, had = false;
        const cJSON *p;
        cJSON_ArrayForEach(p, list) given |= strcmp(str(p, "ParameterKey"), name) == 0;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(stack, "Parameters"))
        {
            const char *k = str(p, "ParameterKey");
            had |= k && strcmp(k, name) == 0;
        }
        if (given || !had)
            continue;
        cJSON *u = cJSON_CreateObject();
        cJSON_AddStringToObject(u, "ParameterKey", name);
        cJSON_AddBoolToObject(u, "UsePreviousValue", true);
        cJSON_AddItemToArray(list, u);
    }
    return 0;
}

static int md5_hex(const char *data, size_t len, char hex[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(data, len, md, &n, EVP_md5(), NULL) || n != 16)
        return cfn_error_set(CFN_ERROR, "cannot compute the template's MD5");
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* Uploads the template as the AWS CLI does ([prefix/]<md5>.template, not
 * again when it is there) and gives its path-style URL on the S3 endpoint. */
static int upload(cfn_aws *aws, const stk_remote_deploy_args *a, const char *body, size_t len,
                  char **url)
{
    char md5[33], *key = NULL, *base = NULL;
    bool custom;
    int rc;
    if ((rc = md5_hex(body, len, md5)) < 0)
        return rc;
    size_t plen = a->s3_prefix ? strlen(a->s3_prefix) : 0;
    while (plen && a->s3_prefix[plen - 1] == '/')
        plen--;
    if (asprintf(&key, "%.*s%s%s.template", (int)plen, plen ? a->s3_prefix : "", plen ? "/" : "",
                 md5) < 0)
        return cfn_error_set(CFN_ENOMEM, "out of memory");
    cfn_s3_object_info info;
    rc = a->force_upload ? CFN_ENOTFOUND : cfn_s3_head_object(aws, a->s3_bucket, key, NULL, &info);
    if (rc == CFN_ENOTFOUND)
        rc = cfn_s3_put_object(aws, a->s3_bucket, key, body, len, "application/octet-stream", NULL);
    if (rc == 0 && !(base = cfn__aws_endpoint(aws, &cfn__svc_s3, &custom)))
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
    if (rc == 0 && asprintf(url, "%s/%s/%s", base, a->s3_bucket, key) < 0)
        rc = cfn_error_set(CFN_ENOMEM, "out of memory");
    free(base);
    free(key);
    return rc;
}

/* The change set once CloudFormation has computed it: every page of its
 * changes handed on, or o->no_changes for an empty one (then deleted). */
static int wait_change_set(op *o)
{
    const stk_remote_env *env = o->env;
    int64_t deadline = cfn__clock_mono_ms() + 1000LL * (env->wait_s > 0 ? env->wait_s : 3600);
    int64_t pause = 500, pause_max = env->poll_max_ms > 0 ? env->poll_max_ms : 5000;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    cJSON_AddStringToObject(in, "ChangeSetName", o->change_set_id);
    int rc;
    const char *status;
    for (;;) {
        cJSON_Delete(out);
        out = NULL;
        if ((rc = cfn(env->aws, "DescribeChangeSet", in, &out)) < 0)
            goto done;
        status = str(out, "Status");
        if (status && strcmp(status, "CREATE_PENDING") != 0 &&
            strcmp(status, "CREATE_IN_PROGRESS") != 0)
            break;
        if (cfn__sleep_until(pause, deadline) < 0) {
            rc = cfn_error_set(CFN_ETIMEOUT, "change set %s still %s after %d s", o->change_set_id,
                               status ? status : "pending", env->wait_s > 0 ? env->wait_s : 3600);
            goto done;
        }
        pause = pause * 2 > pause_max ? pause_max : pause * 2;
    }
    if (strcmp(status, "CREATE_COMPLETE") != 0) {
        const char *reason = str(out, "StatusReason");
        if (strcmp(status, "FAILED") == 0 && stk_remote_empty_reason(reason)) {
            o->no_changes = true;
            cJSON *del = cJSON_CreateObject();
            cJSON_AddStringToObject(del, "ChangeSetName", o->change_set_id);
            rc = cfn(env->aws, "DeleteChangeSet", del, NULL);
            cJSON_Delete(del);
            goto done;
        }
        rc = cfn_error_set(CFN_ERROR, "change set %s is %s%s%s", str(out, "ChangeSetName"), status,
                           reason ? ": " : "", reason ? reason : "");
        goto done;
    }
    for (int page = 0; page < MAX_PAGES; page++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(out, "Changes"))
        {
            cJSON *mine = stk_remote_change(c);
            if (!mine)
                continue;
            if (env->on_change)
                env->on_change(env->arg, mine);
            cJSON_AddItemToArray(o->changes, mine);
        }
        const char *token = str(out, "NextToken");
        if (!token || !*token)
            break;
        cJSON_DeleteItemFromObjectCaseSensitive(in, "NextToken");
        cJSON_AddStringToObject(in, "NextToken", token);
        cJSON_Delete(out);
        out = NULL;
        if ((rc = cfn(env->aws, "DescribeChangeSet", in, &out)) < 0)
            goto done;
    }
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    return rc;
}

static cJSON *string_list(const char *const *items, size_t n)
{
    cJSON *l = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(l, cJSON_CreateString(items[i]));
    return l;
}

int stk_remote_deploy(const stk_remote_env *env, const stk_remote_deploy_args *a, cJSON **report)
{
    op o = {.env = env, .failures = cJSON_CreateArray(), .changes = cJSON_CreateArray()};
    char *body = NULL, *url = NULL;
    size_t len = 0;
    cfn_node *root = NULL;
    cJSON *in = NULL, *stack = NULL, *out = NULL;
    int rc;
    if (report)
        *report = NULL;
    if (!a->stack_name || !a->template_file) {
        rc = cfn_error_set(CFN_EINVAL, "a stack name and a template file are required");
        goto done;
    }
    if ((rc = cfn_node_read_file(a->template_file, &body, &len)) < 0 ||
        (rc = cfn_node_parse(body, len, a->template_file, &root)) < 0)
        goto done;
    if (len > STK_REMOTE_TEMPLATE_BODY_MAX && !a->s3_bucket) {
        rc = cfn_error_set(CFN_EINVAL,
                           "%s is %zu bytes: templates with a size greater than 51,200 bytes "
                           "must be deployed via an S3 Bucket (--s3-bucket)",
                           a->template_file, len);
        goto done;
    }
    rc = describe_one(env->aws, a->stack_name, &stack);
    if (rc < 0 && rc != CFN_ENOTFOUND)
        goto done;
    /* A stack in REVIEW_IN_PROGRESS was never created: its change set is a
     * CREATE again (as the AWS CLI). */
    bool update = rc == 0 && strcmp(str(stack, "StackStatus") ? str(stack, "StackStatus") : "",
                                    "REVIEW_IN_PROGRESS") != 0;
    in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "StackName", a->stack_name);
    char name[64], description[96];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(name, sizeof(name), "cfnkit-deploy-%lld-%04x", (long long)now,
             (unsigned)(cfn__random_u32() & 0xffff));
    strftime(description, sizeof(description), "Created by cfnkit at %Y-%m-%dT%H:%M:%S UTC", &tm);
    cJSON_AddStringToObject(in, "ChangeSetName", name);
    cJSON_AddStringToObject(in, "ChangeSetType", update ? "UPDATE" : "CREATE");
    cJSON_AddStringToObject(in, "Description", description);
    cJSON *params = cJSON_AddArrayToObject(in, "Parameters");
    if ((rc = parameters(a, cfn_node_get(root, "Parameters"), update ? stack : NULL, params)) < 0)
        goto done;
    if (a->ncapabilities)
        cJSON_AddItemToObject(in, "Capabilities", string_list(a->capabilities, a->ncapabilities));
    if (a->ntags) {
        cJSON *tags = cJSON_AddArrayToObject(in, "Tags");
        for (size_t i = 0; i < a->ntags; i++) {
            char *key;
            const char *value = NULL;
            if ((rc = key_value("--tags", a->tags[i], &key, &value)) < 0)
                goto done;
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "Key", key);
            cJSON_AddStringToObject(t, "Value", value);
            cJSON_AddItemToArray(tags, t);
            free(key);
        }
    }
    if (a->role_arn)
        cJSON_AddStringToObject(in, "RoleARN", a->role_arn);
    if (a->s3_bucket && len > STK_REMOTE_TEMPLATE_BODY_MAX) {
        if ((rc = upload(env->aws, a, body, len, &url)) < 0)
            goto done;
        cJSON_AddStringToObject(in, "TemplateURL", url);
    } else {
        cJSON_AddStringToObject(in, "TemplateBody", body);
    }
    if ((rc = cfn(env->aws, "CreateChangeSet", in, &out)) < 0) {
        /* moto refuses an unchanged update here rather than in the change set. */
        const char *st = update ? str(stack, "StackStatus") : NULL;
        if (update && stk_remote_empty_reason(cfn_error_last())) {
            o.no_changes = true;
            o.stack_id = cfn__strdup(str(stack, "StackId"));
            rc = 0;
        } else if (st &&
                   (strcmp(st, "ROLLBACK_COMPLETE") == 0 || strcmp(st, "ROLLBACK_FAILED") == 0)) {
            /* A create that rolled back left a stack that can only be deleted. */
            char why[2048];
            snprintf(why, sizeof(why), "%s", cfn_error_last());
            rc = cfn_error_set(rc,
                               "%s (stack %s is %s: a stack in this state can only be deleted, "
                               "cfnkit cloudformation delete-stack)",
                               why, a->stack_name, st);
        }
        o.stack = stack; /* as it is: the refusal changed nothing */
        stack = NULL;
        goto done;
    }
    o.change_set_id = cfn__strdup(str(out, "Id"));
    o.stack_id = cfn__strdup(str(out, "StackId"));
    if (!o.change_set_id || !o.stack_id) {
        rc = cfn_error_set(CFN_ERROR, "CreateChangeSet answered no Id or StackId");
        goto done;
    }
    if ((rc = wait_change_set(&o)) < 0 || o.no_changes || a->no_execute)
        goto done;
    cJSON_Delete(stack);
    stack = NULL;
    if ((rc = describe_one(env->aws, o.stack_id, &stack)) < 0 || (rc = mark(&o)) < 0)
        goto done;
    o.before = str(stack, "StackStatus") ? cfn__strdup(str(stack, "StackStatus")) : NULL;
    cJSON *exec = cJSON_CreateObject();
    cJSON_AddStringToObject(exec, "ChangeSetName", o.change_set_id);
    if (a->disable_rollback)
        cJSON_AddBoolToObject(exec, "DisableRollback", true);
    rc = cfn(env->aws, "ExecuteChangeSet", exec, NULL);
    cJSON_Delete(exec);
    if (rc < 0) {
        /* What happened before the refusal is still worth showing. */
        char why[2048];
        snprintf(why, sizeof(why), "%s", cfn_error_last());
        poll_events(&o);
        rc = cfn_error_set(rc, "%s", why);
        goto done;
    }
    if ((rc = follow(&o)) < 0)
        goto done;
    rc = outcome(
        &o, (const char *const[]){"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", NULL});
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(stack);
    cfn_node_free(root);
    free(body);
    free(url);
    return finish(&o, rc, report);
}

/* ---- delete ---- */

int stk_remote_delete(const stk_remote_env *env, const char *stack_name, const char *const *retain,
                      size_t nretain, cJSON **report)
{
    op o = {.env = env, .failures = cJSON_CreateArray(), .changes = cJSON_CreateArray()};
    cJSON *stack = NULL, *in = NULL;
    int rc;
    if (report)
        *report = NULL;
    if ((rc = describe_one(env->aws, stack_name, &stack)) < 0)
        goto done;
    o.stack_id = cfn__strdup(str(stack, "StackId"));
    o.before = str(stack, "StackStatus") ? cfn__strdup(str(stack, "StackStatus")) : NULL;
    if (!o.stack_id) {
        rc = cfn_error_set(CFN_ERROR, "DescribeStacks answered no StackId for %s", stack_name);
        goto done;
    }
    if ((rc = mark(&o)) < 0)
        goto done;
    in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "StackName", o.stack_id);
    if (nretain)
        cJSON_AddItemToObject(in, "RetainResources", string_list(retain, nretain));
    if ((rc = cfn(env->aws, "DeleteStack", in, NULL)) < 0 || (rc = follow(&o)) < 0)
        goto done;
    rc = outcome(&o, (const char *const[]){"DELETE_COMPLETE", NULL});
done:
    cJSON_Delete(stack);
    cJSON_Delete(in);
    return finish(&o, rc, report);
}

/* ---- describe ---- */

static cJSON *named(const char *stack_name)
{
    cJSON *in = cJSON_CreateObject();
    if (stack_name)
        cJSON_AddStringToObject(in, "StackName", stack_name);
    return in;
}

static int described(cfn_aws *aws, const char *stack_name, int rc)
{
    if (rc < 0 && stack_name && not_found(cfn_error_last()) &&
        cfn_aws_error_is(aws, "ValidationError"))
        return cfn_error_set(CFN_ENOTFOUND, "Stack with id %s does not exist", stack_name);
    return rc;
}

int stk_remote_describe_stacks(cfn_aws *aws, const char *stack_name, cJSON **out)
{
    return described(aws, stack_name,
                     gather(aws, "DescribeStacks", named(stack_name), "Stacks", out));
}

int stk_remote_describe_resources(cfn_aws *aws, const char *stack_name, cJSON **out)
{
    /* DescribeStackResources has no pages: it answers every resource. */
    cJSON *in = named(stack_name);
    int rc = cfn(aws, "DescribeStackResources", in, out);
    cJSON_Delete(in);
    return described(aws, stack_name, rc);
}

int stk_remote_describe_events(cfn_aws *aws, const char *stack_name, cJSON **out)
{
    return described(aws, stack_name,
                     gather(aws, "DescribeStackEvents", named(stack_name), "StackEvents", out));
}

int stk_remote_list_exports(cfn_aws *aws, cJSON **out)
{
    return gather(aws, "ListExports", cJSON_CreateObject(), "Exports", out);
}
