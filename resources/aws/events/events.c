/* AWS::Events::Rule for the local engine: PutRule and PutTargets; in place
 * with PutRule again and the targets' differences. Ref is the rule's name
 * ("EVENTBUS|NAME" on another bus than the default), Fn::GetAtt Arn. */
#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define TYPE "AWS::Events::Rule"
/* EventBridge's limit on a rule's name. */
#define MAX_NAME 64

static const char *const supported[] = {
    "Name",  "Description", "EventBusName", "EventPattern", "ScheduleExpression",
    "State", "RoleArn",     "Targets",      "Tags",         NULL,
};

/* The rule and its bus from the physical id ("NAME" or "BUS|NAME"). */
static void split_id(const char *id, char *bus, size_t bus_size, const char **name)
{
    const char *bar = strchr(id, '|');
    *bus = '\0';
    *name = id;
    if (bar) {
        snprintf(bus, bus_size, "%.*s", (int)(bar - id), id);
        *name = bar + 1;
    }
}

static cJSON *rule_ref(const char *bus, const char *name)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "Rule", name, "EventBusName",
                               *bus ? bus : NULL, NULL);
}

/* PutRule from the properties: an EventPattern object is serialized. */
static int put_rule(cfn_ctx *ctx, cfn_aws *aws, const char *bus, const char *name, cJSON **out)
{
    const char *description, *schedule, *state, *role;
    const cJSON *pattern = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "EventPattern");
    const cJSON *tags = NULL;
    if (cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "ScheduleExpression", NULL, &schedule) < 0 ||
        cfn_prop_string_or(ctx, "State", "ENABLED", &state) < 0 ||
        cfn_prop_string_or(ctx, "RoleArn", NULL, &role) < 0 ||
        (cfn_request_action(ctx) == CFN_CREATE && cfn_prop_has(ctx, "Tags") &&
         cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    if (!pattern && !schedule)
        return cfn_fail(ctx, TYPE " needs EventPattern or ScheduleExpression");
    if (pattern && !cJSON_IsObject(pattern) && !cJSON_IsString(pattern))
        return cfn_fail(ctx, TYPE " property EventPattern must be a JSON object or string");
    char *text = !pattern                  ? NULL
                 : cJSON_IsString(pattern) ? strdup(pattern->valuestring)
                                           : cJSON_PrintUnformatted(pattern);
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "Name", name, "EventBusName", *bus ? bus : NULL,
                            "Description", description, "ScheduleExpression", schedule, "State",
                            state, "RoleArn", role, "EventPattern", text, NULL);
    if (pattern && !text) {
        cJSON_Delete(in);
        in = NULL;
    }
    if (tags)
        in = cfnkit_json_item(in, "Tags", cJSON_Duplicate(tags, true));
    free(text);
    return native_call(ctx, aws, "events", "PutRule", in, out);
}

/* The target ids of `targets` (a template's list or ListTargetsByRule's). */
static bool has_id(const cJSON *targets, const char *id)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, targets)
    {
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(t, "Id");
        if (cJSON_IsString(i) && strcmp(i->valuestring, id) == 0)
            return true;
    }
    return false;
}

/* RemoveTargets of every target of `was` not in `keep`. */
static int remove_targets(cfn_ctx *ctx, cfn_aws *aws, const char *bus, const char *name,
                          const cJSON *was, const cJSON *keep)
{
    cJSON *ids = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, was)
    {
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(t, "Id");
        if (cJSON_IsString(i) && !has_id(keep, i->valuestring) &&
            !cJSON_AddItemToArray(ids, cJSON_CreateString(i->valuestring))) {
            cJSON_Delete(ids);
            return cfn_fail(ctx, "out of memory");
        }
    }
    if (cJSON_GetArraySize(ids) == 0) {
        cJSON_Delete(ids);
        return 0;
    }
    return native_call(ctx, aws, "events", "RemoveTargets",
                       cfnkit_json_item(rule_ref(bus, name), "Ids", ids), NULL);
}

static int put_targets(cfn_ctx *ctx, cfn_aws *aws, const char *bus, const char *name)
{
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Targets");
    if (cJSON_GetArraySize(targets) == 0)
        return 0;
    if (!cJSON_IsArray(targets))
        return cfn_fail(ctx, TYPE " property Targets must be a list");
    cJSON *out = NULL;
    if (native_call(
            ctx, aws, "events", "PutTargets",
            cfnkit_json_item(rule_ref(bus, name), "Targets", cJSON_Duplicate(targets, true)),
            &out) < 0)
        return -1;
    const cJSON *failed = cJSON_GetObjectItemCaseSensitive(out, "FailedEntries");
    int rc = 0;
    if (cJSON_GetArraySize(failed) > 0) {
        const cJSON *f = cJSON_GetArrayItem(failed, 0);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "TargetId");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(f, "ErrorMessage");
        rc = cfn_fail(ctx, "PutTargets failed for target %s: %s",
                      cJSON_IsString(id) ? id->valuestring : "?",
                      cJSON_IsString(msg) ? msg->valuestring : "no reason given");
    }
    cJSON_Delete(out);
    return rc;
}

