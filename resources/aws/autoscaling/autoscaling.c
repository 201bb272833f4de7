/* AWS::AutoScaling::LaunchConfiguration, AutoScalingGroup, ScalingPolicy,
 * ScheduledAction and LifecycleHook for the local engine, through the Auto Scaling query API.
 * Ref is the name of the first two (the group's Fn::GetAtt
 * AutoScalingGroupARN), the ARN of a policy (Fn::GetAtt Arn, PolicyName), the
 * generated name of a scheduled action (Fn::GetAtt ScheduledActionName), the
 * name of a lifecycle hook. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define LC_TYPE  "AWS::AutoScaling::LaunchConfiguration"
#define ASG_TYPE "AWS::AutoScaling::AutoScalingGroup"
/* Auto Scaling's limit on the names of both. */
#define MAX_NAME 255

/* The template's properties as the API's input: a copy without ServiceToken,
 * the members named in `ints` and `bools` made numbers and booleans (a JSON
 * template's "2", "true"). NULL with the reason set on failure. */
static cJSON *props_input(cfn_ctx *ctx, const char *type, const char *const *ints,
                          const char *const *bools)
{
    cJSON *in = cJSON_Duplicate(cfn_request_props(ctx), true);
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(in, "ServiceToken");
    const char *bad = NULL;
    if (cfnkit_json_coerce(in, ints, bools, NULL, &bad) < 0) {
        cfn_fail(ctx, "%s property %s must be a %s", type, bad,
                 cfnkit_listed(bools, bad) ? "boolean" : "number");
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* ---- AWS::AutoScaling::LaunchConfiguration ---- */

static const char *const lc_supported[] = {"LaunchConfigurationName",
                                           "ImageId",
                                           "InstanceType",
                                           "KeyName",
                                           "SecurityGroups",
                                           "UserData",
                                           "IamInstanceProfile",
                                           "AssociatePublicIpAddress",
                                           "EbsOptimized",
                                           "BlockDeviceMappings",
                                           "SpotPrice",
                                           "PlacementTenancy",
                                           NULL};
static const char *const lc_ints[] = {"VolumeSize", "Iops", "Throughput", NULL};
static const char *const lc_bools[] = {"AssociatePublicIpAddress",
                                       "EbsOptimized",
                                       "DeleteOnTermination",
                                       "Encrypted",
                                       "NoDevice",
                                       NULL};

static int lc_create(cfn_ctx *ctx)
{
    const char *given, *s;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, lc_supported) < 0 || cfn_prop_string(ctx, "ImageId", &s) < 0 ||
        cfn_prop_string(ctx, "InstanceType", &s) < 0 ||
        cfn_prop_string_or(ctx, "LaunchConfigurationName", NULL, &given) < 0)
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *name = given ? given : generated;
    int rc = -1;
    cJSON *in = props_input(ctx, LC_TYPE, lc_ints, lc_bools);
    if (in && cfn_aws_for(ctx, NULL, &aws) == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(in, "LaunchConfigurationName");
        in = cfnkit_json_strings(in, "LaunchConfigurationName", name, NULL);
        rc = native_call(ctx, aws, "autoscaling", "CreateLaunchConfiguration", in, NULL);
        in = NULL;
        if (rc == 0)
            rc = cfn_set_physical_id(ctx, name);
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

/* Every property of a launch configuration is create-only: a change is a
 * replacement, which the engine does by a Create; an Update changes nothing. */
static int lc_update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, lc_supported) < 0)
        return -1;
    return cfn_set_physical_id(ctx, cfn_request_physical_id(ctx));
}

/* The first item of `list` Describe `operation` answers for `name` (the
 * caller deletes it), NULL when none: 0, or -1 with the reason set. */
static int described(cfn_ctx *ctx, cfn_aws *aws, const char *operation, const char *member,
                     const char *list, const char *name, cJSON **item)
{
    cJSON *out = NULL;
    const char *names[] = {name};
    *item = NULL;
    if (native_call(
            ctx, aws, "autoscaling", operation,
            cfnkit_json_item(cJSON_CreateObject(), member, cJSON_CreateStringArray(names, 1)),
            &out) < 0)
        return -1;
    cJSON *l = cJSON_GetObjectItemCaseSensitive(out, list);
    if (cJSON_GetArraySize(l) > 0)
        *item = cJSON_DetachItemFromArray(l, 0);
    cJSON_Delete(out);
    return 0;
}

