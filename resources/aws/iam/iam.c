/* The native AWS::IAM:: types, as the build lists them, and their shared
 * calls. */
#include "iam.h"

#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cfn_resource_type *const cfnkit_native_iam[] = {
    &native_iam_role,
    &native_iam_role_policy,
    &native_iam_policy,
    &native_iam_managed_policy,
    &native_iam_instance_profile,
    &native_iam_user,
    &native_iam_group,
    &native_iam_user_to_group_addition,
    &native_iam_access_key,
    NULL,
};

int iam_call(cfn_ctx *ctx, cfn_aws *aws, const char *operation, cJSON *input, cJSON **output,
             const char *tolerated)
{
    if (output)
        *output = NULL;
    if (!input)
        return cfn_fail(ctx, "out of memory");
    int rc = cfn_aws_call(aws, "iam", operation, input, output);
    cJSON_Delete(input);
    if (rc == 0)
        return 0;
    if (tolerated && cfn_aws_error_is(aws, tolerated))
        return 1;
    return cfn_fail(ctx, "%s", cfn_error_last());
}

/* The value at a dotted path ("Policies.0.PolicyDocument"), or NULL. */
static const cJSON *at(const cJSON *v, const char *path)
{
    char part[128];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof(part), "%.*s", (int)n, path);
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(part))
                             : cJSON_GetObjectItemCaseSensitive(v, part);
        path += n + (path[n] == '.');
    }
    return v;
}

int iam_document(cfn_ctx *ctx, const char *name, bool old, char **out)
{
    const cJSON *doc = at(old ? cfn_request_old_props(ctx) : cfn_request_props(ctx), name);
    *out = NULL;
    /* A template gives an object; a parameter or Fn::Sub gives its text. */
    if (cJSON_IsObject(doc))
        *out = cJSON_PrintUnformatted(doc);
    else if (cJSON_IsString(doc))
        *out = strdup(doc->valuestring);
    else if (!doc)
        return cfn_fail(ctx, "%s property %s is required", cfn_request_resource_type(ctx), name);
    else
        return cfn_fail(ctx, "%s property %s must be a policy document (a JSON object or its text)",
                        cfn_request_resource_type(ctx), name);
    return *out ? 0 : cfn_fail(ctx, "out of memory");
}

int iam_names(cfn_ctx *ctx, const char *name, bool old, const cJSON **out)
{
    const cJSON *item;
    *out = NULL;
    if (old ? !cfn_old_prop_has(ctx, name) : !cfn_prop_has(ctx, name))
        return 0;
    if ((old ? cfn_old_prop_list(ctx, name, out) : cfn_prop_list(ctx, name, out)) < 0)
        return -1;
    cJSON_ArrayForEach(item, *out)
    {
        if (!cJSON_IsString(item))
            return cfn_fail(ctx, "%s property %s must be a list of strings",
                            cfn_request_resource_type(ctx), name);
    }
    return 0;
}

bool iam_has(const cJSON *list, const char *s)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, s) == 0)
            return true;
    }
    return false;
}

bool iam_valid_name(const char *name, size_t max)
{
    size_t n = strlen(name);
    return n >= 1 && n <= max &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=,.@_-") ==
               n;
}

void iam_undo(cfn_ctx *ctx, cfn_aws *aws, const char *id,
              int (*undo)(cfn_ctx *ctx, cfn_aws *aws, const char *id))
{
    char *why = strdup(cfn_reason(ctx) ? cfn_reason(ctx) : "");
    undo(ctx, aws, id);
    cfn_fail(ctx, "%s", why ? why : "out of memory");
    free(why);
}
