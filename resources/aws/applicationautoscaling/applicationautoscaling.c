/* AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy for the
 * local engine. The template's names are the API's. */
#include "awsjson.h"
#include "aws/native.h"
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE "application-autoscaling"

/* One Application Auto Scaling call that consumes its input (native_take_call). */
static int call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_take_call(aws, SERVICE, "Application Auto Scaling", op, in, out);
}

/* Numbers and flags a template may give as strings. */
static const char *const numbers[] = {"MinCapacity",
                                      "MaxCapacity",
                                      "TargetValue",
                                      "ScaleInCooldown",
                                      "ScaleOutCooldown",
                                      "Cooldown",
                                      "MinAdjustmentMagnitude",
                                      "ScalingAdjustment",
                                      "MetricIntervalLowerBound",
                                      "MetricIntervalUpperBound",
                                      NULL};
static const char *const flags[] = {"DisableScaleIn", "DynamicScalingInSuspended",
                                    "DynamicScalingOutSuspended", "ScheduledScalingSuspended",
                                    NULL};

/* The properties in `names` as the API's input. NULL with the reason set. */
static cJSON *input_of(cfn_ctx *ctx, const char *const *names)
{
    const cJSON *props = cfn_request_props(ctx);
    const char *bad = NULL;
    cJSON *in = cJSON_CreateObject();
    for (const char *const *n = names; in && *n; n++) {
        const cJSON *v = cJSON_GetObjectItem(props, *n);
        if (v)
            in = cfnkit_json_item(in, *n, cJSON_Duplicate(v, 1));
    }
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (cfnkit_json_coerce(in, numbers, flags, NULL, &bad) < 0) {
        cJSON_Delete(in);
        cfn_fail(ctx, "%s: %s has a value of the wrong type", cfn_request_resource_type(ctx),
                 bad ? bad : "a property");
        return NULL;
    }
    return in;
}

/* ---- AWS::ApplicationAutoScaling::ScalableTarget ----------------------- */

static const char *const target_props[] = {
    "MaxCapacity",      "MinCapacity",      "ResourceId",     "RoleARN", "ScalableDimension",
    "ScheduledActions", "ServiceNamespace", "SuspendedState", NULL};
static const char *const target_register[] = {
    "MaxCapacity",       "MinCapacity",      "ResourceId",     "RoleARN",
    "ScalableDimension", "ServiceNamespace", "SuspendedState", NULL};

/* The target's key: "ResourceId|ScalableDimension|ServiceNamespace", what
 * CloudFormation's Ref returns for it. */
typedef struct target_key {
    const char *resource, *dimension, *ns;
} target_key;

static int key_of(cfn_ctx *ctx, target_key *k)
{
    if (cfn_prop_string(ctx, "ResourceId", &k->resource) < 0 ||
        cfn_prop_string(ctx, "ScalableDimension", &k->dimension) < 0 ||
        cfn_prop_string(ctx, "ServiceNamespace", &k->ns) < 0)
        return -1;
    return 0;
}

static cJSON *key_input(const target_key *k)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "ServiceNamespace", k->ns, "ResourceId",
                               k->resource, "ScalableDimension", k->dimension, NULL);
}

/* The scheduled actions follow the template: those gone are deleted, the
 * others put (PutScheduledAction creates or updates). */
static int scheduled(cfn_ctx *ctx, cfn_aws *aws, const target_key *k)
{
    const cJSON *now = cJSON_GetObjectItem(cfn_request_props(ctx), "ScheduledActions"),
                *old = cfn_request_action(ctx) == CFN_UPDATE
                           ? cJSON_GetObjectItem(cfn_request_old_props(ctx), "ScheduledActions")
                           : NULL,
                *a, *b;
    const char *bad;
    cJSON_ArrayForEach(a, old)
    {
        const char *name = cfn_json_string(a, "ScheduledActionName"), *n;
        bool kept = false;
        cJSON_ArrayForEach(b, now)
        {
            kept |= name && (n = cfn_json_string(b, "ScheduledActionName")) && strcmp(n, name) == 0;
        }
        if (name && !kept &&
            call(aws, "DeleteScheduledAction",
                 cfnkit_json_strings(key_input(k), "ScheduledActionName", name, NULL), NULL) < 0 &&
            !native_error_is(aws, "ObjectNotFoundException"))
            return -1;
    }
    cJSON_ArrayForEach(a, now)
    {
        cJSON *in = cJSON_Duplicate(a, 1);
        cJSON *key = key_input(k);
        if (in && cfnkit_json_coerce(in, numbers, flags, NULL, &bad) < 0) {
            cJSON_Delete(in);
            cJSON_Delete(key);
            return cfn_error_set(CFN_EINVAL, "ScheduledActions: %s has a value of the wrong type",
                                 bad);
        }
        for (cJSON *m = key ? key->child : NULL; in && m; m = m->next)
            in = cfnkit_json_strings(in, m->string, m->valuestring, NULL);
        cJSON_Delete(key);
        if (call(aws, "PutScheduledAction", in, NULL) < 0)
            return -1;
    }
    return 0;
}

