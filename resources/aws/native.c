/* Helpers shared by the native AWS:: types: generated physical names, the
 * properties a type implements, calls, tags, resource policies. */
#include "native.h"

#include "awsjson.h"

#include <cfnkit/digest.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Uppercase letters and digits, as CloudFormation's suffixes. */
static void suffix(const char *seed, char out[NATIVE_NAME_SUFFIX_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char hex[CFN_SHA256_HEX_SIZE];
    cfn_sha256_hex(seed, strlen(seed), hex);
    for (int i = 0; i < NATIVE_NAME_SUFFIX_LEN; i++) {
        unsigned v = 0;
        sscanf(hex + 4 * i, "%4x", &v);
        out[i] = alphabet[v % 36];
    }
    out[NATIVE_NAME_SUFFIX_LEN] = '\0';
}

/* Copies at most `room` characters of `part` to `dst`, dropping dashes with
 * NO_DASH and any dash the cut leaves at the end; returns the length. */
static size_t put_part(char *dst, const char *part, size_t room, unsigned flags)
{
    size_t n = 0;
    for (const char *p = part; *p && n < room; p++) {
        if (*p == '-' && (flags & NATIVE_NAME_NO_DASH))
            continue;
        dst[n++] = *p;
    }
    while (n > 0 && dst[n - 1] == '-')
        n--;
    return n;
}

static size_t part_len(const char *part, unsigned flags)
{
    char buf[256];
    return put_part(buf, part, sizeof(buf), flags);
}

int native_name_from(const char *stack, const char *logical, const char *seed, size_t max_len,
                     unsigned flags, char **out)
{
    *out = NULL;
    size_t seps = (flags & NATIVE_NAME_NO_DASH) ? 0 : 2;
    if (max_len < NATIVE_NAME_SUFFIX_LEN + seps + 2)
        return -1;
    size_t room = max_len - NATIVE_NAME_SUFFIX_LEN - seps;
    size_t ls = part_len(stack, flags), ll = part_len(logical, flags);
    size_t half = room / 2;
    size_t rs = ls, rl = ll;
    if (ls + ll > room) {
        if (ls <= half)
            rl = room - ls;
        else if (ll <= room - half)
            rs = room - ll;
        else
            rs = half, rl = room - half;
    }
    char *name = malloc(max_len + 1);
    if (!name)
        return -1;
    size_t n = put_part(name, stack, rs, flags);
    if (seps)
        name[n++] = '-';
    n += put_part(name + n, logical, rl, flags);
    if (seps)
        name[n++] = '-';
    suffix(seed, name + n);
    n += NATIVE_NAME_SUFFIX_LEN;
    name[n] = '\0';
    if (flags & NATIVE_NAME_LOWER)
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    *out = name;
    return 0;
}

int native_name(cfn_ctx *ctx, size_t max_len, unsigned flags, char **out)
{
    const char *stack = cfn_request_stack_name(ctx);
    const char *logical = cfn_request_logical_id(ctx);
    const char *stack_id = cfn_request_stack_id(ctx), *request = cfn_request_id(ctx);
    char *seed = NULL;
    *out = NULL;
    if (asprintf(&seed, "%s\n%s\n%s", stack_id ? stack_id : "", logical ? logical : "",
                 request ? request : "") < 0)
        return cfn_fail(ctx, "out of memory generating a name");
    int rc =
        native_name_from(stack && *stack ? stack : "stack",
                         logical && *logical ? logical : "resource", seed, max_len, flags, out);
    free(seed);
    if (rc < 0)
        return cfn_fail(ctx, "cannot generate a name of at most %zu characters for %s", max_len,
                        logical ? logical : "the resource");
    return 0;
}

int native_check_props(cfn_ctx *ctx, const char *const *supported)
{
    const cJSON *prop;
    cJSON_ArrayForEach(prop, cfn_request_props(ctx))
    {
        if (strcmp(prop->string, "ServiceToken") == 0)
            continue;
        const char *const *s = supported;
        while (*s && strcmp(*s, prop->string) != 0)
            s++;
        if (!*s)
            return cfn_fail(ctx, "%s property %s is not supported by cfnkit's local engine",
                            cfn_request_resource_type(ctx), prop->string);
    }
    return 0;
}

static bool listed(const cJSON *tags, const cJSON *tag, bool value_too)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(tag, "Key");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tag, "Value"), *t;
    cJSON_ArrayForEach(t, tags)
    {
        const cJSON *tk = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *tv = cJSON_GetObjectItemCaseSensitive(t, "Value");
        if (k && tk && cJSON_Compare(k, tk, true) &&
            (!value_too || (v && tv && cJSON_Compare(v, tv, true))))
            return true;
    }
    return false;
}

