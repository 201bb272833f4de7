/* AWS::SNS::Topic and AWS::SNS::Subscription for the local engine. Their
 * properties are SNS attributes (same names, values as strings); Ref is the
 * topic's or the subscription's ARN. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TOPIC        "AWS::SNS::Topic"
#define SUBSCRIPTION "AWS::SNS::Subscription"
/* SNS's limit on a topic's name, ".fifo" included. */
#define MAX_NAME    256
#define FIFO_SUFFIX ".fifo"

/* The properties that are attributes, and what a removed one goes back to
 * (NULL: it cannot be removed in place). */
struct attribute {
    const char *name;
    const char *unset;
};

static const struct attribute topic_attributes[] = {
    {"DisplayName", ""},
    {"FifoTopic", NULL},
    {"ContentBasedDeduplication", "false"},
    {"KmsMasterKeyId", ""},
    {"SignatureVersion", "1"},
    {"TracingConfig", "PassThrough"},
    {"FifoThroughputScope", NULL},
    {NULL, NULL},
};

static const struct attribute subscription_attributes[] = {
    {"DeliveryPolicy", ""},
    {"FilterPolicy", ""},
    {"FilterPolicyScope", "MessageAttributes"},
    {"RawMessageDelivery", "false"},
    {"RedrivePolicy", ""},
    {"SubscriptionRoleArn", ""},
    {NULL, NULL},
};

static const struct attribute *attribute_in(const struct attribute *list, const char *name)
{
    for (; list->name; list++)
        if (strcmp(list->name, name) == 0)
            return list;
    return NULL;
}

/* A property's value as an attribute string: strings as given, numbers and
 * booleans written out, JSON objects (FilterPolicy) serialized. */
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
    if (cJSON_IsObject(v) || cJSON_IsArray(v))
        return cJSON_PrintUnformatted(v);
    return NULL;
}

/* The attributes of the properties as a map ({name: string}). */
static cJSON *attribute_map(cfn_ctx *ctx, const struct attribute *list)
{
    cJSON *map = cJSON_CreateObject();
    const cJSON *p;
    cJSON_ArrayForEach(p, cfn_request_props(ctx))
    {
        if (!attribute_in(list, p->string))
            continue;
        char *v = attribute_value(p);
        if (!map || !v || !cJSON_AddStringToObject(map, p->string, v)) {
            free(v);
            cJSON_Delete(map);
            cfn_fail(ctx, "%s property %s must be a string, number, boolean or object",
                     cfn_request_resource_type(ctx), p->string);
            return NULL;
        }
        free(v);
    }
    return map;
}

/* One Set{Topic,Subscription}Attributes per attribute changed or removed
 * since OldResourceProperties. */
static int update_attributes(cfn_ctx *ctx, cfn_aws *aws, const struct attribute *list,
                             const char *op, const char *arn_member, const char *arn)
{
    const cJSON *props = cfn_request_props(ctx), *old = cfn_request_old_props(ctx);
    for (const struct attribute *a = list; a->name; a++) {
        if (!cfn_prop_changed(ctx, a->name))
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, a->name);
        char *value = v ? attribute_value(v) : a->unset ? strdup(a->unset) : NULL;
        if (!value) {
            if (!v && cJSON_GetObjectItemCaseSensitive(old, a->name))
                return cfn_fail(ctx, "%s property %s cannot be removed in place",
                                cfn_request_resource_type(ctx), a->name);
            return cfn_fail(ctx, "%s property %s must be a string, number, boolean or object",
                            cfn_request_resource_type(ctx), a->name);
        }
        int rc =
            native_call(ctx, aws, "sns", op,
                        cfnkit_json_strings(cJSON_CreateObject(), arn_member, arn, "AttributeName",
                                            a->name, "AttributeValue", value, NULL),
                        NULL);
        free(value);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static bool not_found(cfn_aws *aws)
{
    return native_error_is(aws, "NotFound") || native_error_is(aws, "NotFoundException");
}

/* ---- AWS::SNS::Topic ---- */

static const char *const topic_supported[] = {
    "TopicName",
    "DisplayName",
    "FifoTopic",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
    "FifoThroughputScope",
    "Subscription",
    "Tags",
    NULL,
};

static int subscribe(cfn_ctx *ctx, cfn_aws *aws, const char *topic, const cJSON *s)
{
    const cJSON *protocol = cJSON_GetObjectItemCaseSensitive(s, "Protocol");
    const cJSON *endpoint = cJSON_GetObjectItemCaseSensitive(s, "Endpoint");
    if (!cJSON_IsString(protocol) || !cJSON_IsString(endpoint))
        return cfn_fail(ctx, TOPIC " property Subscription must be a list of {Endpoint, "
                                   "Protocol} strings");
    return native_call(ctx, aws, "sns", "Subscribe",
                       cfnkit_json_strings(cJSON_CreateObject(), "TopicArn", topic, "Protocol",
                                           protocol->valuestring, "Endpoint", endpoint->valuestring,
                                           NULL),
                       NULL);
}

static bool same_subscription(const cJSON *a, const cJSON *b)
{
    const char *keys[] = {"Protocol", "Endpoint"};
    for (int i = 0; i < 2; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, keys[i]);
        const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, keys[i]);
        if (!cJSON_IsString(x) || !cJSON_IsString(y) || strcmp(x->valuestring, y->valuestring))
            return false;
    }
    return true;
}