static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *bus, const char *name)
{
    cJSON *out = NULL;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", name, "EventBusName",
                                    *bus ? bus : NULL, NULL);
    if (native_call(ctx, aws, "events", "DescribeRule", in, &out) < 0)
        return -1;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "Arn");
    int rc = cJSON_IsString(arn) ? cfn_set_data(ctx, "Arn", arn->valuestring)
                                 : cfn_fail(ctx, "DescribeRule gave no Arn for %s", name);
    cJSON_Delete(out);
    return rc;
}

static int create(cfn_ctx *ctx)
{
    const char *given, *bus_prop;
    char *generated = NULL, *id = NULL, bus[257];
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "Name", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "EventBusName", "", &bus_prop) < 0)
        return -1;
    /* The default bus is the same as none. */
    snprintf(bus, sizeof(bus), "%s", strcmp(bus_prop, "default") == 0 ? "" : bus_prop);
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *name = given ? given : generated;
    if (asprintf(&id, "%s%s%s", bus, *bus ? "|" : "", name) < 0) {
        id = NULL;
        cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0 || put_rule(ctx, aws, bus, name, NULL) < 0 ||
        cfn_set_physical_id(ctx, id) < 0 || put_targets(ctx, aws, bus, name) < 0)
        goto done;
    rc = answer(ctx, aws, bus, name);
done:
    cfn_aws_free(aws);
    free(generated);
    free(id);
    return rc;
}

static int update(cfn_ctx *ctx)
{
    const char *name;
    char bus[257];
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0)
        return -1;
    if (cfn_prop_changed(ctx, "EventBusName"))
        return cfn_fail(ctx,
                        TYPE " %s: EventBusName cannot change in place; CloudFormation "
                             "replaces the rule",
                        cfn_request_physical_id(ctx));
    split_id(cfn_request_physical_id(ctx), bus, sizeof(bus), &name);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    const cJSON *was = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), "Targets");
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Targets");
    if (put_rule(ctx, aws, bus, name, &out) < 0 ||
        remove_targets(ctx, aws, bus, name, was, now) < 0 || put_targets(ctx, aws, bus, name) < 0)
        goto done;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "RuleArn");
    if (cfn_prop_changed(ctx, "Tags") && cJSON_IsString(arn) &&
        native_update_tags(ctx, aws, "events", "ResourceARN", arn->valuestring) < 0)
        goto done;
    if (answer(ctx, aws, bus, name) == 0)
        rc = cfn_set_physical_id(ctx, cfn_request_physical_id(ctx));
done:
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Its targets first (EventBridge refuses to delete a rule that has some),
 * then the rule; a rule already gone is success. */
static int remove_rule(cfn_ctx *ctx)
{
    const char *name;
    char bus[257];
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    split_id(cfn_request_physical_id(ctx), bus, sizeof(bus), &name);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = native_call(ctx, aws, "events", "ListTargetsByRule", rule_ref(bus, name), &out);
    if (rc == 0)
        rc = remove_targets(ctx, aws, bus, name, cJSON_GetObjectItemCaseSensitive(out, "Targets"),
                            NULL);
    if (rc == 0) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", name, "EventBusName",
                                        *bus ? bus : NULL, NULL);
        rc = native_call(ctx, aws, "events", "DeleteRule", in, NULL);
    }
    if (rc < 0 && native_error_is(aws, "ResourceNotFoundException"))
        rc = 0;
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::Events::EventBus ---- */

static const char *const bus_supported[] = {
    "Name", "Description", "EventSourceName", "KmsKeyIdentifier", "DeadLetterConfig", "Policy",
    "Tags", NULL};

/* The bus policy: PutPermission with the document, or every permission
 * removed when the template has none. */
static int set_bus_policy(cfn_ctx *ctx, cfn_aws *aws, const char *bus)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Policy");
    if (!p) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "EventBusName", bus, NULL);
        if (in && !cJSON_AddBoolToObject(in, "RemoveAllPermissions", true)) {
            cJSON_Delete(in);
            in = NULL;
        }
        int rc = native_call(ctx, aws, "events", "RemovePermission", in, NULL);
        return rc < 0 && native_error_is(aws, "ResourceNotFoundException") ? 0 : rc;
    }
    char *text = cJSON_IsObject(p)   ? cJSON_PrintUnformatted(p)
                 : cJSON_IsString(p) ? strdup(p->valuestring)
                                     : NULL;
    if (!text)
        return cfn_fail(ctx, "AWS::Events::EventBus property Policy must be a JSON object or "
                             "string");
    int rc = native_call(
        ctx, aws, "events", "PutPermission",
        cfnkit_json_strings(cJSON_CreateObject(), "EventBusName", bus, "Policy", text, NULL), NULL);
    free(text);
    return rc;
}