static int target_put(cfn_ctx *ctx)
{
    target_key k;
    cfn_aws *aws = NULL;
    char id[1024];
    if (native_check_props(ctx, target_props) < 0 || key_of(ctx, &k) < 0)
        return -1;
    cJSON *in = input_of(ctx, target_register);
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    /* RegisterScalableTarget creates the target or updates it in place.
     * Failing without a reason answers with the AWS error. */
    int rc = call(aws, "RegisterScalableTarget", in, NULL);
    if (rc == 0 && scheduled(ctx, aws, &k) < 0) {
        rc = cfn_fail(ctx, "%s", cfn_error_last());
        /* A failed Create gets no Delete: the target it registered goes. */
        if (cfn_request_action(ctx) == CFN_CREATE)
            call(aws, "DeregisterScalableTarget", key_input(&k), NULL);
    }
    cfn_aws_free(aws);
    snprintf(id, sizeof(id), "%s|%s|%s", k.resource, k.dimension, k.ns);
    if (rc < 0 || cfn_set_data(ctx, "Id", id) < 0)
        return -1;
    return cfn_set_physical_id(ctx, id);
}

static int target_remove(cfn_ctx *ctx)
{
    target_key k;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (key_of(ctx, &k) < 0)
        return 0; /* not a target this type made */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    /* Gone already is success; moto answers ValidationException where AWS
     * says ObjectNotFoundException, so look first. */
    int rc =
        call(aws, "DescribeScalableTargets",
             cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "ServiceNamespace", k.ns,
                                                  "ScalableDimension", k.dimension, NULL),
                              "ResourceIds", cJSON_CreateStringArray(&k.resource, 1)),
             &out);
    if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItem(out, "ScalableTargets")) > 0) {
        rc = call(aws, "DeregisterScalableTarget", key_input(&k), NULL);
        if (rc < 0 && native_error_is(aws, "ObjectNotFoundException"))
            rc = 0;
    }
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const target_replaces[] = {"ResourceId", "ScalableDimension", "ServiceNamespace",
                                              NULL};
static const char *const target_attributes[] = {"Id", NULL};
static const char *const target_write_only[] = {"RoleARN", NULL};

static const cfn_resource_type scalable_target = {
    .type = "AWS::ApplicationAutoScaling::ScalableTarget",
    .create = target_put,
    .update = target_put,
    .remove = target_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = target_replaces,
    .attributes = target_attributes,
    .write_only = target_write_only,
};

/* ---- AWS::ApplicationAutoScaling::ScalingPolicy ------------------------ */

static const char *const policy_props[] = {"PolicyName",
                                           "PolicyType",
                                           "ResourceId",
                                           "ScalableDimension",
                                           "ScalingTargetId",
                                           "ServiceNamespace",
                                           "StepScalingPolicyConfiguration",
                                           "TargetTrackingScalingPolicyConfiguration",
                                           NULL};
static const char *const policy_put[] = {"PolicyName",
                                         "PolicyType",
                                         "ResourceId",
                                         "ScalableDimension",
                                         "ServiceNamespace",
                                         "StepScalingPolicyConfiguration",
                                         "TargetTrackingScalingPolicyConfiguration",
                                         NULL};

/* The policy's input, its target from ScalingTargetId (a ScalableTarget's
 * Ref: "ResourceId|ScalableDimension|ServiceNamespace") when given. */