static bool listed(const cJSON *list, const cJSON *s)
{
    const cJSON *i;
    cJSON_ArrayForEach(i, list)
    {
        if (same_subscription(i, s))
            return true;
    }
    return false;
}

/* The inline subscriptions: new ones subscribed, removed ones unsubscribed. */
static int update_subscriptions(cfn_ctx *ctx, cfn_aws *aws, const char *topic)
{
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Subscription");
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), "Subscription");
    const cJSON *s;
    cJSON *out = NULL;
    if (native_call(ctx, aws, "sns", "ListSubscriptionsByTopic",
                    cfnkit_json_strings(cJSON_CreateObject(), "TopicArn", topic, NULL), &out) < 0)
        return -1;
    int rc = 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(out, "Subscriptions"))
    {
        const cJSON *arn = cJSON_GetObjectItemCaseSensitive(s, "SubscriptionArn");
        if (rc == 0 && listed(was, s) && !listed(now, s) && cJSON_IsString(arn))
            rc = native_call(ctx, aws, "sns", "Unsubscribe",
                             cfnkit_json_strings(cJSON_CreateObject(), "SubscriptionArn",
                                                 arn->valuestring, NULL),
                             NULL);
    }
    cJSON_Delete(out);
    cJSON_ArrayForEach(s, now)
    {
        if (rc == 0 && !listed(was, s))
            rc = subscribe(ctx, aws, topic, s);
    }
    return rc;
}

static int topic_answer(cfn_ctx *ctx, const char *arn)
{
    const char *name = strrchr(arn, ':');
    if (cfn_set_data(ctx, "TopicArn", arn) < 0 ||
        cfn_set_data(ctx, "TopicName", name ? name + 1 : arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int create_topic(cfn_ctx *ctx)
{
    const char *given;
    const cJSON *tags = NULL, *subs = NULL, *s;
    bool fifo;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, topic_supported) < 0 ||
        cfn_prop_string_or(ctx, "TopicName", NULL, &given) < 0 ||
        cfn_prop_bool_or(ctx, "FifoTopic", false, &fifo) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0) ||
        (cfn_prop_has(ctx, "Subscription") && cfn_prop_list(ctx, "Subscription", &subs) < 0))
        return -1;
    if (given) {
        name = strdup(given);
    } else {
        /* A FIFO topic's name must end in .fifo: CloudFormation generates it so. */
        char *base = NULL;
        if (native_name(ctx, fifo ? MAX_NAME - strlen(FIFO_SUFFIX) : MAX_NAME, 0, &base) < 0)
            return -1;
        if (asprintf(&name, "%s%s", base, fifo ? FIFO_SUFFIX : "") < 0)
            name = NULL;
        free(base);
    }
    cJSON *attrs = attribute_map(ctx, topic_attributes);
    if (!attrs)
        goto done;
    cJSON *in = cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "Name", name, NULL),
                                 "Attributes", attrs);
    if (tags)
        in = cfnkit_json_item(in, "Tags", cJSON_Duplicate(tags, true));
    if (!name || cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        if (!name)
            cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (native_call(ctx, aws, "sns", "CreateTopic", in, &out) < 0)
        goto done;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "TopicArn");
    if (!cJSON_IsString(arn)) {
        cfn_fail(ctx, "CreateTopic gave no TopicArn");
        goto done;
    }
    if (cfn_set_physical_id(ctx, arn->valuestring) < 0)
        goto done;
    cJSON_ArrayForEach(s, subs)
    {
        if (subscribe(ctx, aws, arn->valuestring, s) < 0)
            goto done;
    }
    rc = topic_answer(ctx, arn->valuestring);
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int update_topic(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, topic_supported) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (update_attributes(ctx, aws, topic_attributes, "SetTopicAttributes", "TopicArn", arn) == 0 &&
        (!cfn_prop_changed(ctx, "Subscription") || update_subscriptions(ctx, aws, arn) == 0) &&
        (!cfn_prop_changed(ctx, "Tags") ||
         native_update_tags(ctx, aws, "sns", "ResourceArn", arn) == 0))
        rc = topic_answer(ctx, arn);
    cfn_aws_free(aws);
    return rc;
}

