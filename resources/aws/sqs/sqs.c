/* AWS::SQS::Queue and AWS::SQS::QueuePolicy for the local engine. A queue's
 * properties are its SQS attributes (same names, values as strings); Ref is
 * the queue URL. A queue policy sets the Policy attribute of its queues. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define QUEUE  "AWS::SQS::Queue"
#define POLICY "AWS::SQS::QueuePolicy"
/* SQS's limit on a queue name, ".fifo" included. */
#define MAX_NAME    80
#define FIFO_SUFFIX ".fifo"

/* The properties that are SQS attributes, and the value SQS gives one that
 * is not set (what a property removed on Update goes back to; "" clears). */
static const struct attribute {
    const char *name;
    const char *unset;
} attributes_of_queue[] = {
    {"ContentBasedDeduplication", "false"},
    {"DeduplicationScope", NULL},
    {"DelaySeconds", "0"},
    {"FifoQueue", NULL},
    {"FifoThroughputLimit", NULL},
    {"KmsDataKeyReusePeriodSeconds", "300"},
    {"KmsMasterKeyId", ""},
    {"MaximumMessageSize", "262144"},
    {"MessageRetentionPeriod", "345600"},
    {"ReceiveMessageWaitTimeSeconds", "0"},
    {"RedriveAllowPolicy", ""},
    {"RedrivePolicy", ""},
    {"SqsManagedSseEnabled", NULL},
    {"VisibilityTimeout", "30"},
    {NULL, NULL},
};

static const struct attribute *attribute_named(const char *name)
{
    for (const struct attribute *a = attributes_of_queue; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* A property's value as an SQS attribute string: strings as given, numbers
 * and booleans written out, JSON objects (RedrivePolicy) serialized. */
static char *attribute_value(const cJSON *v)
{
    char buf[64];
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        cfnkit_number_text(v->valuedouble, buf, sizeof(buf));
        return strdup(buf);
    }
    if (cJSON_IsObject(v))
        return cJSON_PrintUnformatted(v);
    return NULL;
}

static int check_queue(cfn_ctx *ctx)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cfn_request_props(ctx))
    {
        if (strcmp(p->string, "ServiceToken") == 0 || strcmp(p->string, "QueueName") == 0 ||
            strcmp(p->string, "Tags") == 0)
            continue;
        if (!attribute_named(p->string))
            return cfn_fail(ctx, QUEUE " property %s is not supported by cfnkit's local engine",
                            p->string);
        if (!cJSON_IsString(p) && !cJSON_IsNumber(p) && !cJSON_IsBool(p) && !cJSON_IsObject(p))
            return cfn_fail(ctx, QUEUE " property %s must be a string, number, boolean or object",
                            p->string);
    }
    return 0;
}

/* The Attributes map of the properties; with `old`, also the attributes
 * removed since, set back to what SQS has when they are unset. */
static cJSON *queue_attributes(cfn_ctx *ctx, bool create, bool changed_only)
{
    const cJSON *props = cfn_request_props(ctx), *old = cfn_request_old_props(ctx), *p;
    cJSON *map = cJSON_CreateObject();
    cJSON_ArrayForEach(p, props)
    {
        if (!attribute_named(p->string) || (!create && strcmp(p->string, "FifoQueue") == 0))
            continue;
        if (changed_only && !cfn_prop_changed(ctx, p->string))
            continue;
        char *v = attribute_value(p);
        if (!v || !cJSON_AddStringToObject(map, p->string, v)) {
            free(v);
            cJSON_Delete(map);
            return NULL;
        }
        free(v);
    }
    const cJSON *removed_from = changed_only ? old : NULL;
    cJSON_ArrayForEach(p, removed_from)
    {
        const struct attribute *a = attribute_named(p->string);
        if (!a || cJSON_GetObjectItemCaseSensitive(props, p->string))
            continue;
        if (!a->unset) {
            cfn_fail(ctx, QUEUE " property %s cannot be removed in place", p->string);
            cJSON_Delete(map);
            return NULL;
        }
        if (!cJSON_AddStringToObject(map, p->string, a->unset)) {
            cJSON_Delete(map);
            return NULL;
        }
    }
    return map;
}