/* Auto Scaling answers a delete of an unknown name with the generic
 * ValidationError: gone is read from Describe first. */
static int lc_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *item = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = described(ctx, aws, "DescribeLaunchConfigurations", "LaunchConfigurationNames",
                       "LaunchConfigurations", name, &item);
    if (rc == 0 && item)
        rc = native_call(
            ctx, aws, "autoscaling", "DeleteLaunchConfiguration",
            cfnkit_json_strings(cJSON_CreateObject(), "LaunchConfigurationName", name, NULL), NULL);
    cJSON_Delete(item);
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::AutoScaling::AutoScalingGroup ---- */

static const char *const asg_supported[] = {"AutoScalingGroupName",
                                            "MinSize",
                                            "MaxSize",
                                            "DesiredCapacity",
                                            "AvailabilityZones",
                                            "Cooldown",
                                            "HealthCheckGracePeriod",
                                            "HealthCheckType",
                                            "LaunchConfigurationName",
                                            "LaunchTemplate",
                                            "LoadBalancerNames",
                                            "TargetGroupARNs",
                                            "VPCZoneIdentifier",
                                            "Tags",
                                            "TerminationPolicies",
                                            "MaxInstanceLifetime",
                                            "NewInstancesProtectedFromScaleIn",
                                            "CapacityRebalance",
                                            "PlacementGroup",
                                            "NotificationConfigurations",
                                            "MetricsCollection",
                                            NULL};
static const char *const asg_ints[] = {"MinSize",
                                       "MaxSize",
                                       "DesiredCapacity",
                                       "DefaultCooldown",
                                       "HealthCheckGracePeriod",
                                       "MaxInstanceLifetime",
                                       NULL};
static const char *const asg_bools[] = {"PropagateAtLaunch", "NewInstancesProtectedFromScaleIn",
                                        "CapacityRebalance", NULL};
/* What UpdateAutoScalingGroup does not take: changed through their own calls. */
static const char *const asg_not_updated[] = {
    "LoadBalancerNames",    "TargetGroupARNs",   "Tags", "NotificationConfigurations",
    "AutoScalingGroupName", "MetricsCollection", NULL};

/* The group's input: CloudFormation's Cooldown (a string) is the API's
 * DefaultCooldown, its VPCZoneIdentifier list the API's comma-separated
 * string; `name` the group's. */
