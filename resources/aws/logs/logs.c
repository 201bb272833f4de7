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

static const char *const supported[] = {
    "LogGroupName", "RetentionInDays", "KmsKeyId", "LogGroupClass", "Tags", NULL};

static cJSON *named(const char *group)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group, NULL);
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
    const char *given, *kms, *class;
    const cJSON *tags = NULL;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "LogGroupName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyId", NULL, &kms) < 0 ||
        cfn_prop_string_or(ctx, "LogGroupClass", NULL, &class) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    cJSON *map = tags ? cfnkit_tag_object(tags) : NULL;
    if (tags && !map)
        return cfn_fail(ctx, TYPE " property Tags must be a list of {Key, Value} strings");
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0) {
        cJSON_Delete(map);
        return -1;
    }
    const char *group = given ? given : generated;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group, "kmsKeyId", kms,
                                    "logGroupClass", class, NULL);
    if (map)
        in = cfnkit_json_item(in, "tags", map);
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        goto done;
    }
    /* A generated name is this request's own: delivered before. */
    if ((native_call(ctx, aws, "logs", "CreateLogGroup", in, NULL) < 0 &&
         !(generated && native_error_is(aws, "ResourceAlreadyExistsException"))) ||
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
        cJSON *map = cfnkit_tag_object(tag);
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
    /* CloudWatch Logs has no call that changes a group's class. */
    if (cfn_prop_changed(ctx, "LogGroupClass"))
        return cfn_fail(ctx, TYPE " %s: LogGroupClass cannot change on an existing log group",
                        group);
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
    return native_delete(ctx, "logs", "DeleteLogGroup", named(cfn_request_physical_id(ctx)),
                         "ResourceNotFoundException");
}

/* ---- AWS::Logs::MetricFilter ---- */

static const char *const filter_supported[] = {"FilterName", "FilterPattern", "LogGroupName",
                                               "MetricTransformations", NULL};
/* A metric transformation's members: CloudFormation's name, the API's. */
static const char *const transformation_members[][2] = {
    {"MetricName", "metricName"},
    {"MetricNamespace", "metricNamespace"},
    {"MetricValue", "metricValue"},
    {"DefaultValue", "defaultValue"},
    {"Unit", "unit"},
    {"Dimensions", "dimensions"},
};

/* MetricTransformations as PutMetricFilter takes them: members renamed,
 * Dimensions [{Key, Value}] as a map, DefaultValue a number. */
static cJSON *transformations(cfn_ctx *ctx, const cJSON *list)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *t, *f;
    cJSON_ArrayForEach(t, list)
    {
        cJSON *item = cJSON_CreateObject();
        if (!out || !item || !cJSON_AddItemToArray(out, item)) {
            cJSON_Delete(item);
            goto nomem;
        }
        cJSON_ArrayForEach(f, t)
        {
            size_t i = 0, n = sizeof(transformation_members) / sizeof(*transformation_members);
            while (i < n && strcmp(transformation_members[i][0], f->string) != 0)
                i++;
            if (i == n) {
                cJSON_Delete(out);
                cfn_fail(ctx,
                         "AWS::Logs::MetricFilter property MetricTransformations.%s is not "
                         "supported by cfnkit's local engine",
                         f->string);
                return NULL;
            }
            const char *name = transformation_members[i][1];
            cJSON *v;
            if (strcmp(f->string, "Dimensions") == 0)
                v = cfnkit_tag_object(f);
            else if (strcmp(f->string, "DefaultValue") == 0 && cJSON_IsString(f))
                v = cJSON_CreateNumber(strtod(f->valuestring, NULL));
            else
                v = cJSON_Duplicate(f, true);
            if (!v || !cJSON_AddItemToObject(item, name, v)) {
                cJSON_Delete(v);
                goto nomem;
            }
        }
    }
    return out;
nomem:
    cJSON_Delete(out);
    cfn_fail(ctx, "out of memory");
    return NULL;
}

static int put_filter(cfn_ctx *ctx, const char *name)
{
    const char *group, *pattern;
    const cJSON *list;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, filter_supported) < 0 ||
        cfn_prop_string(ctx, "LogGroupName", &group) < 0 ||
        cfn_prop_string(ctx, "FilterPattern", &pattern) < 0 ||
        cfn_prop_list(ctx, "MetricTransformations", &list) < 0)
        return -1;
    cJSON *t = transformations(ctx, list);
    if (!t)
        return -1;
    cJSON *in =
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group,
                                             "filterName", name, "filterPattern", pattern, NULL),
                         "metricTransformations", t);
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = native_call(ctx, aws, "logs", "PutMetricFilter", in, NULL);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int create_filter(cfn_ctx *ctx)
{
    const char *given;
    char *generated = NULL;
    if (cfn_prop_string_or(ctx, "FilterName", NULL, &given) < 0 ||
        (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0))
        return -1;
    int rc = put_filter(ctx, given ? given : generated);
    free(generated);
    return rc;
}

static int update_filter(cfn_ctx *ctx)
{
    return put_filter(ctx, cfn_request_physical_id(ctx));
}

