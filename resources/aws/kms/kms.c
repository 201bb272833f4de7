/* AWS::KMS::Key and AWS::KMS::Alias for the local engine. A key's Ref is its
 * id, Fn::GetAtt Arn and KeyId; deleting a key schedules its deletion, as
 * CloudFormation does (PendingWindowInDays, default 30). An alias's Ref is
 * its name. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define KEY   "AWS::KMS::Key"
#define ALIAS "AWS::KMS::Alias"

static const char *const key_supported[] = {
    "Description",
    "Enabled",
    "EnableKeyRotation",
    "KeyPolicy",
    "KeySpec",
    "KeyUsage",
    "MultiRegion",
    "Origin",
    "PendingWindowInDays",
    "RotationPeriodInDays",
    "BypassPolicyLockoutSafetyCheck",
    "Tags",
    NULL,
};
/* Properties KMS cannot change on an existing key. */
static const char *const fixed[] = {"KeySpec", "KeyUsage", "MultiRegion", "Origin", NULL};

/* [{Key, Value}] -> [{TagKey, TagValue}], as KMS takes tags. */
static cJSON *kms_tags(const cJSON *list)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        cJSON *item = cJSON_IsString(k) && cJSON_IsString(v)
                          ? cfnkit_json_strings(cJSON_CreateObject(), "TagKey", k->valuestring,
                                                "TagValue", v->valuestring, NULL)
                          : NULL;
        if (!out || !item || !cJSON_AddItemToArray(out, item)) {
            cJSON_Delete(item);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

static cJSON *key_ref(const char *id)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "KeyId", id, NULL);
}

static int set_rotation(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    bool on;
    long long period;
    if (cfn_prop_bool_or(ctx, "EnableKeyRotation", false, &on) < 0 ||
        cfn_prop_int_or(ctx, "RotationPeriodInDays", 0, &period) < 0)
        return -1;
    cJSON *in = key_ref(id);
    if (on && period > 0)
        in = cfnkit_json_number(in, "RotationPeriodInDays", (double)period);
    return native_call(ctx, aws, "kms", on ? "EnableKeyRotation" : "DisableKeyRotation", in, NULL);
}

static int set_enabled(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    bool on;
    if (cfn_prop_bool_or(ctx, "Enabled", true, &on) < 0)
        return -1;
    return native_call(ctx, aws, "kms", on ? "EnableKey" : "DisableKey", key_ref(id), NULL);
}

static int key_answer(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    cJSON *out = NULL;
    if (native_call(ctx, aws, "kms", "DescribeKey", key_ref(id), &out) < 0)
        return -1;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(out, "KeyMetadata"), "Arn");
    int rc = -1;
    if (!cJSON_IsString(arn))
        cfn_fail(ctx, "DescribeKey gave no Arn for %s", id);
    else if (cfn_set_data(ctx, "Arn", arn->valuestring) == 0 && cfn_set_data(ctx, "KeyId", id) == 0)
        rc = cfn_set_physical_id(ctx, id);
    cJSON_Delete(out);
    return rc;
}

static int create_key(cfn_ctx *ctx)
{
    const char *description, *spec, *usage, *origin;
    const cJSON *tags = NULL;
    bool multi, bypass, rotation, enabled;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, key_supported) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "KeySpec", NULL, &spec) < 0 ||
        cfn_prop_string_or(ctx, "KeyUsage", NULL, &usage) < 0 ||
        cfn_prop_string_or(ctx, "Origin", NULL, &origin) < 0 ||
        cfn_prop_bool_or(ctx, "MultiRegion", false, &multi) < 0 ||
        cfn_prop_bool_or(ctx, "BypassPolicyLockoutSafetyCheck", false, &bypass) < 0 ||
        cfn_prop_bool_or(ctx, "EnableKeyRotation", false, &rotation) < 0 ||
        cfn_prop_bool_or(ctx, "Enabled", true, &enabled) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    char *policy;
    if (native_json_text(ctx, "KeyPolicy", false, &policy) < 0)
        return -1;
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "Description", description, "KeySpec", spec,
                            "KeyUsage", usage, "Origin", origin, "Policy", policy, NULL);
    free(policy);
    if (in && ((multi && !cJSON_AddBoolToObject(in, "MultiRegion", true)) ||
               (bypass && !cJSON_AddBoolToObject(in, "BypassPolicyLockoutSafetyCheck", true)))) {
        cJSON_Delete(in);
        in = NULL;
    }
    if (tags) {
        cJSON *list = kms_tags(tags);
        if (!list) {
            cJSON_Delete(in);
            return cfn_fail(ctx, KEY " property Tags must be a list of {Key, Value} strings");
        }
        in = cfnkit_json_item(in, "Tags", list);
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    if (native_call(ctx, aws, "kms", "CreateKey", in, &out) < 0)
        goto done;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(out, "KeyMetadata"), "KeyId");
    if (!cJSON_IsString(id)) {
        cfn_fail(ctx, "CreateKey gave no KeyId");
        goto done;
    }
    if (cfn_set_physical_id(ctx, id->valuestring) < 0 ||
        (rotation && set_rotation(ctx, aws, id->valuestring) < 0) ||
        (!enabled && set_enabled(ctx, aws, id->valuestring) < 0))
        goto done;
    rc = key_answer(ctx, aws, id->valuestring);
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int update_key_tags(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    cJSON *untag, *tag;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0) {
        rc = native_call(ctx, aws, "kms", "UntagResource",
                         cfnkit_json_item(key_ref(id), "TagKeys", untag), NULL);
        untag = NULL;
    }
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = native_call(ctx, aws, "kms", "TagResource",
                         cfnkit_json_item(key_ref(id), "Tags", kms_tags(tag)), NULL);
    cJSON_Delete(untag);
    cJSON_Delete(tag);
    return rc;
}