static cJSON *asg_input(cfn_ctx *ctx, const char *name)
{
    cJSON *in = cJSON_Duplicate(cfn_request_props(ctx), true);
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    cJSON *c = cJSON_DetachItemFromObjectCaseSensitive(in, "Cooldown");
    if (c)
        cJSON_AddItemToObject(in, "DefaultCooldown", c);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(in, "VPCZoneIdentifier");
    if (cJSON_IsArray(v)) {
        size_t len = 1;
        const cJSON *s;
        cJSON_ArrayForEach(s, v)
        {
            if (!cJSON_IsString(s)) {
                cJSON_Delete(in);
                cfn_fail(ctx, ASG_TYPE " property VPCZoneIdentifier must be a list of subnet ids");
                return NULL;
            }
            len += strlen(s->valuestring) + 1;
        }
        char *joined = calloc(1, len);
        if (!joined) {
            cJSON_Delete(in);
            cfn_fail(ctx, "out of memory");
            return NULL;
        }
        cJSON_ArrayForEach(s, v)
        {
            if (*joined)
                strcat(joined, ",");
            strcat(joined, s->valuestring);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(in, "VPCZoneIdentifier", cJSON_CreateString(joined));
        free(joined);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(in, "ServiceToken");
    cJSON_DeleteItemFromObjectCaseSensitive(in, "AutoScalingGroupName");
    const char *bad = NULL;
    if (cfnkit_json_coerce(in, asg_ints, asg_bools, NULL, &bad) < 0) {
        /* `bad` names a member of `in`: the reason first. */
        cfn_fail(ctx, ASG_TYPE " property %s must be a %s",
                 strcmp(bad, "DefaultCooldown") == 0 ? "Cooldown" : bad,
                 cfnkit_listed(asg_bools, bad) ? "boolean" : "number");
        cJSON_Delete(in);
        return NULL;
    }
    in = cfnkit_json_strings(in, "AutoScalingGroupName", name, NULL);
    if (!in)
        cfn_fail(ctx, "out of memory");
    return in;
}

/* Waits until the group has as many instances InService as it wants
 * (DesiredCapacity, else MinSize), as CloudFormation does before
 * CREATE_COMPLETE; sets the physical id and AutoScalingGroupARN. */
static int asg_ready(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    for (;;) {
        cJSON *g = NULL;
        if (described(ctx, aws, "DescribeAutoScalingGroups", "AutoScalingGroupNames",
                      "AutoScalingGroups", name, &g) < 0)
            return -1;
        if (!g)
            return cfn_fail(ctx, "Auto Scaling group %s is not described", name);
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(g, "DesiredCapacity");
        int in_service = 0;
        const cJSON *i;
        cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(g, "Instances"))
        {
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(i, "LifecycleState");
            in_service += cJSON_IsString(st) && strcmp(st->valuestring, "InService") == 0;
        }
        if (!cJSON_IsNumber(want) || in_service >= want->valueint) {
            const cJSON *arn = cJSON_GetObjectItemCaseSensitive(g, "AutoScalingGroupARN");
            int rc = cJSON_IsString(arn)
                         ? cfn_set_data(ctx, "AutoScalingGroupARN", arn->valuestring)
                         : cfn_fail(ctx, "Auto Scaling group %s has no ARN", name);
            cJSON_Delete(g);
            return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
        }
        cJSON_Delete(g);
        if (!native_poll_again(ctx))
            return cfn_fail(ctx, "Auto Scaling group %s: %d of %d instances InService in time",
                            name, in_service, want->valueint);
    }
}

/* NotificationConfigurations follow the template: each topic no longer
 * listed gets DeleteNotificationConfiguration, each listed one
 * PutNotificationConfiguration (which replaces the topic's types). Returns 0
 * or -1. */
static int follow_notifications(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    const cJSON *old =
        cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), "NotificationConfigurations");
    const cJSON *now =
        cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "NotificationConfigurations");
    const cJSON *o, *n;
    cJSON_ArrayForEach(o, old)
    {
        const cJSON *topic = cJSON_GetObjectItemCaseSensitive(o, "TopicARN");
        bool kept = false;
        cJSON_ArrayForEach(n, now) kept =
            kept || cJSON_Compare(topic, cJSON_GetObjectItemCaseSensitive(n, "TopicARN"), true);
        if (!kept && cJSON_IsString(topic) &&
            native_call(ctx, aws, "autoscaling", "DeleteNotificationConfiguration",
                        cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", name,
                                            "TopicARN", topic->valuestring, NULL),
                        NULL) < 0)
            return -1;
    }
    cJSON_ArrayForEach(n, now)
    {
        const cJSON *topic = cJSON_GetObjectItemCaseSensitive(n, "TopicARN");
        const cJSON *types = cJSON_GetObjectItemCaseSensitive(n, "NotificationTypes");
        if (!cJSON_IsString(topic) || !cJSON_IsArray(types))
            return cfn_fail(ctx, ASG_TYPE " property NotificationConfigurations: each needs a "
                                          "TopicARN and a list of NotificationTypes");
        if (native_call(
                ctx, aws, "autoscaling", "PutNotificationConfiguration",
                cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName",
                                                     name, "TopicARN", topic->valuestring, NULL),
                                 "NotificationTypes", cJSON_Duplicate(types, true)),
                NULL) < 0)
            return -1;
    }
    return 0;
}

/* MetricsCollection: EnableMetricsCollection per entry ({Granularity,
 * Metrics}, no Metrics meaning all); on update, DisableMetricsCollection of
 * every metric first. Returns 0 or -1. */
static int follow_metrics(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    const cJSON *now =
        cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "MetricsCollection");
    const cJSON *m;
    if (cfn_request_old_props(ctx) &&
        native_call(ctx, aws, "autoscaling", "DisableMetricsCollection",
                    cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", name, NULL),
                    NULL) < 0)
        return -1;
    cJSON_ArrayForEach(m, now)
    {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(m, "Granularity");
        const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(m, "Metrics");
        if (!cJSON_IsString(g) || (metrics && !cJSON_IsArray(metrics)))
            return cfn_fail(ctx, ASG_TYPE " property MetricsCollection: each needs a "
                                          "Granularity and an optional list of Metrics");
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", name,
                                        "Granularity", g->valuestring, NULL);
        if (metrics)
            in = cfnkit_json_item(in, "Metrics", cJSON_Duplicate(metrics, true));
        if (native_call(ctx, aws, "autoscaling", "EnableMetricsCollection", in, NULL) < 0)
            return -1;
    }
    return 0;
}