/* How many filters of `group` are named `name`: one on AWS; moto adds one
 * per PutMetricFilter of the same name instead of replacing it. */
static int count_filters(cfn_ctx *ctx, cfn_aws *aws, const char *group, const char *name)
{
    cJSON *out = NULL;
    if (native_call(ctx, aws, "logs", "DescribeMetricFilters",
                    cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group,
                                        "filterNamePrefix", name, NULL),
                    &out) < 0)
        return native_error_is(aws, "ResourceNotFoundException") ? 0 : -1;
    int n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(out, "metricFilters"))
    {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(f, "filterName");
        n += cJSON_IsString(fn) && strcmp(fn->valuestring, name) == 0;
    }
    cJSON_Delete(out);
    return n;
}

static int remove_filter(cfn_ctx *ctx)
{
    const char *group, *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (cfn_prop_string(ctx, "LogGroupName", &group) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int n = count_filters(ctx, aws, group, name), rc = n < 0 ? -1 : 0;
    /* Bounded by the first count: each call removes at least one. */
    for (int i = 0, most = n; rc == 0 && n > 0 && i < most; i++) {
        rc = native_call(ctx, aws, "logs", "DeleteMetricFilter",
                         cfnkit_json_strings(cJSON_CreateObject(), "logGroupName", group,
                                             "filterName", name, NULL),
                         NULL);
        if (rc < 0 && native_error_is(aws, "ResourceNotFoundException"))
            rc = 0;
        if (rc == 0 && (n = count_filters(ctx, aws, group, name)) < 0)
            rc = -1;
    }
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::Logs::ResourcePolicy ---- */

static const char *const resource_policy_supported[] = {"PolicyName", "PolicyDocument", NULL};

static int put_resource_policy(cfn_ctx *ctx)
{
    const char *name, *doc;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, resource_policy_supported) < 0 ||
        cfn_prop_string(ctx, "PolicyName", &name) < 0)
        return -1;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "PolicyDocument");
    char *text = cJSON_IsObject(d) ? cJSON_PrintUnformatted(d) : NULL;
    if (!text && cfn_prop_string(ctx, "PolicyDocument", &doc) < 0)
        return -1;
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "logs", "PutResourcePolicy",
                         cfnkit_json_strings(cJSON_CreateObject(), "policyName", name,
                                             "policyDocument", text ? text : doc, NULL),
                         NULL);
    free(text);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int remove_resource_policy(cfn_ctx *ctx)
{
    return native_delete(
        ctx, "logs", "DeleteResourcePolicy",
        cfnkit_json_strings(cJSON_CreateObject(), "policyName", cfn_request_physical_id(ctx), NULL),
        "ResourceNotFoundException");
}

/* ---- AWS::Logs::LogStream ---- */

static const char *const stream_supported[] = {"LogGroupName", "LogStreamName", NULL};

static int create_stream(cfn_ctx *ctx)
{
    const char *group, *given;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, stream_supported) < 0 ||
        cfn_prop_string(ctx, "LogGroupName", &group) < 0 ||
        cfn_prop_string_or(ctx, "LogStreamName", NULL, &given) < 0 ||
        (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0))
        return -1;
    const char *name = given ? given : generated;
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0) {
        rc = native_call(ctx, aws, "logs", "CreateLogStream",
                         cfnkit_json_strings(named(group), "logStreamName", name, NULL), NULL);
        /* A generated name is this request's own: delivered before. */
        if (rc < 0 && generated && native_error_is(aws, "ResourceAlreadyExistsException"))
            rc = 0;
    }
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, name);
    cfn_aws_free(aws);
    free(generated);
    return rc < 0 ? -1 : 0;
}

static int remove_stream(cfn_ctx *ctx)
{
    const char *group;
    if (cfn_prop_string(ctx, "LogGroupName", &group) < 0)
        return -1;
    return native_delete(
        ctx, "logs", "DeleteLogStream",
        cfnkit_json_strings(named(group), "logStreamName", cfn_request_physical_id(ctx), NULL),
        "ResourceNotFoundException");
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

static const char *const filter_replaces[] = {"FilterName", "LogGroupName", NULL};
static const char *const resource_policy_replaces[] = {"PolicyName", NULL};

static const cfn_resource_type metric_filter_type = {
    .type = "AWS::Logs::MetricFilter",
    .create = create_filter,
    .update = update_filter,
    .remove = remove_filter,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = filter_replaces,
};

static const cfn_resource_type resource_policy_type = {
    .type = "AWS::Logs::ResourcePolicy",
    .create = put_resource_policy,
    .update = put_resource_policy,
    .remove = remove_resource_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = resource_policy_replaces,
};

static const char *const stream_replaces[] = {"LogGroupName", "LogStreamName", NULL};

/* Both properties are create-only: a change is a replacement, never an
 * Update (NULL: an Update fails saying the type cannot be updated). */
static const cfn_resource_type log_stream_type = {
    .type = "AWS::Logs::LogStream",
    .create = create_stream,
    .remove = remove_stream,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = stream_replaces,
};

const cfn_resource_type *const cfnkit_native_logs[] = {
    &log_group_type, &log_stream_type, &metric_filter_type, &resource_policy_type, NULL};