/* The topic and its inline subscriptions (SNS deletes a topic's
 * subscriptions with it); a topic already gone is success. */
static int remove_topic(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = native_call(
        ctx, aws, "sns", "DeleteTopic",
        cfnkit_json_strings(cJSON_CreateObject(), "TopicArn", cfn_request_physical_id(ctx), NULL),
        NULL);
    if (rc < 0 && not_found(aws))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::SNS::Subscription ---- */

static const char *const subscription_supported[] = {
    "TopicArn",
    "Protocol",
    "Endpoint",
    "RawMessageDelivery",
    "FilterPolicy",
    "FilterPolicyScope",
    "RedrivePolicy",
    "DeliveryPolicy",
    "Region",
    "SubscriptionRoleArn",
    NULL,
};

/* Region: the topic's region, when it is another than the stack's. */
static int client_for(cfn_ctx *ctx, cfn_aws **aws)
{
    const char *region;
    if (cfn_prop_string_or(ctx, "Region", NULL, &region) < 0)
        return -1;
    return cfn_aws_for(ctx, region, aws);
}

static int create_subscription(cfn_ctx *ctx)
{
    const char *topic, *protocol, *endpoint;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, subscription_supported) < 0 ||
        cfn_prop_string(ctx, "TopicArn", &topic) < 0 ||
        cfn_prop_string(ctx, "Protocol", &protocol) < 0 ||
        cfn_prop_string_or(ctx, "Endpoint", NULL, &endpoint) < 0)
        return -1;
    cJSON *attrs = attribute_map(ctx, subscription_attributes);
    if (!attrs)
        return -1;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "TopicArn", topic, "Protocol", protocol,
                                    "Endpoint", endpoint, NULL);
    if (in && !cJSON_AddBoolToObject(in, "ReturnSubscriptionArn", true)) {
        cJSON_Delete(in);
        in = NULL;
    }
    if (cJSON_GetArraySize(attrs) > 0)
        in = cfnkit_json_item(in, "Attributes", attrs);
    else
        cJSON_Delete(attrs);
    if (client_for(ctx, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    if (native_call(ctx, aws, "sns", "Subscribe", in, &out) == 0) {
        const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "SubscriptionArn");
        if (!cJSON_IsString(arn))
            cfn_fail(ctx, "Subscribe gave no SubscriptionArn");
        else if (cfn_set_data(ctx, "Arn", arn->valuestring) == 0)
            rc = cfn_set_physical_id(ctx, arn->valuestring);
    }
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int update_subscription(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, subscription_supported) < 0 || client_for(ctx, &aws) < 0)
        return -1;
    if (update_attributes(ctx, aws, subscription_attributes, "SetSubscriptionAttributes",
                          "SubscriptionArn", arn) == 0 &&
        cfn_set_data(ctx, "Arn", arn) == 0)
        rc = cfn_set_physical_id(ctx, arn);
    cfn_aws_free(aws);
    return rc;
}