/* A Create that failed after making the group: the reason kept (the AWS
 * error when none is set) and the group deleted, since a failed Create gets
 * no Delete. */
static void undo_group(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    if (!cfn_reason(ctx))
        cfn_fail(ctx, "%s", cfn_error_last());
    native_take_call(aws, "autoscaling", "Auto Scaling", "DeleteAutoScalingGroup",
                     cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                          "AutoScalingGroupName", name, NULL),
                                      "ForceDelete", cJSON_CreateTrue()),
                     NULL);
}

static int asg_create(cfn_ctx *ctx)
{
    const char *given;
    long long n;
    char *generated = NULL;
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, asg_supported) < 0 || cfn_prop_int(ctx, "MinSize", &n) < 0 ||
        cfn_prop_int(ctx, "MaxSize", &n) < 0 ||
        cfn_prop_string_or(ctx, "AutoScalingGroupName", NULL, &given) < 0)
        return -1;
    if (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0)
        return -1;
    const char *name = given ? given : generated;
    int rc = -1;
    bool made = false;
    cJSON *in = asg_input(ctx, name);
    if (in && cfn_aws_for(ctx, NULL, &aws) == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(in, "NotificationConfigurations");
        cJSON_DeleteItemFromObjectCaseSensitive(in, "MetricsCollection");
        rc = native_call(ctx, aws, "autoscaling", "CreateAutoScalingGroup", in, NULL);
        in = NULL;
        made = rc == 0;
        if (rc == 0 && cfn_prop_has(ctx, "NotificationConfigurations"))
            rc = follow_notifications(ctx, aws, name);
        if (rc == 0 && cfn_prop_has(ctx, "MetricsCollection"))
            rc = follow_metrics(ctx, aws, name);
        if (rc == 0)
            rc = asg_ready(ctx, aws, name);
        if (rc < 0 && made)
            undo_group(ctx, aws, name);
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    free(generated);
    return rc;
}

/* The group's tags as CreateOrUpdateTags and DeleteTags take them. */
static cJSON *group_tags(const cJSON *tags, const char *name, bool keys_only)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
    {
        cJSON *o = keys_only ? cJSON_CreateObject() : cJSON_Duplicate(t, true);
        if (keys_only)
            cJSON_AddItemToObject(o, "Key",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(t, "Key"), 1));
        cJSON_AddStringToObject(o, "ResourceId", name);
        cJSON_AddStringToObject(o, "ResourceType", "auto-scaling-group");
        cJSON_AddItemToArray(out, o);
    }
    return out;
}

/* The strings of list `a` that list `b` lacks, as a new array. */
static cJSON *missing(const cJSON *a, const cJSON *b)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *x, *y;
    cJSON_ArrayForEach(x, a)
    {
        bool found = false;
        cJSON_ArrayForEach(y, b) found = found || (cJSON_IsString(x) && cJSON_IsString(y) &&
                                                   strcmp(x->valuestring, y->valuestring) == 0);
        if (out && cJSON_IsString(x) && !found)
            cJSON_AddItemToArray(out, cJSON_CreateString(x->valuestring));
    }
    return out;
}

/* A list property of load balancers follows the template: the ones no longer
 * listed detached, the new ones attached (`detach`, `attach`: the calls,
 * `member` their list's name). Returns 0, or -1. */
static int follow_list(cfn_ctx *ctx, cfn_aws *aws, const char *name, const char *property,
                       const char *detach, const char *attach, const char *member)
{
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(cfn_request_old_props(ctx), property);
    const cJSON *now = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), property);
    const char *ops[] = {detach, attach};
    for (int i = 0; i < 2; i++) {
        cJSON *list = i == 0 ? missing(old, now) : missing(now, old);
        if (cJSON_GetArraySize(list) == 0) {
            cJSON_Delete(list);
            continue;
        }
        if (native_call(ctx, aws, "autoscaling", ops[i],
                        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                             "AutoScalingGroupName", name, NULL),
                                         member, list),
                        NULL) < 0)
            return -1;
    }
    return 0;
}