int native_tag_changes(cfn_ctx *ctx, const char *property, cJSON **untag, cJSON **tag)
{
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), property);
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), property);
    const cJSON *t;
    *untag = cJSON_CreateArray();
    *tag = cJSON_CreateArray();
    if (!*untag || !*tag)
        goto nomem;
    if ((now && !cJSON_IsArray(now)) || (was && !cJSON_IsArray(was)))
        goto bad;
    cJSON_ArrayForEach(t, now)
    {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "Key")) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t, "Value")))
            goto bad;
        if (!listed(was, t, true) && !cJSON_AddItemToArray(*tag, cJSON_Duplicate(t, true)))
            goto nomem;
    }
    cJSON_ArrayForEach(t, was)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        if (cJSON_IsString(k) && !listed(now, t, true) &&
            !cJSON_AddItemToArray(*untag, cJSON_CreateString(k->valuestring)))
            goto nomem;
    }
    return 0;
bad:
    cJSON_Delete(*untag);
    cJSON_Delete(*tag);
    *untag = *tag = NULL;
    return cfn_fail(ctx, "%s property %s must be a list of {\"Key\": string, \"Value\": string}",
                    cfn_request_resource_type(ctx), property);
nomem:
    cJSON_Delete(*untag);
    cJSON_Delete(*tag);
    *untag = *tag = NULL;
    return cfn_fail(ctx, "out of memory");
}

int native_take_call(cfn_aws *aws, const char *service, const char *label, const char *operation,
                     cJSON *in, cJSON **out)
{
    if (out)
        *out = NULL;
    if (!in)
        return cfn_error_set(CFN_ENOMEM, "%s %s: out of memory", label, operation);
    int rc = cfn_aws_call(aws, service, operation, in, out);
    cJSON_Delete(in);
    return rc;
}

int native_call(cfn_ctx *ctx, cfn_aws *aws, const char *service, const char *operation, cJSON *in,
                cJSON **out)
{
    if (!in) {
        if (out)
            *out = NULL;
        return cfn_fail(ctx, "out of memory");
    }
    /* Without `out`, no answer is read: some operations answer nothing. */
    if (native_take_call(aws, service, service, operation, in, out) == 0)
        return 0;
    if (out) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return -1;
}

#define POLL_MS 500
#define CALL_MS 1000 /* kept for the read after a pause */

bool native_poll_again(cfn_ctx *ctx)
{
    return cfn_remaining_ms(ctx) >= POLL_MS + CALL_MS && cfn_sleep(ctx, POLL_MS) == 0;
}

bool native_error_is(const cfn_aws *aws, const char *code)
{
    const char *got = cfn_aws_error_code(aws);
    const char *hash = got ? strrchr(got, '#') : NULL;
    return got && strcmp(hash ? hash + 1 : got, code) == 0;
}

int native_delete(cfn_ctx *ctx, const char *service, const char *operation, cJSON *in,
                  const char *gone)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = native_call(ctx, aws, service, operation, in, NULL);
    if (rc < 0 && native_error_is(aws, gone))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