static int remove_subscription(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (client_for(ctx, &aws) < 0)
        return -1;
    int rc = native_call(ctx, aws, "sns", "Unsubscribe",
                         cfnkit_json_strings(cJSON_CreateObject(), "SubscriptionArn",
                                             cfn_request_physical_id(ctx), NULL),
                         NULL);
    if (rc < 0 && not_found(aws))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::SNS::TopicPolicy ---- */

static const char *const policy_supported[] = {"PolicyDocument", "Topics", NULL};

/* The policy SNS gives a new topic: what a topic goes back to when a topic
 * policy no longer covers it (SNS has no "no policy"). */
static char *default_policy(const char *topic)
{
    char account[16] = "";
    const char *p = topic;
    for (int i = 0; i < 4 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    const char *end = p ? strchr(p, ':') : NULL;
    if (end && end - p < (long)sizeof(account))
        snprintf(account, sizeof(account), "%.*s", (int)(end - p), p);
    char *text = NULL;
    if (asprintf(&text,
                 "{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{"
                 "\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{"
                 "\"AWS\":\"*\"},\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\","
                 "\"SNS:AddPermission\",\"SNS:RemovePermission\",\"SNS:DeleteTopic\","
                 "\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],"
                 "\"Resource\":\"%s\",\"Condition\":{\"StringEquals\":{"
                 "\"AWS:SourceOwner\":\"%s\"}}}]}",
                 topic, account) < 0)
        return NULL;
    return text;
}

/* Puts `policy` on one topic, or with NULL SNS's default (a topic gone is
 * skipped). */
static int set_topic_policy(cfn_ctx *ctx, cfn_aws *aws, const char *topic, const char *policy)
{
    char *text = policy ? strdup(policy) : default_policy(topic);
    if (!text)
        return cfn_fail(ctx, "out of memory");
    int rc =
        native_call(ctx, aws, "sns", "SetTopicAttributes",
                    cfnkit_json_strings(cJSON_CreateObject(), "TopicArn", topic, "AttributeName",
                                        "Policy", "AttributeValue", text, NULL),
                    NULL);
    free(text);
    return rc < 0 && (policy || !not_found(aws)) ? -1 : 0;
}

static const native_policy_type topic_policy = {
    .supported = policy_supported,
    .list = "Topics",
    .items = "topic ARNs",
    .set = set_topic_policy,
};

static int create_topic_policy(cfn_ctx *ctx)
{
    return native_policy_create(ctx, &topic_policy);
}

static int update_topic_policy(cfn_ctx *ctx)
{
    return native_policy_update(ctx, &topic_policy);
}

static int remove_topic_policy(cfn_ctx *ctx)
{
    return native_policy_remove(ctx, &topic_policy);
}

/* AWS::SNS::TopicInlinePolicy: one topic's policy; Ref is the topic. */
static const char *const inline_supported[] = {"PolicyDocument", "TopicArn", NULL};

static int put_inline_policy(cfn_ctx *ctx)
{
    return native_inline_policy_put(ctx, inline_supported, "TopicArn", set_topic_policy);
}

static int remove_inline_policy(cfn_ctx *ctx)
{
    return native_inline_policy_remove(ctx, set_topic_policy);
}

static const char *const topic_replaces[] = {"TopicName", "FifoTopic", NULL};
static const char *const topic_attributes_out[] = {"TopicArn", "TopicName", NULL};
static const char *const subscription_replaces[] = {"Endpoint", "Protocol", "TopicArn", NULL};
static const char *const subscription_conditional[] = {"Region", NULL};
static const char *const subscription_write_only[] = {"Region", NULL};
static const char *const subscription_attributes_out[] = {"Arn", NULL};

static const cfn_resource_type topic_type = {
    .type = TOPIC,
    .create = create_topic,
    .update = update_topic,
    .remove = remove_topic,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = topic_replaces,
    .attributes = topic_attributes_out,
};

static const cfn_resource_type subscription_type = {
    .type = SUBSCRIPTION,
    .create = create_subscription,
    .update = update_subscription,
    .remove = remove_subscription,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = subscription_replaces,
    .replaces_conditional = subscription_conditional,
    .write_only = subscription_write_only,
    .attributes = subscription_attributes_out,
};

static const char *const topic_policy_attributes[] = {"Id", NULL};

static const cfn_resource_type topic_policy_type = {
    .type = "AWS::SNS::TopicPolicy",
    .create = create_topic_policy,
    .update = update_topic_policy,
    .remove = remove_topic_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = topic_policy_attributes,
};

static const char *const inline_replaces[] = {"TopicArn", NULL};

static const cfn_resource_type inline_policy_type = {
    .type = "AWS::SNS::TopicInlinePolicy",
    .create = put_inline_policy,
    .update = put_inline_policy,
    .remove = remove_inline_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = inline_replaces,
};

const cfn_resource_type *const cfnkit_native_sns[] = {
    &topic_type, &subscription_type, &topic_policy_type, &inline_policy_type, NULL};