static cJSON *policy_input(cfn_ctx *ctx)
{
    const char *target = NULL;
    if (native_check_props(ctx, policy_props) < 0 ||
        cfn_prop_string_or(ctx, "ScalingTargetId", NULL, &target) < 0)
        return NULL;
    cJSON *in = input_of(ctx, policy_put);
    if (in && target) {
        char resource[700], dimension[200], ns[100];
        if (sscanf(target, "%699[^|]|%199[^|]|%99s", resource, dimension, ns) != 3) {
            cJSON_Delete(in);
            cfn_fail(ctx,
                     "ScalingTargetId \"%.200s\" is not a scalable target's id "
                     "(ResourceId|ScalableDimension|ServiceNamespace)",
                     target);
            return NULL;
        }
        const char *names[] = {"ResourceId", "ScalableDimension", "ServiceNamespace"},
                   *values[] = {resource, dimension, ns};
        for (int i = 0; in && i < 3; i++) {
            cJSON_DeleteItemFromObjectCaseSensitive(in, names[i]);
            in = cfnkit_json_strings(in, names[i], values[i], NULL);
        }
        if (!in)
            cfn_fail(ctx, "out of memory");
    }
    return in;
}

/* PutScalingPolicy makes the policy or updates it in place; Ref is its ARN. */
static int policy_put_cb(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *out = NULL, *in = policy_input(ctx);
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    /* Failing without a reason answers with the AWS error. */
    int rc = call(aws, "PutScalingPolicy", in, &out);
    const char *arn = cfn_json_string(out, "PolicyARN");
    if (rc == 0 && !arn)
        rc = cfn_fail(ctx, "PutScalingPolicy answered no PolicyARN");
    if (rc == 0 && cfn_set_data(ctx, "Arn", arn) == 0)
        rc = cfn_set_physical_id(ctx, arn);
    else if (rc == 0)
        rc = -1;
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int policy_remove(cfn_ctx *ctx)
{
    static const char *const key[] = {"PolicyName", "ResourceId", "ScalableDimension",
                                      "ServiceNamespace", NULL};
    cfn_aws *aws = NULL;
    cJSON *in = policy_input(ctx);
    if (!in)
        return -1;
    for (cJSON *m = in->child, *next; m; m = next) {
        next = m->next;
        bool keep = false;
        for (size_t i = 0; key[i]; i++)
            keep |= strcmp(key[i], m->string) == 0;
        if (!keep)
            cJSON_Delete(cJSON_DetachItemViaPointer(in, m));
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    /* Gone already is success; moto answers ValidationException where AWS
     * says ObjectNotFoundException, so look first. */
    const char *name = cfn_json_string(in, "PolicyName");
    if (!name) {
        cJSON_Delete(in);
        cfn_aws_free(aws);
        return 0; /* no policy named: nothing of ours */
    }
    cJSON *look = cJSON_Duplicate(in, 1), *out = NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(look, "PolicyName");
    int rc = call(aws, "DescribeScalingPolicies",
                  cfnkit_json_item(look, "PolicyNames", cJSON_CreateStringArray(&name, 1)), &out);
    if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItem(out, "ScalingPolicies")) > 0) {
        rc = call(aws, "DeleteScalingPolicy", in, NULL);
        in = NULL;
        if (rc < 0 && native_error_is(aws, "ObjectNotFoundException"))
            rc = 0;
    }
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const policy_replaces[] = {
    "PolicyName", "ResourceId", "ScalableDimension", "ScalingTargetId", "ServiceNamespace", NULL};
static const char *const policy_attributes[] = {"Arn", NULL};
static const char *const policy_write_only[] = {"ScalingTargetId",
                                                "TargetTrackingScalingPolicyConfiguration", NULL};

static const cfn_resource_type scaling_policy = {
    .type = "AWS::ApplicationAutoScaling::ScalingPolicy",
    .create = policy_put_cb,
    .update = policy_put_cb,
    .remove = policy_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = policy_replaces,
    .attributes = policy_attributes,
    .write_only = policy_write_only,
};

const cfn_resource_type *const cfnkit_native_applicationautoscaling[] = {&scalable_target,
                                                                         &scaling_policy, NULL};