/* Whether the last call failed because the queue does not exist (the
 * query protocol's code is "AWS.SimpleQueueService.NonExistentQueue"). */
static bool gone(cfn_aws *aws)
{
    return native_error_is(aws, "QueueDoesNotExist") ||
           native_error_is(aws, "AWS.SimpleQueueService.NonExistentQueue");
}

/* Ref (the URL) and Fn::GetAtt Arn, QueueName, QueueUrl. */
static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *url)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", url, NULL), *out = NULL;
    cJSON *names = cJSON_CreateStringArray((const char *[]){"QueueArn"}, 1);
    if (native_call(ctx, aws, "sqs", "GetQueueAttributes",
                    cfnkit_json_item(in, "AttributeNames", names), &out) < 0)
        return -1;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(out, "Attributes"), "QueueArn");
    const char *name = strrchr(url, '/');
    int rc = -1;
    if (!cJSON_IsString(arn) || !name)
        cfn_fail(ctx, "queue %s has no ARN", url);
    else if (cfn_set_data(ctx, "Arn", arn->valuestring) == 0 &&
             cfn_set_data(ctx, "QueueName", name + 1) == 0 &&
             cfn_set_data(ctx, "QueueUrl", url) == 0)
        rc = cfn_set_physical_id(ctx, url);
    cJSON_Delete(out);
    return rc;
}

static int create_queue(cfn_ctx *ctx)
{
    const char *given;
    const cJSON *tags = NULL;
    bool fifo;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (check_queue(ctx) < 0 || cfn_prop_string_or(ctx, "QueueName", NULL, &given) < 0 ||
        cfn_prop_bool_or(ctx, "FifoQueue", false, &fifo) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    if (given) {
        name = strdup(given);
    } else {
        /* A FIFO queue's name must end in .fifo: CloudFormation generates it so. */
        char *base = NULL;
        if (native_name(ctx, fifo ? MAX_NAME - strlen(FIFO_SUFFIX) : MAX_NAME, 0, &base) < 0)
            return -1;
        if (asprintf(&name, "%s%s", base, fifo ? FIFO_SUFFIX : "") < 0)
            name = NULL;
        free(base);
    }
    cJSON *in = cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "QueueName", name, NULL),
                                 "Attributes", queue_attributes(ctx, true, false));
    if (tags) {
        cJSON *map = cfnkit_tag_object(tags);
        if (!map) {
            cJSON_Delete(in);
            free(name);
            return cfn_fail(ctx, QUEUE " property Tags must be a list of {Key, Value} strings");
        }
        in = cfnkit_json_item(in, "tags", map);
    }
    if (!name || cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        if (!name)
            cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (native_call(ctx, aws, "sqs", "CreateQueue", in, &out) < 0)
        goto done;
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(out, "QueueUrl");
    if (!cJSON_IsString(url)) {
        cfn_fail(ctx, "CreateQueue gave no QueueUrl");
        goto done;
    }
    if (cfn_set_physical_id(ctx, url->valuestring) == 0)
        rc = answer(ctx, aws, url->valuestring);
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int update_queue_tags(cfn_ctx *ctx, cfn_aws *aws, const char *url)
{
    cJSON *untag, *tag;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0) {
        rc = native_call(
            ctx, aws, "sqs", "UntagQueue",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", url, NULL),
                             "TagKeys", untag),
            NULL);
        untag = NULL;
    }
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = native_call(
            ctx, aws, "sqs", "TagQueue",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", url, NULL),
                             "Tags", cfnkit_tag_object(tag)),
            NULL);
    cJSON_Delete(untag);
    cJSON_Delete(tag);
    return rc;
}

