/* Typed getters for ResourceProperties and OldResourceProperties, coercing
 * CloudFormation's strings and naming the property in every failure. */
#include "ctx.h"

#include <cfnkit/error.h>
#include <cfnkit/response.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { NEW_PROPS, OLD_PROPS } source;

static const cJSON *lookup(const cJSON *node, const char *path)
{
    char seg[256];
    while (node && *path) {
        size_t n = strcspn(path, ".");
        if (n == 0 || n >= sizeof(seg))
            return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        path += n + (path[n] == '.');
        if (cJSON_IsObject(node)) {
            node = cJSON_GetObjectItemCaseSensitive(node, seg);
        } else if (cJSON_IsArray(node) && strspn(seg, "0123456789") == n && n < 10) {
            node = cJSON_GetArrayItem(node, atoi(seg));
        } else {
            return NULL;
        }
    }
    /* AWS::NoValue removes a property; a null is as good as absent. */
    return cJSON_IsNull(node) ? NULL : node;
}

static const char *kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsArray(v))
        return "a list";
    if (cJSON_IsObject(v))
        return "a map";
    return "null";
}

static const char *label(source src)
{
    return src == OLD_PROPS ? "old property" : "property";
}

/* 0 and *out set when present; 1 when absent and not required; CFN_EINVAL
 * with the reason set when absent and required. */
static int find(cfn_ctx *ctx, source src, const char *name, bool required, const cJSON **out)
{
    const cJSON *root = src == OLD_PROPS ? ctx->req->old_props : ctx->req->props;
    *out = lookup(root, name);
    if (*out)
        return 0;
    if (!required)
        return 1;
    cfn_fail(ctx, "%s %s is required but missing", label(src), name);
    return CFN_EINVAL;
}

static int mistyped(cfn_ctx *ctx, source src, const char *name, const char *want, const cJSON *v)
{
    if (cJSON_IsString(v))
        cfn_fail(ctx, "%s %s must be %s, got \"%.80s%s\"", label(src), name, want, v->valuestring,
                 strlen(v->valuestring) > 80 ? "..." : "");
    else
        cfn_fail(ctx, "%s %s must be %s, got %s", label(src), name, want, kind(v));
    return CFN_EINVAL;
}

static int get_string(cfn_ctx *ctx, source src, const char *name, bool required,
                      const char *fallback, const char **out)
{
    const cJSON *v;
    int rc = find(ctx, src, name, required, &v);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *out = fallback;
        return 0;
    }
    if (!cJSON_IsString(v))
        return mistyped(ctx, src, name, "a string", v);
    *out = v->valuestring;
    return 0;
}

static int parse_int(const char *s, long long *out)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || *end || end == s)
        return -1;
    *out = n;
    return 0;
}

static int get_int(cfn_ctx *ctx, source src, const char *name, bool required, long long fallback,
                   long long *out)
{
    const cJSON *v;
    int rc = find(ctx, src, name, required, &v);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *out = fallback;
        return 0;
    }
    if (cJSON_IsString(v) && parse_int(v->valuestring, out) == 0)
        return 0;
    /* 2^53: the largest range in which every JSON number is an exact integer. */
    if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
        fabs(v->valuedouble) <= 9007199254740992.0) {
        *out = (long long)v->valuedouble;
        return 0;
    }
    return mistyped(ctx, src, name, "an integer", v);
}

static int get_bool(cfn_ctx *ctx, source src, const char *name, bool required, bool fallback,
                    bool *out)
{
    const cJSON *v;
    int rc = find(ctx, src, name, required, &v);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *out = fallback;
        return 0;
    }
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return 0;
    }
    if (cJSON_IsString(v) && strcasecmp(v->valuestring, "true") == 0) {
        *out = true;
        return 0;
    }
    if (cJSON_IsString(v) && strcasecmp(v->valuestring, "false") == 0) {
        *out = false;
        return 0;
    }
    return mistyped(ctx, src, name, "a boolean (\"true\" or \"false\")", v);
}