/* UpdateAutoScalingGroup with what it takes (what the template no longer
 * sets keeps its value, as Auto Scaling has no "unset"); tags: the old ones
 * deleted, the new ones put; LoadBalancerNames and TargetGroupARNs by
 * detaching and attaching the difference. */
static int asg_update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (native_check_props(ctx, asg_supported) < 0)
        return -1;
    cJSON *in = asg_input(ctx, name);
    if (!in)
        return -1;
    for (const char *const *p = asg_not_updated; *p; p++)
        if (strcmp(*p, "AutoScalingGroupName") != 0)
            cJSON_DeleteItemFromObjectCaseSensitive(in, *p);
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "autoscaling", "UpdateAutoScalingGroup", in, NULL);
    else
        cJSON_Delete(in);
    if (rc == 0 && cfn_prop_changed(ctx, "LoadBalancerNames"))
        rc = follow_list(ctx, aws, name, "LoadBalancerNames", "DetachLoadBalancers",
                         "AttachLoadBalancers", "LoadBalancerNames");
    if (rc == 0 && cfn_prop_changed(ctx, "TargetGroupARNs"))
        rc = follow_list(ctx, aws, name, "TargetGroupARNs", "DetachLoadBalancerTargetGroups",
                         "AttachLoadBalancerTargetGroups", "TargetGroupARNs");
    if (rc == 0 && cfn_prop_changed(ctx, "MetricsCollection"))
        rc = follow_metrics(ctx, aws, name);
    if (rc == 0 && cfn_prop_changed(ctx, "NotificationConfigurations"))
        rc = follow_notifications(ctx, aws, name);
    if (rc == 0 && cfn_prop_changed(ctx, "Tags")) {
        const cJSON *old = NULL, *tags = NULL;
        const cJSON *oldp = cfn_request_old_props(ctx);
        old = cJSON_GetObjectItemCaseSensitive(oldp, "Tags");
        tags = cJSON_GetObjectItemCaseSensitive(cfn_request_props(ctx), "Tags");
        if (cJSON_GetArraySize(old) > 0)
            rc = native_call(
                ctx, aws, "autoscaling", "DeleteTags",
                cfnkit_json_item(cJSON_CreateObject(), "Tags", group_tags(old, name, true)), NULL);
        if (rc == 0 && cJSON_GetArraySize(tags) > 0) {
            cJSON *t = group_tags(tags, name, false);
            const char *bad = NULL;
            if (cfnkit_json_coerce(t, NULL, asg_bools, NULL, &bad) < 0) {
                rc = cfn_fail(ctx, ASG_TYPE " property Tags: %s must be a boolean", bad);
                cJSON_Delete(t);
            } else {
                rc = native_call(ctx, aws, "autoscaling", "CreateOrUpdateTags",
                                 cfnkit_json_item(cJSON_CreateObject(), "Tags", t), NULL);
            }
        }
    }
    if (rc == 0)
        rc = asg_ready(ctx, aws, name);
    cfn_aws_free(aws);
    return rc;
}

/* DeleteAutoScalingGroup with ForceDelete (its instances terminated, as
 * CloudFormation's delete does), then waits until the group is gone. */
static int asg_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *g = NULL;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = described(ctx, aws, "DescribeAutoScalingGroups", "AutoScalingGroupNames",
                       "AutoScalingGroups", name, &g);
    if (rc == 0 && g)
        rc = native_call(ctx, aws, "autoscaling", "DeleteAutoScalingGroup",
                         cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                              "AutoScalingGroupName", name, NULL),
                                          "ForceDelete", cJSON_CreateTrue()),
                         NULL);
    while (rc == 0 && g) {
        cJSON_Delete(g);
        g = NULL;
        rc = described(ctx, aws, "DescribeAutoScalingGroups", "AutoScalingGroupNames",
                       "AutoScalingGroups", name, &g);
        if (rc == 0 && g && !native_poll_again(ctx))
            rc = cfn_fail(ctx, "Auto Scaling group %s is not deleted in time", name);
    }
    cJSON_Delete(g);
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::AutoScaling::ScalingPolicy ---- */

#define SP_TYPE "AWS::AutoScaling::ScalingPolicy"

static const char *const sp_supported[] = {"AutoScalingGroupName",
                                           "PolicyType",
                                           "AdjustmentType",
                                           "ScalingAdjustment",
                                           "MinAdjustmentMagnitude",
                                           "Cooldown",
                                           "EstimatedInstanceWarmup",
                                           "MetricAggregationType",
                                           "StepAdjustments",
                                           "TargetTrackingConfiguration",
                                           NULL};