int native_update_tags(cfn_ctx *ctx, cfn_aws *aws, const char *service, const char *id_member,
                       const char *id)
{
    cJSON *untag, *tag;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0) {
        rc = native_call(
            ctx, aws, service, "UntagResource",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), id_member, id, NULL),
                             "TagKeys", untag),
            NULL);
        untag = NULL;
    }
    if (rc == 0 && cJSON_GetArraySize(tag) > 0) {
        rc = native_call(
            ctx, aws, service, "TagResource",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), id_member, id, NULL), "Tags",
                             tag),
            NULL);
        tag = NULL;
    }
    cJSON_Delete(untag);
    cJSON_Delete(tag);
    return rc;
}

int native_json_text(cfn_ctx *ctx, const char *property, bool required, char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), property);
    const char *type = cfn_request_resource_type(ctx);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (!v)
        return cfn_fail(ctx, "%s property %s is required", type, property);
    if (!cJSON_IsObject(v) && !cJSON_IsString(v))
        return cfn_fail(ctx, "%s property %s must be a JSON object or string", type, property);
    *out = cJSON_IsObject(v) ? cJSON_PrintUnformatted(v) : strdup(v->valuestring);
    return *out ? 0 : cfn_fail(ctx, "out of memory");
}

/* Sets the policy of every resource in `targets` but those in `skip`. */
static int set_policies(cfn_ctx *ctx, cfn_aws *aws, const native_policy_type *type,
                        const cJSON *targets, const cJSON *skip, const char *policy)
{
    const cJSON *t, *k;
    cJSON_ArrayForEach(t, targets)
    {
        if (!cJSON_IsString(t))
            return cfn_fail(ctx, "%s property %s must be a list of %s",
                            cfn_request_resource_type(ctx), type->list, type->items);
        bool skipped = false;
        cJSON_ArrayForEach(k, skip)
        {
            skipped = skipped || (cJSON_IsString(k) && strcmp(k->valuestring, t->valuestring) == 0);
        }
        if (!skipped && type->set(ctx, aws, t->valuestring, policy) < 0)
            return -1;
    }
    return 0;
}

static int apply_policy(cfn_ctx *ctx, const native_policy_type *type, const cJSON *old_targets,
                        const char *id)
{
    const cJSON *targets;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, type->supported) < 0 ||
        cfn_prop_list(ctx, type->list, &targets) < 0)
        return -1;
    char *policy;
    if (native_json_text(ctx, "PolicyDocument", true, &policy) < 0)
        return -1;
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = set_policies(ctx, aws, type, old_targets, targets, NULL);
    if (rc == 0)
        rc = set_policies(ctx, aws, type, targets, NULL, policy);
    if (rc == 0 && cfn_set_data(ctx, "Id", id) == 0)
        rc = cfn_set_physical_id(ctx, id);
    free(policy);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

int native_policy_create(cfn_ctx *ctx, const native_policy_type *type)
{
    char *id = NULL;
    if (native_name(ctx, 255, 0, &id) < 0)
        return -1;
    int rc = apply_policy(ctx, type, NULL, id);
    free(id);
    return rc;
}

int native_policy_update(cfn_ctx *ctx, const native_policy_type *type)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), type->list);
    return apply_policy(ctx, type, old, cfn_request_physical_id(ctx));
}

int native_policy_remove(cfn_ctx *ctx, const native_policy_type *type)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = set_policies(ctx, aws, type,
                          cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), type->list),
                          NULL, NULL);
    cfn_aws_free(aws);
    return rc;
}

int native_inline_policy_put(cfn_ctx *ctx, const char *const *supported, const char *target,
                             native_set_policy set)
{
    const char *id;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, supported) < 0 || cfn_prop_string(ctx, target, &id) < 0)
        return -1;
    char *policy;
    if (native_json_text(ctx, "PolicyDocument", true, &policy) < 0)
        return -1;
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = set(ctx, aws, id, policy);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, id);
    free(policy);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

int native_inline_policy_remove(cfn_ctx *ctx, native_set_policy set)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = set(ctx, aws, cfn_request_physical_id(ctx), NULL);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}
