/* AWS::Logs::LogGroup for the local engine: CreateLogGroup, retention, KMS
 * key and tags in place; Ref is the log group's name, Fn::GetAtt Arn. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TYPE "AWS::Logs::LogGroup"
/* CloudWatch Logs' limit on a log group's name. */
#define MAX_NAME 512

static const char *const supported[] = {"LogGroupName", "RetentionInDays", "KmsKeyId", "Tags",
                                        NULL};

static cJSON *named(const char *group)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group, NULL);
}

/* {"Key": k, "Value": v} list -> {k: v}, as CloudWatch Logs takes tags. */
static cJSON *tag_map(const cJSON *list)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *t;
    cJSON_ArrayForEach(t, list)
    {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");
        if (!map || !cJSON_IsString(k) || !cJSON_IsString(v) ||
            !cJSON_AddStringToObject(map, k->valuestring, v->valuestring)) {
            cJSON_Delete(map);
            return NULL;
        }
    }
    return map;
}

static int set_retention(cfn_ctx *ctx, cfn_aws *aws, const char *group)
{
    long long days;
    if (!cfn_prop_has(ctx, "RetentionInDays"))
        return native_call(ctx, aws, "logs", "DeleteRetentionPolicy", named(group), NULL);
    if (cfn_prop_int(ctx, "RetentionInDays", &days) < 0)
        return -1;
    return native_call(ctx, aws, "logs", "PutRetentionPolicy",
                       cfnkit_json_number(named(group), "retentionInDays", (double)days), NULL);
}

/* The log group's ARN as CloudFormation's Fn::GetAtt Arn gives it
 * ("arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*", DescribeLogGroups' arn). */
static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *group)
{
    cJSON *out = NULL;
    if (native_call(ctx, aws, "logs", "DescribeLogGroups",
                    cfnkit_json_strings(cJSON_CreateObject(), "logGroupNamePrefix", group, NULL),
                    &out) < 0)
        return -1;
    const cJSON *g, *arn = NULL;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(out, "logGroups"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "logGroupName");
        if (cJSON_IsString(n) && strcmp(n->valuestring, group) == 0)
            arn = cJSON_GetObjectItemCaseSensitive(g, "arn");
    }
    int rc = cJSON_IsString(arn) ? cfn_set_data(ctx, "Arn", arn->valuestring)
                                 : cfn_fail(ctx, "log group %s is not described", group);
    cJSON_Delete(out);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, group);
}

static int create(cfn_ctx *ctx)
{
    const char *given, *kms;
    const cJSON *tags = NULL;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "LogGroupName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyId", NULL, &kms) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    cJSON *map = tags ? tag_map(tags) : NULL;
    if (tags && !map)
        return cfn_fail(ctx, TYPE " property Tags must be a list of {Key, Value} strings");
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0) {
        cJSON_Delete(map);
        return -1;
    }
    const char *group = given ? given : generated;
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group, "kmsKeyId", kms, NULL);
    if (map)
        in = cfnkit_json_item(in, "tags", map);
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        goto done;
    }
    if (native_call(ctx, aws, "logs", "CreateLogGroup", in, NULL) < 0 ||
        cfn_set_physical_id(ctx, group) < 0)
        goto done;
    if (cfn_prop_has(ctx, "RetentionInDays") && set_retention(ctx, aws, group) < 0)
        goto done;
    rc = answer(ctx, aws, group);
done:
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

static int update_tags(cfn_ctx *ctx, cfn_aws *aws, const char *group)
{
    cJSON *untag, *tag, *out = NULL;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    /* TagResource takes the ARN without the ":*" that Fn::GetAtt Arn has. */
    int rc = native_call(
        ctx, aws, "logs", "DescribeLogGroups",
        cfnkit_json_strings(cJSON_CreateObject(), "logGroupNamePrefix", group, NULL), &out);
    const cJSON *g, *arn = NULL;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(out, "logGroups"))
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "logGroupName");
        if (cJSON_IsString(n) && strcmp(n->valuestring, group) == 0)
            arn = cJSON_GetObjectItemCaseSensitive(g, "arn");
    }
    char *bare = cJSON_IsString(arn) ? strdup(arn->valuestring) : NULL;
    cJSON_Delete(out);
    if (rc == 0 && !bare)
        rc = cfn_fail(ctx, "log group %s is not described", group);
    if (bare) {
        size_t n = strlen(bare);
        if (n > 2 && strcmp(bare + n - 2, ":*") == 0)
            bare[n - 2] = '\0';
    }
    if (rc == 0 && cJSON_GetArraySize(untag) > 0) {
        rc = native_call(
            ctx, aws, "logs", "UntagResource",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "resourceArn", bare, NULL),
                             "tagKeys", untag),
            NULL);
        untag = NULL;
    }
    if (rc == 0 && cJSON_GetArraySize(tag) > 0) {
        cJSON *map = tag_map(tag);
        rc = native_call(ctx, aws, "logs", "TagResource",
                         map ? cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                                    "resourceArn", bare, NULL),
                                                "tags", map)
                             : NULL,
                         NULL);
    }
    cJSON_Delete(untag);
    cJSON_Delete(tag);
    free(bare);
    return rc;
}

static int update(cfn_ctx *ctx)
{
    const char *group = cfn_request_physical_id(ctx), *kms;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyId", NULL, &kms) < 0)
        return -1;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (cfn_prop_changed(ctx, "RetentionInDays") && set_retention(ctx, aws, group) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "KmsKeyId") &&
        native_call(ctx, aws, "logs", kms ? "AssociateKmsKey" : "DisassociateKmsKey",
                    cfnkit_json_strings(named(group), "kmsKeyId", kms, NULL), NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Tags") && update_tags(ctx, aws, group) < 0)
        goto done;
    rc = answer(ctx, aws, group);
done:
    cfn_aws_free(aws);
    return rc;
}

static int remove_group(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc =
        native_call(ctx, aws, "logs", "DeleteLogGroup", named(cfn_request_physical_id(ctx)), NULL);
    if (rc < 0 && cfn_aws_error_is(aws, "ResourceNotFoundException"))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"LogGroupName", NULL};
static const char *const attributes[] = {"Arn", NULL};

static const cfn_resource_type log_group_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_group,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_logs[] = {&log_group_type, NULL};