static const char *const sp_ints[] = {"ScalingAdjustment",
                                      "MinAdjustmentMagnitude",
                                      "Cooldown",
                                      "EstimatedInstanceWarmup",
                                      "MetricIntervalLowerBound",
                                      "MetricIntervalUpperBound",
                                      "TargetValue",
                                      NULL};
static const char *const sp_bools[] = {"DisableScaleIn", NULL};

/* The policy's name in its ARN ("...:policyName/NAME"), NULL if none. */
static const char *policy_name(const char *arn)
{
    const char *p = arn ? strstr(arn, ":policyName/") : NULL;
    return p && p[12] ? p + 12 : NULL;
}

/* PutScalingPolicy serves Create and Update (the same name puts the policy
 * again whole). Ref is the policy's ARN; Fn::GetAtt Arn and PolicyName. */
static int sp_put(cfn_ctx *ctx, const char *name)
{
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    cJSON *in = props_input(ctx, SP_TYPE, sp_ints, sp_bools);
    if (!in)
        return -1;
    in = cfnkit_json_strings(in, "PolicyName", name, NULL);
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "autoscaling", "PutScalingPolicy", in, &out);
    else
        cJSON_Delete(in);
    const cJSON *arn = cJSON_GetObjectItemCaseSensitive(out, "PolicyARN");
    if (rc == 0 && !cJSON_IsString(arn)) {
        /* moto 5 answers PolicyArn, not the API's PolicyARN: the ARN is
         * read back from DescribePolicies then. */
        const char *names[] = {name}, *group = NULL;
        cJSON_Delete(out);
        out = NULL;
        rc = cfn_prop_string(ctx, "AutoScalingGroupName", &group);
        if (rc == 0)
            rc = native_call(
                ctx, aws, "autoscaling", "DescribePolicies",
                cfnkit_json_item(
                    cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", group, NULL),
                    "PolicyNames", cJSON_CreateStringArray(names, 1)),
                &out);
        arn = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "ScalingPolicies"), 0),
            "PolicyARN");
    }
    if (rc == 0)
        rc = !cJSON_IsString(arn) ? cfn_fail(ctx, "scaling policy %s has no PolicyARN", name)
             : cfn_set_data(ctx, "Arn", arn->valuestring) < 0 ||
                     cfn_set_data(ctx, "PolicyName", name) < 0
                 ? -1
                 : cfn_set_physical_id(ctx, arn->valuestring);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int sp_create(cfn_ctx *ctx)
{
    const char *group;
    char *name = NULL;
    if (native_check_props(ctx, sp_supported) < 0 ||
        cfn_prop_string(ctx, "AutoScalingGroupName", &group) < 0 ||
        native_name(ctx, MAX_NAME, 0, &name) < 0)
        return -1;
    int rc = sp_put(ctx, name);
    free(name);
    return rc;
}

static int sp_update(cfn_ctx *ctx)
{
    const char *name = policy_name(cfn_request_physical_id(ctx));
    if (native_check_props(ctx, sp_supported) < 0)
        return -1;
    if (!name)
        return cfn_fail(ctx, SP_TYPE " physical id %s is not a scaling policy ARN",
                        cfn_request_physical_id(ctx));
    return sp_put(ctx, name);
}

/* DeletePolicy takes the ARN alone; gone (the policy, or its whole group) is
 * read from DescribePolicies first, as Auto Scaling answers an unknown one
 * with the generic ValidationError. */
static int sp_remove(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    const char *name = policy_name(arn);
    const char *group = NULL;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (!name)
        return cfn_fail(ctx, SP_TYPE " physical id %s is not a scaling policy ARN", arn);
    if (cfn_prop_string(ctx, "AutoScalingGroupName", &group) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    const char *names[] = {name};
    int rc = native_call(ctx, aws, "autoscaling", "DescribePolicies",
                         cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                              "AutoScalingGroupName", group, NULL),
                                          "PolicyNames", cJSON_CreateStringArray(names, 1)),
                         &out);
    if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "ScalingPolicies")) > 0)
        rc = native_call(ctx, aws, "autoscaling", "DeletePolicy",
                         cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", group,
                                             "PolicyName", name, NULL),
                         NULL);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::AutoScaling::ScheduledAction ---- */

