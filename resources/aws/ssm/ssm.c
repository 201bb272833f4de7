/* AWS::SSM::Parameter for the local engine: PutParameter, in place with
 * Overwrite, tags through AddTagsToResource; Ref is the parameter's name,
 * Fn::GetAtt Type and Value. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"

#define TYPE "AWS::SSM::Parameter"
/* SSM's limit on a parameter name. */
#define MAX_NAME 1011

static const char *const supported[] = {
    "Name", "Type",     "Value",    "Description", "AllowedPattern",
    "Tier", "Policies", "DataType", "Tags",        NULL,
};

/* The members of PutParameter copied from the properties of the same name. */
static const char *const put_members[] = {
    "Type", "Value", "Description", "AllowedPattern", "Tier", "Policies", "DataType", NULL,
};

static int call(cfn_ctx *ctx, cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_call(ctx, aws, "ssm", op, in, out);
}

/* Tags: a map of strings in this type's template ({"team": "a"}). */
static int tag_map(cfn_ctx *ctx, const cJSON *map)
{
    const cJSON *t;
    if (map && !cJSON_IsObject(map))
        return cfn_fail(ctx, TYPE " property Tags must be a map of strings");
    cJSON_ArrayForEach(t, map)
    {
        if (!cJSON_IsString(t))
            return cfn_fail(ctx, TYPE " property Tags.%s must be a string", t->string);
    }
    return 0;
}

/* [{Key, Value}] of the entries of `map` that `other` lacks or has with
 * another value (every entry when `other` is NULL); keys only with
 * `keys_only`. */
static cJSON *tags_not_in(const cJSON *map, const cJSON *other, bool keys_only)
{
    cJSON *list = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, map)
    {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(other, t->string);
        if (o && cJSON_Compare(o, t, true))
            continue;
        cJSON *item = keys_only ? cJSON_CreateString(t->string) : cJSON_CreateObject();
        bool filled =
            item && (keys_only || (cJSON_AddStringToObject(item, "Key", t->string) &&
                                   cJSON_AddStringToObject(item, "Value", t->valuestring)));
        if (!filled || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            cJSON_Delete(list);
            return NULL;
        }
    }
    return list;
}

static int check(cfn_ctx *ctx, const char **type)
{
    const char *value;
    if (native_check_props(ctx, supported) < 0 || cfn_prop_string(ctx, "Type", type) < 0 ||
        cfn_prop_string(ctx, "Value", &value) < 0)
        return -1;
    if (strcmp(*type, "String") != 0 && strcmp(*type, "StringList") != 0)
        return cfn_fail(ctx,
                        TYPE " property Type must be String or StringList (CloudFormation "
                             "does not create SecureString parameters), not %s",
                        *type);
    return tag_map(ctx, cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Tags"));
}

/* PutParameter's input from the properties. */
static cJSON *put_input(cfn_ctx *ctx, const char *name, bool overwrite)
{
    const cJSON *props = cfn_request_props(ctx);
    cJSON *in = cJSON_CreateObject();
    if (!in || !cJSON_AddStringToObject(in, "Name", name) ||
        (overwrite && !cJSON_AddBoolToObject(in, "Overwrite", true)))
        goto fail;
    for (const char *const *m = put_members; *m; m++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, *m);
        if (!v)
            continue;
        if (!cJSON_IsString(v)) {
            cJSON_Delete(in);
            cfn_fail(ctx, TYPE " property %s must be a string", *m);
            return NULL;
        }
        if (!cJSON_AddStringToObject(in, *m, v->valuestring))
            goto fail;
    }
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(props, "Tags");
    if (!overwrite && cJSON_GetArraySize(tags) > 0) {
        cJSON *list = tags_not_in(tags, NULL, false);
        if (!list || !cJSON_AddItemToObject(in, "Tags", list)) {
            cJSON_Delete(list);
            goto fail;
        }
    }
    return in;
fail:
    cJSON_Delete(in);
    cfn_fail(ctx, "out of memory");
    return NULL;
}

static int answer(cfn_ctx *ctx, const char *name, const char *type)
{
    const char *value;
    if (cfn_prop_string(ctx, "Value", &value) < 0 || cfn_set_data(ctx, "Type", type) < 0 ||
        cfn_set_data(ctx, "Value", value) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

static int create(cfn_ctx *ctx)
{
    const char *type, *given;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (check(ctx, &type) < 0 || cfn_prop_string_or(ctx, "Name", NULL, &given) < 0)
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *name = given ? given : generated;
    cJSON *in = put_input(ctx, name, false);
    if (in && cfn_aws_for(ctx, NULL, &aws) == 0) {
        rc = call(ctx, aws, "PutParameter", in, NULL);
        in = NULL;
        /* A generated name is this request's own: delivered before. */
        if (rc < 0 && generated && native_error_is(aws, "ParameterAlreadyExists"))
            rc = 0;
        if (rc == 0)
            rc = answer(ctx, name, type);
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

static int change_tags(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Tags");
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), "Tags");
    const char *ops[] = {"RemoveTagsFromResource", "AddTagsToResource"};
    const char *members[] = {"TagKeys", "Tags"};
    cJSON *lists[] = {tags_not_in(was, now, true), tags_not_in(now, was, false)};
    int rc = 0;
    for (int i = 0; i < 2; i++) {
        if (!lists[i]) {
            rc = cfn_fail(ctx, "out of memory");
            continue;
        }
        if (rc < 0 || cJSON_GetArraySize(lists[i]) == 0) {
            cJSON_Delete(lists[i]);
            continue;
        }
        cJSON *in = cJSON_CreateObject();
        if (!in || !cJSON_AddStringToObject(in, "ResourceType", "Parameter") ||
            !cJSON_AddStringToObject(in, "ResourceId", name) ||
            !cJSON_AddItemToObject(in, members[i], lists[i])) {
            cJSON_Delete(lists[i]);
            cJSON_Delete(in);
            rc = cfn_fail(ctx, "out of memory");
            continue;
        }
        rc = call(ctx, aws, ops[i], in, NULL);
    }
    return rc;
}

static int update(cfn_ctx *ctx)
{
    const char *type, *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (check(ctx, &type) < 0)
        return -1;
    cJSON *in = put_input(ctx, name, true);
    if (!in)
        return -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    if (call(ctx, aws, "PutParameter", in, NULL) == 0 &&
        (!cfn_prop_changed(ctx, "Tags") || change_tags(ctx, aws, name) == 0))
        rc = answer(ctx, name, type);
    cfn_aws_free(aws);
    return rc;
}

static int remove_parameter(cfn_ctx *ctx)
{
    cJSON *in = cJSON_CreateObject();
    if (!in || !cJSON_AddStringToObject(in, "Name", cfn_request_physical_id(ctx))) {
        cJSON_Delete(in);
        return cfn_fail(ctx, "out of memory");
    }
    return native_delete(ctx, "ssm", "DeleteParameter", in, "ParameterNotFound");
}

static const char *const replaces[] = {"Name", NULL};
static const char *const write_only[] = {"Description", "Tier", "AllowedPattern", "Policies", NULL};
static const char *const attributes[] = {"Type", "Value", NULL};

static const cfn_resource_type parameter_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_parameter,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .write_only = write_only,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_ssm[] = {&parameter_type, NULL};