static int update_queue(cfn_ctx *ctx)
{
    const char *url = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (check_queue(ctx) < 0)
        return -1;
    cJSON *attrs = queue_attributes(ctx, false, true);
    if (!attrs)
        return cfn_reason(ctx) ? -1 : cfn_fail(ctx, "out of memory");
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(attrs);
        return -1;
    }
    if (cJSON_GetArraySize(attrs) > 0) {
        if (native_call(
                ctx, aws, "sqs", "SetQueueAttributes",
                cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", url, NULL),
                                 "Attributes", attrs),
                NULL) < 0)
            goto done;
    } else {
        cJSON_Delete(attrs);
    }
    if (cfn_prop_changed(ctx, "Tags") && update_queue_tags(ctx, aws, url) < 0)
        goto done;
    rc = answer(ctx, aws, url);
done:
    cfn_aws_free(aws);
    return rc;
}

static int remove_queue(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = native_call(
        ctx, aws, "sqs", "DeleteQueue",
        cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", cfn_request_physical_id(ctx), NULL),
        NULL);
    if (rc < 0 && gone(aws))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

static const char *const policy_supported[] = {"PolicyDocument", "Queues", NULL};

/* Sets (or with NULL clears) the Policy attribute of one queue; a queue gone
 * is skipped when clearing. */
static int set_queue_policy(cfn_ctx *ctx, cfn_aws *aws, const char *queue, const char *policy)
{
    cJSON *attrs = cfnkit_json_strings(cJSON_CreateObject(), "Policy", policy ? policy : "", NULL);
    if (native_call(
            ctx, aws, "sqs", "SetQueueAttributes",
            cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "QueueUrl", queue, NULL),
                             "Attributes", attrs),
            NULL) < 0 &&
        (policy || !gone(aws)))
        return -1;
    return 0;
}

static const native_policy_type queue_policy = {
    .supported = policy_supported,
    .list = "Queues",
    .items = "queue URLs",
    .set = set_queue_policy,
};

static int create_policy(cfn_ctx *ctx)
{
    return native_policy_create(ctx, &queue_policy);
}

static int update_policy(cfn_ctx *ctx)
{
    return native_policy_update(ctx, &queue_policy);
}

static int remove_policy(cfn_ctx *ctx)
{
    return native_policy_remove(ctx, &queue_policy);
}

/* AWS::SQS::QueueInlinePolicy: one queue's policy; Ref is the queue. */
static const char *const inline_supported[] = {"PolicyDocument", "Queue", NULL};

static int put_inline_policy(cfn_ctx *ctx)
{
    return native_inline_policy_put(ctx, inline_supported, "Queue", set_queue_policy);
}

static int remove_inline_policy(cfn_ctx *ctx)
{
    return native_inline_policy_remove(ctx, set_queue_policy);
}

static const char *const queue_replaces[] = {"FifoQueue", "QueueName", NULL};
static const char *const queue_attributes_out[] = {"Arn", "QueueName", "QueueUrl", NULL};
static const char *const policy_attributes[] = {"Id", NULL};

static const cfn_resource_type queue_type = {
    .type = QUEUE,
    .create = create_queue,
    .update = update_queue,
    .remove = remove_queue,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = queue_replaces,
    .attributes = queue_attributes_out,
};

static const cfn_resource_type policy_type = {
    .type = POLICY,
    .create = create_policy,
    .update = update_policy,
    .remove = remove_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = policy_attributes,
};

static const char *const inline_replaces[] = {"Queue", NULL};

static const cfn_resource_type inline_policy_type = {
    .type = "AWS::SQS::QueueInlinePolicy",
    .create = put_inline_policy,
    .update = put_inline_policy,
    .remove = remove_inline_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = inline_replaces,
};

const cfn_resource_type *const cfnkit_native_sqs[] = {&queue_type, &policy_type,
                                                      &inline_policy_type, NULL};