#define SA_TYPE "AWS::AutoScaling::ScheduledAction"

static const char *const sa_supported[] = {"AutoScalingGroupName",
                                           "MinSize",
                                           "MaxSize",
                                           "DesiredCapacity",
                                           "Recurrence",
                                           "StartTime",
                                           "EndTime",
                                           "TimeZone",
                                           NULL};
static const char *const sa_ints[] = {"MinSize", "MaxSize", "DesiredCapacity", NULL};

/* PutScheduledUpdateGroupAction serves Create and Update (the action put
 * again under its name). Ref and Fn::GetAtt ScheduledActionName: its name. */
static int sa_put(cfn_ctx *ctx, const char *name)
{
    cfn_aws *aws = NULL;
    const char *group;
    if (native_check_props(ctx, sa_supported) < 0 ||
        cfn_prop_string(ctx, "AutoScalingGroupName", &group) < 0)
        return -1;
    cJSON *in = props_input(ctx, SA_TYPE, sa_ints, NULL);
    if (!in)
        return -1;
    in = cfnkit_json_strings(in, "ScheduledActionName", name, NULL);
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "autoscaling", "PutScheduledUpdateGroupAction", in, NULL);
    else
        cJSON_Delete(in);
    cfn_aws_free(aws);
    if (rc < 0 || cfn_set_data(ctx, "ScheduledActionName", name) < 0)
        return -1;
    return cfn_set_physical_id(ctx, name);
}

static int sa_create(cfn_ctx *ctx)
{
    char *name = NULL;
    if (native_check_props(ctx, sa_supported) < 0 || native_name(ctx, MAX_NAME, 0, &name) < 0)
        return -1;
    int rc = sa_put(ctx, name);
    free(name);
    return rc;
}

static int sa_update(cfn_ctx *ctx)
{
    return sa_put(ctx, cfn_request_physical_id(ctx));
}

/* DeleteScheduledAction after DescribeScheduledActions: gone (the action,
 * or its whole group) is success. */
static int sa_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx), *group;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (cfn_prop_string(ctx, "AutoScalingGroupName", &group) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    const char *names[] = {name};
    int rc =
        native_call(ctx, aws, "autoscaling", "DescribeScheduledActions",
                    cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                         "AutoScalingGroupName", group, NULL),
                                     "ScheduledActionNames", cJSON_CreateStringArray(names, 1)),
                    &out);
    if (rc == 0 && cJSON_GetArraySize(
                       cJSON_GetObjectItemCaseSensitive(out, "ScheduledUpdateGroupActions")) > 0)
        rc = native_call(ctx, aws, "autoscaling", "DeleteScheduledAction",
                         cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", group,
                                             "ScheduledActionName", name, NULL),
                         NULL);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::AutoScaling::LifecycleHook ---- */

#define LH_TYPE "AWS::AutoScaling::LifecycleHook"

static const char *const lh_supported[] = {
    "AutoScalingGroupName",  "LifecycleHookName", "LifecycleTransition",
    "DefaultResult",         "HeartbeatTimeout",  "NotificationMetadata",
    "NotificationTargetARN", "RoleARN",           NULL};
static const char *const lh_ints[] = {"HeartbeatTimeout", NULL};

/* PutLifecycleHook serves Create and Update (the hook put again under its
 * name). Ref: the hook's name; no Fn::GetAtt. */