static int update_key(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *description;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, key_supported) < 0 ||
        cfn_prop_string_or(ctx, "Description", "", &description) < 0)
        return -1;
    for (const char *const *f = fixed; *f; f++)
        if (cfn_prop_changed(ctx, *f))
            return cfn_fail(ctx, KEY " %s: %s cannot change on an existing key", id, *f);
    char *policy;
    if (native_json_text(ctx, "KeyPolicy", false, &policy) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0) {
        free(policy);
        return -1;
    }
    if (cfn_prop_changed(ctx, "Description") &&
        native_call(ctx, aws, "kms", "UpdateKeyDescription",
                    cfnkit_json_strings(key_ref(id), "Description", description, NULL), NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "KeyPolicy") && policy &&
        native_call(
            ctx, aws, "kms", "PutKeyPolicy",
            cfnkit_json_strings(key_ref(id), "PolicyName", "default", "Policy", policy, NULL),
            NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Enabled") && set_enabled(ctx, aws, id) < 0)
        goto done;
    if ((cfn_prop_changed(ctx, "EnableKeyRotation") ||
         cfn_prop_changed(ctx, "RotationPeriodInDays")) &&
        set_rotation(ctx, aws, id) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Tags") && update_key_tags(ctx, aws, id) < 0)
        goto done;
    rc = key_answer(ctx, aws, id);
done:
    free(policy);
    cfn_aws_free(aws);
    return rc;
}

/* ScheduleKeyDeletion: a key already pending deletion or gone is success. */
static int remove_key(cfn_ctx *ctx)
{
    long long days;
    cfn_aws *aws = NULL;
    if (cfn_prop_int_or(ctx, "PendingWindowInDays", 30, &days) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    const char *id = cfn_request_physical_id(ctx);
    cJSON *out = NULL;
    int rc = native_call(ctx, aws, "kms", "DescribeKey", key_ref(id), &out);
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(out, "KeyMetadata"), "KeyState");
    if (rc == 0 && !(cJSON_IsString(state) && strcmp(state->valuestring, "PendingDeletion") == 0))
        rc =
            native_call(ctx, aws, "kms", "ScheduleKeyDeletion",
                        cfnkit_json_number(key_ref(id), "PendingWindowInDays", (double)days), NULL);
    if (rc < 0 && native_error_is(aws, "NotFoundException"))
        rc = 0;
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const alias_supported[] = {"AliasName", "TargetKeyId", NULL};

static int put_alias(cfn_ctx *ctx, const char *op)
{
    const char *name, *target;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, alias_supported) < 0 ||
        cfn_prop_string(ctx, "AliasName", &name) < 0 ||
        cfn_prop_string(ctx, "TargetKeyId", &target) < 0)
        return -1;
    if (strncmp(name, "alias/", 6) != 0 || strncmp(name, "alias/aws/", 10) == 0)
        return cfn_fail(ctx,
                        ALIAS " property AliasName must begin with alias/ (and not "
                              "alias/aws/, which AWS keeps for its own keys): %s",
                        name);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = native_call(
        ctx, aws, "kms", op,
        cfnkit_json_strings(cJSON_CreateObject(), "AliasName", name, "TargetKeyId", target, NULL),
        NULL);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int create_alias(cfn_ctx *ctx)
{
    return put_alias(ctx, "CreateAlias");
}

static int update_alias(cfn_ctx *ctx)
{
    return put_alias(ctx, "UpdateAlias");
}

static int remove_alias(cfn_ctx *ctx)
{
    return native_delete(
        ctx, "kms", "DeleteAlias",
        cfnkit_json_strings(cJSON_CreateObject(), "AliasName", cfn_request_physical_id(ctx), NULL),
        "NotFoundException");
}

static const char *const key_write_only[] = {
    "PendingWindowInDays", "BypassPolicyLockoutSafetyCheck", "RotationPeriodInDays", NULL};
static const char *const key_attributes[] = {"Arn", "KeyId", NULL};
static const char *const alias_replaces[] = {"AliasName", NULL};

static const cfn_resource_type key_type = {
    .type = KEY,
    .create = create_key,
    .update = update_key,
    .remove = remove_key,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .write_only = key_write_only,
    .attributes = key_attributes,
};

static const cfn_resource_type alias_type = {
    .type = ALIAS,
    .create = create_alias,
    .update = update_alias,
    .remove = remove_alias,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = alias_replaces,
};

const cfn_resource_type *const cfnkit_native_kms[] = {&key_type, &alias_type, NULL};