static int bus_answer(cfn_ctx *ctx, cfn_aws *aws, const char *bus, char **arn_out)
{
    cJSON *out = NULL;
    if (native_call(ctx, aws, "events", "DescribeEventBus",
                    cfnkit_json_strings(cJSON_CreateObject(), "Name", bus, NULL), &out) < 0)
        return -1;
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "Arn");
    int rc = -1;
    if (!cJSON_IsString(arn))
        cfn_fail(ctx, "DescribeEventBus gave no Arn for %s", bus);
    else if (cfn_set_data(ctx, "Arn", arn->valuestring) == 0 && cfn_set_physical_id(ctx, bus) == 0)
        rc = arn_out && !(*arn_out = strdup(arn->valuestring)) ? cfn_fail(ctx, "out of memory") : 0;
    cJSON_Delete(out);
    return rc;
}

static int create_bus(cfn_ctx *ctx)
{
    const char *name, *source, *description, *kms;
    const cJSON *dlq = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "DeadLetterConfig");
    const cJSON *tags = NULL;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, bus_supported) < 0 || cfn_prop_string(ctx, "Name", &name) < 0 ||
        cfn_prop_string_or(ctx, "EventSourceName", NULL, &source) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyIdentifier", NULL, &kms) < 0 ||
        (cfn_prop_has(ctx, "Tags") && cfn_prop_list(ctx, "Tags", &tags) < 0))
        return -1;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", name, "EventSourceName", source,
                                    "Description", description, "KmsKeyIdentifier", kms, NULL);
    if (dlq)
        in = cfnkit_json_item(in, "DeadLetterConfig", cJSON_Duplicate(dlq, true));
    if (tags)
        in = cfnkit_json_item(in, "Tags", cJSON_Duplicate(tags, true));
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = native_call(ctx, aws, "events", "CreateEventBus", in, NULL);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, name);
    if (rc == 0 && cfn_prop_has(ctx, "Policy"))
        rc = set_bus_policy(ctx, aws, name);
    if (rc == 0)
        rc = bus_answer(ctx, aws, name, NULL);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update_bus(cfn_ctx *ctx)
{
    const char *bus = cfn_request_physical_id(ctx), *description, *kms;
    cfn_aws *aws = NULL;
    char *arn = NULL;
    if (native_check_props(ctx, bus_supported) < 0 ||
        cfn_prop_string_or(ctx, "Description", NULL, &description) < 0 ||
        cfn_prop_string_or(ctx, "KmsKeyIdentifier", NULL, &kms) < 0)
        return -1;
    if (cfn_prop_changed(ctx, "EventSourceName"))
        return cfn_fail(ctx, "AWS::Events::EventBus %s: EventSourceName cannot change in place",
                        bus);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = 0;
    if (cfn_prop_changed(ctx, "Description") || cfn_prop_changed(ctx, "KmsKeyIdentifier") ||
        cfn_prop_changed(ctx, "DeadLetterConfig")) {
        const cJSON *dlq =
            cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "DeadLetterConfig");
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "Name", bus, "Description",
                                        description, "KmsKeyIdentifier", kms, NULL);
        if (dlq)
            in = cfnkit_json_item(in, "DeadLetterConfig", cJSON_Duplicate(dlq, true));
        rc = native_call(ctx, aws, "events", "UpdateEventBus", in, NULL);
    }
    if (rc == 0 && cfn_prop_changed(ctx, "Policy"))
        rc = set_bus_policy(ctx, aws, bus);
    if (rc == 0)
        rc = bus_answer(ctx, aws, bus, &arn);
    if (rc == 0 && cfn_prop_changed(ctx, "Tags"))
        rc = native_update_tags(ctx, aws, "events", "ResourceARN", arn);
    free(arn);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int remove_bus(cfn_ctx *ctx)
{
    return native_delete(
        ctx, "events", "DeleteEventBus",
        cfnkit_json_strings(cJSON_CreateObject(), "Name", cfn_request_physical_id(ctx), NULL),
        "ResourceNotFoundException");
}

static const char *const replaces[] = {"Name", NULL};
static const char *const replaces_conditional[] = {"EventBusName", NULL};
static const char *const attributes[] = {"Arn", NULL};

static const cfn_resource_type rule_type = {
    .type = TYPE,
    .create = create,
    .update = update,
    .remove = remove_rule,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .replaces_conditional = replaces_conditional,
    .attributes = attributes,
};

static const char *const bus_replaces[] = {"Name", NULL};
static const char *const bus_write_only[] = {"EventSourceName", NULL};

static const cfn_resource_type bus_type = {
    .type = "AWS::Events::EventBus",
    .create = create_bus,
    .update = update_bus,
    .remove = remove_bus,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = bus_replaces,
    .write_only = bus_write_only,
    .attributes = attributes,
};

const cfn_resource_type *const cfnkit_native_events[] = {&rule_type, &bus_type, NULL};