static int lh_put(cfn_ctx *ctx, const char *name)
{
    cfn_aws *aws = NULL;
    const char *s;
    if (native_check_props(ctx, lh_supported) < 0 ||
        cfn_prop_string(ctx, "AutoScalingGroupName", &s) < 0 ||
        cfn_prop_string(ctx, "LifecycleTransition", &s) < 0)
        return -1;
    cJSON *in = props_input(ctx, LH_TYPE, lh_ints, NULL);
    if (!in)
        return -1;
    cJSON_DeleteItemFromObjectCaseSensitive(in, "LifecycleHookName");
    in = cfnkit_json_strings(in, "LifecycleHookName", name, NULL);
    int rc = cfn_aws_for(ctx, NULL, &aws);
    if (rc == 0)
        rc = native_call(ctx, aws, "autoscaling", "PutLifecycleHook", in, NULL);
    else
        cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

static int lh_create(cfn_ctx *ctx)
{
    const char *given;
    char *generated = NULL;
    if (native_check_props(ctx, lh_supported) < 0 ||
        cfn_prop_string_or(ctx, "LifecycleHookName", NULL, &given) < 0 ||
        (!given && native_name(ctx, MAX_NAME, 0, &generated) < 0))
        return -1;
    int rc = lh_put(ctx, given ? given : generated);
    free(generated);
    return rc;
}

static int lh_update(cfn_ctx *ctx)
{
    return lh_put(ctx, cfn_request_physical_id(ctx));
}

/* DeleteLifecycleHook after DescribeLifecycleHooks: gone (the hook, or its
 * whole group) is success. */
static int lh_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx), *group;
    cfn_aws *aws = NULL;
    cJSON *out = NULL;
    if (cfn_prop_string(ctx, "AutoScalingGroupName", &group) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    const char *names[] = {name};
    int rc = native_call(ctx, aws, "autoscaling", "DescribeLifecycleHooks",
                         cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(),
                                                              "AutoScalingGroupName", group, NULL),
                                          "LifecycleHookNames", cJSON_CreateStringArray(names, 1)),
                         &out);
    if (rc == 0 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "LifecycleHooks")) > 0)
        rc = native_call(ctx, aws, "autoscaling", "DeleteLifecycleHook",
                         cfnkit_json_strings(cJSON_CreateObject(), "AutoScalingGroupName", group,
                                             "LifecycleHookName", name, NULL),
                         NULL);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* ---- descriptors (cfn-lint's schemas) ---- */

static const char *const lc_replaces[] = {"AssociatePublicIpAddress",
                                          "BlockDeviceMappings",
                                          "ClassicLinkVPCId",
                                          "ClassicLinkVPCSecurityGroups",
                                          "EbsOptimized",
                                          "IamInstanceProfile",
                                          "ImageId",
                                          "InstanceId",
                                          "InstanceMonitoring",
                                          "InstanceType",
                                          "KernelId",
                                          "KeyName",
                                          "LaunchConfigurationName",
                                          "MetadataOptions",
                                          "PlacementTenancy",
                                          "RamDiskId",
                                          "SecurityGroups",
                                          "SpotPrice",
                                          "UserData",
                                          NULL};
static const char *const lc_write_only[] = {"InstanceId", NULL};

static const cfn_resource_type lc_type = {
    .type = LC_TYPE,
    .create = lc_create,
    .update = lc_update,
    .remove = lc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = lc_replaces,
    .write_only = lc_write_only,
};

static const char *const asg_replaces[] = {"InstanceId", "AutoScalingGroupName", NULL};
static const char *const asg_conditional[] = {"LaunchConfigurationName", "VPCZoneIdentifier",
                                              "LaunchTemplate", "MixedInstancesPolicy", NULL};
static const char *const asg_write_only[] = {"SkipZonalShiftValidation", "InstanceId", NULL};
static const char *const asg_attributes[] = {"AutoScalingGroupARN", NULL};

static const cfn_resource_type asg_type = {
    .type = ASG_TYPE,
    .create = asg_create,
    .update = asg_update,
    .remove = asg_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = asg_replaces,
    .replaces_conditional = asg_conditional,
    .write_only = asg_write_only,
    .attributes = asg_attributes,
};

static const char *const sp_replaces[] = {"AutoScalingGroupName", NULL};
static const char *const sp_attributes[] = {"PolicyName", "Arn", NULL};

static const cfn_resource_type sp_type = {
    .type = SP_TYPE,
    .create = sp_create,
    .update = sp_update,
    .remove = sp_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = sp_replaces,
    .attributes = sp_attributes,
};

static const char *const sa_attributes[] = {"ScheduledActionName", NULL};

static const cfn_resource_type sa_type = {
    .type = SA_TYPE,
    .create = sa_create,
    .update = sa_update,
    .remove = sa_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = sp_replaces, /* AutoScalingGroupName, as the policy's */
    .attributes = sa_attributes,
};

static const char *const lh_replaces[] = {"AutoScalingGroupName", "LifecycleHookName", NULL};

static const cfn_resource_type lh_type = {
    .type = LH_TYPE,
    .create = lh_create,
    .update = lh_update,
    .remove = lh_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = lh_replaces,
};

const cfn_resource_type *const cfnkit_native_autoscaling[] = {&lc_type, &asg_type, &sp_type,
                                                              &sa_type, &lh_type,  NULL};