static int get_node(cfn_ctx *ctx, source src, const char *name, bool list, const cJSON **out)
{
    const cJSON *v;
    int rc = find(ctx, src, name, true, &v);
    if (rc < 0)
        return rc;
    if (list ? !cJSON_IsArray(v) : !cJSON_IsObject(v))
        return mistyped(ctx, src, name, list ? "a list" : "a map", v);
    *out = v;
    return 0;
}

int cfn_prop_string(cfn_ctx *ctx, const char *name, const char **out)
{
    return get_string(ctx, NEW_PROPS, name, true, NULL, out);
}

int cfn_prop_string_or(cfn_ctx *ctx, const char *name, const char *fallback, const char **out)
{
    return get_string(ctx, NEW_PROPS, name, false, fallback, out);
}

int cfn_prop_int(cfn_ctx *ctx, const char *name, long long *out)
{
    return get_int(ctx, NEW_PROPS, name, true, 0, out);
}

int cfn_prop_int_or(cfn_ctx *ctx, const char *name, long long fallback, long long *out)
{
    return get_int(ctx, NEW_PROPS, name, false, fallback, out);
}

int cfn_prop_bool(cfn_ctx *ctx, const char *name, bool *out)
{
    return get_bool(ctx, NEW_PROPS, name, true, false, out);
}

int cfn_prop_bool_or(cfn_ctx *ctx, const char *name, bool fallback, bool *out)
{
    return get_bool(ctx, NEW_PROPS, name, false, fallback, out);
}

int cfn_prop_list(cfn_ctx *ctx, const char *name, const cJSON **out)
{
    return get_node(ctx, NEW_PROPS, name, true, out);
}

int cfn_prop_map(cfn_ctx *ctx, const char *name, const cJSON **out)
{
    return get_node(ctx, NEW_PROPS, name, false, out);
}

bool cfn_prop_has(const cfn_ctx *ctx, const char *name)
{
    return lookup(ctx->req->props, name) != NULL;
}

int cfn_old_prop_string(cfn_ctx *ctx, const char *name, const char **out)
{
    return get_string(ctx, OLD_PROPS, name, true, NULL, out);
}

int cfn_old_prop_string_or(cfn_ctx *ctx, const char *name, const char *fallback, const char **out)
{
    return get_string(ctx, OLD_PROPS, name, false, fallback, out);
}

int cfn_old_prop_int(cfn_ctx *ctx, const char *name, long long *out)
{
    return get_int(ctx, OLD_PROPS, name, true, 0, out);
}

int cfn_old_prop_int_or(cfn_ctx *ctx, const char *name, long long fallback, long long *out)
{
    return get_int(ctx, OLD_PROPS, name, false, fallback, out);
}

int cfn_old_prop_bool(cfn_ctx *ctx, const char *name, bool *out)
{
    return get_bool(ctx, OLD_PROPS, name, true, false, out);
}

int cfn_old_prop_bool_or(cfn_ctx *ctx, const char *name, bool fallback, bool *out)
{
    return get_bool(ctx, OLD_PROPS, name, false, fallback, out);
}

int cfn_old_prop_list(cfn_ctx *ctx, const char *name, const cJSON **out)
{
    return get_node(ctx, OLD_PROPS, name, true, out);
}

int cfn_old_prop_map(cfn_ctx *ctx, const char *name, const cJSON **out)
{
    return get_node(ctx, OLD_PROPS, name, false, out);
}

bool cfn_old_prop_has(const cfn_ctx *ctx, const char *name)
{
    return lookup(ctx->req->old_props, name) != NULL;
}

bool cfn_prop_changed(const cfn_ctx *ctx, const char *name)
{
    if (ctx->req->action != CFN_UPDATE)
        return false;
    const cJSON *now = lookup(ctx->req->props, name), *was = lookup(ctx->req->old_props, name);
    if (!now || !was)
        return now != was;
    return !cJSON_Compare(now, was, 1);
}
