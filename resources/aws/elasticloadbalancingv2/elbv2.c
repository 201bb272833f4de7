/* AWS::ElasticLoadBalancingV2::LoadBalancer, ::TargetGroup, ::Listener and
 * ::ListenerRule for the local engine. The template's names are the API's
 * (Elastic Load Balancing v2 is a query API; its JSON is the AWS CLI's). */
#include "awsjson.h"
#include "aws/native.h"
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 32 /* load balancer and target group names */

/* One Elastic Load Balancing call that consumes its input (native_take_call). */
static int call(cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_take_call(aws, "elbv2", "Elastic Load Balancing", op, in, out);
}

static cJSON *with_arn(const char *member, const char *arn)
{
    return cfnkit_json_strings(cJSON_CreateObject(), member, arn, NULL);
}

/* Numbers and flags the template may give as strings (!GetAtt, !Ref). */
static const char *const ints[] = {"Port",
                                   "Priority",
                                   "Order",
                                   "Weight",
                                   "DurationSeconds",
                                   "HealthCheckIntervalSeconds",
                                   "HealthCheckTimeoutSeconds",
                                   "HealthyThresholdCount",
                                   "UnhealthyThresholdCount",
                                   "SessionTimeout",
                                   NULL};
static const char *const bools[] = {"Enabled", "HealthCheckEnabled", "UseExistingClientSecret",
                                    NULL};
static const char *const strings[] = {"Value", "HealthCheckPort", "StatusCode", NULL};

/* The request's properties as the API's input, but those in `skip`, typed as
 * the API wants them; a property not in `supported` is refused. NULL with the
 * reason set on failure. */
static cJSON *input_of(cfn_ctx *ctx, const char *const *supported, const char *const *skip)
{
    const char *bad = NULL;
    if (native_check_props(ctx, supported) < 0)
        return NULL;
    cJSON *in = cJSON_Duplicate(cfn_request_props(ctx), 1);
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(in, "ServiceToken");
    for (; skip && *skip; skip++)
        cJSON_DeleteItemFromObjectCaseSensitive(in, *skip);
    if (cfnkit_json_coerce(in, ints, bools, strings, &bad) < 0) {
        cJSON_Delete(in);
        cfn_fail(ctx, "%s: %s has a value of the wrong type", cfn_request_resource_type(ctx),
                 bad ? bad : "a property");
        return NULL;
    }
    return in;
}

/* Only the members of `in` named in `keep`. */
static cJSON *only(cJSON *in, const char *const *keep)
{
    for (cJSON *m = in ? in->child : NULL, *next; m; m = next) {
        next = m->next;
        bool kept = false;
        for (const char *const *k = keep; *k; k++)
            kept |= strcmp(*k, m->string) == 0;
        if (!kept)
            cJSON_Delete(cJSON_DetachItemViaPointer(in, m));
    }
    return in;
}

static int name_of(cfn_ctx *ctx, char **out)
{
    const char *given;
    if (cfn_prop_string_or(ctx, "Name", NULL, &given) < 0)
        return -1;
    if (!given)
        return native_name(ctx, MAX_NAME, 0, out);
    if (!(*out = strdup(given)))
        return cfn_fail(ctx, "out of memory");
    return 0;
}

/* "app/NAME/ID" from "arn:...:loadbalancer/app/NAME/ID", the same for
 * target groups: the FullName attributes (CloudWatch's dimensions). */
static const char *full_name(const char *arn, const char *kind)
{
    const char *p = arn ? strstr(arn, kind) : NULL;
    return p ? p + strlen(kind) : "";
}

/* Tags follow the template: keys gone or changed are removed, the new
 * values written. */
static int retag(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *untag = NULL, *tag = NULL;
    if (!cfn_prop_changed(ctx, "Tags"))
        return 0;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0)
        return -1;
    int rc = 0;
    if (cJSON_GetArraySize(untag) > 0)
        rc = call(aws, "RemoveTags",
                  cfnkit_json_item(cfnkit_json_item(cJSON_CreateObject(), "ResourceArns",
                                                    cJSON_CreateStringArray(&arn, 1)),
                                   "TagKeys", untag),
                  NULL);
    else
        cJSON_Delete(untag);
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = call(aws, "AddTags",
                  cfnkit_json_item(cfnkit_json_item(cJSON_CreateObject(), "ResourceArns",
                                                    cJSON_CreateStringArray(&arn, 1)),
                                   "Tags", tag),
                  NULL);
    else
        cJSON_Delete(tag);
    return rc;
}

/* Whether `have` (an API answer's item) has `member` as `want` asks (the
 * request's value, or `fallback`, the API's default, when it gives none). */
static bool same(const cJSON *have, const cJSON *want, const char *member, const char *fallback)
{
    const cJSON *h = cJSON_GetObjectItem(have, member), *w = cJSON_GetObjectItem(want, member);
    char text[32];
    const char *wt = cJSON_IsString(w) ? w->valuestring : fallback;
    if (cJSON_IsNumber(w) && snprintf(text, sizeof(text), "%.0f", w->valuedouble) > 0)
        wt = text;
    if (cJSON_IsNumber(h))
        return wt && atof(wt) == h->valuedouble;
    return cJSON_IsString(h) ? wt && strcmp(h->valuestring, wt) == 0 : !wt;
}

/* A Create delivered twice finds what the first made, as ELBv2's Create calls
 * do on AWS for the same name and settings (moto makes a second one or
 * refuses): the item of `op`'s answer list `member` whose settings `keys`
 * match `in`, detached, or NULL. */
static cJSON *made_before(cfn_aws *aws, const char *op, cJSON *look, const char *member,
                          const cJSON *in, const char *const (*keys)[2])
{
    cJSON *out = NULL, *found = NULL, *item;
    if (call(aws, op, look, &out) < 0) {
        cJSON_Delete(out);
        return NULL;
    }
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(out, member))
    {
        bool all = true;
        for (size_t i = 0; keys[i][0] && all; i++)
            all = same(item, in, keys[i][0], keys[i][1]);
        if (all) {
            found = cJSON_DetachItemViaPointer(cJSON_GetObjectItem(out, member), item);
            break;
        }
    }
    cJSON_Delete(out);
    return found;
}

/* A Create that failed after making `arn`: the reason kept (the AWS error
 * when none is set), the resource deleted, since a failed Create gets no
 * Delete. Returns -1. */
static int undo(cfn_ctx *ctx, cfn_aws *aws, const char *op, const char *member, const char *arn)
{
    if (!cfn_reason(ctx))
        cfn_fail(ctx, "%s", cfn_error_last());
    call(aws, op, with_arn(member, arn), NULL);
    return -1;
}

/* Deletes with `op`; a resource already gone (`missing`) is a success. */
static int delete_arn(cfn_ctx *ctx, const char *op, const char *member, const char *missing)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (strncmp(arn, "arn:", 4) != 0) {
        cfn_log(CFN_LOG_INFO, "%.100s is not an ARN: nothing to delete", arn);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = call(aws, op, with_arn(member, arn), NULL);
    if (rc < 0 && native_error_is(aws, missing))
        rc = 0;
    cfn_aws_free(aws);
    return rc;
}

/* ---- AWS::ElasticLoadBalancingV2::LoadBalancer ------------------------- */

static const char *const lb_props[] = {"IpAddressType",  "LoadBalancerAttributes",
                                       "Name",           "Scheme",
                                       "SecurityGroups", "SubnetMappings",
                                       "Subnets",        "Tags",
                                       "Type",           NULL};

/* Waits until the load balancer is active (moto: on its first read), then
 * answers with its attributes. */
static int lb_answer(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    for (;;) {
        cJSON *out = NULL;
        if (call(aws, "DescribeLoadBalancers",
                 cfnkit_json_item(cJSON_CreateObject(), "LoadBalancerArns",
                                  cJSON_CreateStringArray(&arn, 1)),
                 &out) < 0)
            return cfn_fail(ctx, "%s", cfn_error_last());
        cJSON *lb = cJSON_GetArrayItem(cJSON_GetObjectItem(out, "LoadBalancers"), 0);
        const char *state = cfn_json_string(cJSON_GetObjectItem(lb, "State"), "Code");
        if (state && strcmp(state, "active") == 0) {
            cJSON *groups = cJSON_DetachItemFromObject(lb, "SecurityGroups");
            int rc = cfn_set_data(ctx, "LoadBalancerArn", arn) < 0 ||
                             cfn_set_data(ctx, "LoadBalancerFullName",
                                          full_name(arn, ":loadbalancer/")) < 0 ||
                             cfn_set_data(ctx, "LoadBalancerName",
                                          cfn_json_string(lb, "LoadBalancerName")) < 0 ||
                             cfn_set_data(ctx, "DNSName", cfn_json_string(lb, "DNSName")) < 0 ||
                             cfn_set_data(ctx, "CanonicalHostedZoneID",
                                          cfn_json_string(lb, "CanonicalHostedZoneId")) < 0 ||
                             cfn_set_data_json(ctx, "SecurityGroups",
                                               groups ? groups : cJSON_CreateArray()) < 0
                         ? -1
                         : cfn_set_physical_id(ctx, arn);
            cJSON_Delete(out);
            return rc;
        }
        if (!lb || (state && strcmp(state, "failed") == 0)) {
            cJSON_Delete(out);
            return cfn_fail(ctx, "load balancer %s is %s", arn, lb ? "failed" : "gone");
        }
        cJSON_Delete(out);
        if (!native_poll_again(ctx))
            return cfn_fail(ctx, "load balancer %s is still %s", arn, state ? state : "unknown");
    }
}

static int lb_set_attributes(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    const cJSON *attrs = cJSON_GetObjectItem(cfn_request_props(ctx), "LoadBalancerAttributes");
    if (!attrs)
        return 0;
    cJSON *copy = cJSON_Duplicate(attrs, 1);
    const char *bad = NULL;
    if (copy && cfnkit_json_coerce(copy, NULL, NULL, strings, &bad) < 0) {
        cJSON_Delete(copy);
        return cfn_error_set(CFN_EINVAL, "LoadBalancerAttributes: a Value is not a string");
    }
    return call(aws, "ModifyLoadBalancerAttributes",
                cfnkit_json_item(with_arn("LoadBalancerArn", arn), "Attributes", copy), NULL);
}

static int lb_create(cfn_ctx *ctx)
{
    static const char *const skip[] = {"LoadBalancerAttributes", "Name", NULL};
    static const char *const keys[][2] = {
        {"Scheme", "internet-facing"}, {"Type", "application"}, {NULL, NULL}};
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, lb_props, skip)) || name_of(ctx, &name) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    const char *names[] = {name};
    out = made_before(
        aws, "DescribeLoadBalancers",
        cfnkit_json_item(cJSON_CreateObject(), "Names", cJSON_CreateStringArray(names, 1)),
        "LoadBalancers", in, keys);
    /* Failing without a reason answers with the AWS error. */
    if (!out) {
        rc = call(aws, "CreateLoadBalancer", cfnkit_json_strings(in, "Name", name, NULL), &out);
        in = NULL;
    }
    const cJSON *lb = cJSON_GetObjectItem(out, "LoadBalancers")
                          ? cJSON_GetArrayItem(cJSON_GetObjectItem(out, "LoadBalancers"), 0)
                          : out;
    const char *arn = cfn_json_string(lb, "LoadBalancerArn");
    if (!arn) {
        rc = out ? cfn_fail(ctx, "CreateLoadBalancer answered no ARN") : -1;
        goto done;
    }
    rc = 0;
    if (lb_set_attributes(ctx, aws, arn) < 0 || lb_answer(ctx, aws, arn) < 0)
        rc = undo(ctx, aws, "DeleteLoadBalancer", "LoadBalancerArn", arn);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int lb_update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, lb_props, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    static const char *const subnets[] = {"Subnets", "SubnetMappings", NULL};
    if ((cfn_prop_changed(ctx, "Subnets") || cfn_prop_changed(ctx, "SubnetMappings")) &&
        call(aws, "SetSubnets",
             cfnkit_json_strings(only(cJSON_Duplicate(in, 1), subnets), "LoadBalancerArn", arn,
                                 NULL),
             NULL) < 0)
        goto done;
    const cJSON *groups = cJSON_GetObjectItem(in, "SecurityGroups");
    if (cfn_prop_changed(ctx, "SecurityGroups") &&
        call(aws, "SetSecurityGroups",
             cfnkit_json_item(with_arn("LoadBalancerArn", arn), "SecurityGroups",
                              groups ? cJSON_Duplicate(groups, 1) : cJSON_CreateArray()),
             NULL) < 0)
        goto done;
    const char *ip = cfn_json_string(in, "IpAddressType");
    if (cfn_prop_changed(ctx, "IpAddressType") &&
        call(aws, "SetIpAddressType",
             cfnkit_json_strings(with_arn("LoadBalancerArn", arn), "IpAddressType",
                                 ip ? ip : "ipv4", NULL),
             NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "LoadBalancerAttributes") && lb_set_attributes(ctx, aws, arn) < 0)
        goto done;
    if (retag(ctx, aws, arn) < 0)
        goto done;
    rc = lb_answer(ctx, aws, arn);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int lb_remove(cfn_ctx *ctx)
{
    return delete_arn(ctx, "DeleteLoadBalancer", "LoadBalancerArn", "LoadBalancerNotFound");
}

static const char *const lb_replaces[] = {"Name", "Scheme", "Type", NULL};
static const char *const lb_attributes_list[] = {"CanonicalHostedZoneID",
                                                 "DNSName",
                                                 "LoadBalancerArn",
                                                 "LoadBalancerFullName",
                                                 "LoadBalancerName",
                                                 "SecurityGroups",
                                                 NULL};
static const char *const lb_write_only[] = {"EnableCapacityReservationProvisionStabilize", NULL};

static const cfn_resource_type load_balancer = {
    .type = "AWS::ElasticLoadBalancingV2::LoadBalancer",
    .create = lb_create,
    .update = lb_update,
    .remove = lb_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = lb_replaces,
    .attributes = lb_attributes_list,
    .write_only = lb_write_only,
};

/* ---- AWS::ElasticLoadBalancingV2::TargetGroup -------------------------- */

static const char *const tg_props[] = {"HealthCheckEnabled",
                                       "HealthCheckIntervalSeconds",
                                       "HealthCheckPath",
                                       "HealthCheckPort",
                                       "HealthCheckProtocol",
                                       "HealthCheckTimeoutSeconds",
                                       "HealthyThresholdCount",
                                       "IpAddressType",
                                       "Matcher",
                                       "Name",
                                       "Port",
                                       "Protocol",
                                       "ProtocolVersion",
                                       "Tags",
                                       "TargetGroupAttributes",
                                       "TargetType",
                                       "Targets",
                                       "UnhealthyThresholdCount",
                                       "VpcId",
                                       NULL};
/* What ModifyTargetGroup changes in place. */
static const char *const tg_health[] = {"HealthCheckEnabled",      "HealthCheckIntervalSeconds",
                                        "HealthCheckPath",         "HealthCheckPort",
                                        "HealthCheckProtocol",     "HealthCheckTimeoutSeconds",
                                        "HealthyThresholdCount",   "Matcher",
                                        "UnhealthyThresholdCount", NULL};

static int tg_answer(cfn_ctx *ctx, const cJSON *tg)
{
    const char *arn = cfn_json_string(tg, "TargetGroupArn");
    cJSON *lbs = cJSON_Duplicate(cJSON_GetObjectItem(tg, "LoadBalancerArns"), 1);
    if (!arn) {
        cJSON_Delete(lbs);
        return cfn_fail(ctx, "Elastic Load Balancing answered a target group without its ARN");
    }
    if (cfn_set_data(ctx, "TargetGroupArn", arn) < 0 ||
        cfn_set_data(ctx, "TargetGroupName", cfn_json_string(tg, "TargetGroupName")) < 0 ||
        cfn_set_data(ctx, "TargetGroupFullName", full_name(arn, ":targetgroup/")) < 0 ||
        cfn_set_data_json(ctx, "LoadBalancerArns", lbs ? lbs : cJSON_CreateArray()) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

/* The targets of `props` (a property list of {Id, Port, AvailabilityZone}). */
static cJSON *targets_of(const cJSON *props)
{
    const char *bad;
    cJSON *t = cJSON_Duplicate(cJSON_GetObjectItem(props, "Targets"), 1);
    if (t)
        cfnkit_json_coerce(t, ints, NULL, NULL, &bad);
    return t;
}

/* Registers the template's targets and deregisters those it dropped. */
static int tg_targets(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    cJSON *now = targets_of(cfn_request_props(ctx)),
          *old =
              cfn_request_action(ctx) == CFN_UPDATE ? targets_of(cfn_request_old_props(ctx)) : NULL;
    cJSON *gone = cJSON_CreateArray(), *t, *n;
    cJSON_ArrayForEach(t, old)
    {
        bool kept = false;
        cJSON_ArrayForEach(n, now)
        {
            kept |= cJSON_Compare(t, n, true);
        }
        if (!kept && gone)
            cJSON_AddItemToArray(gone, cJSON_Duplicate(t, 1));
    }
    int rc = 0;
    if (cJSON_GetArraySize(gone) > 0)
        rc = call(aws, "DeregisterTargets",
                  cfnkit_json_item(with_arn("TargetGroupArn", arn), "Targets", gone), NULL);
    else
        cJSON_Delete(gone);
    if (rc == 0 && cJSON_GetArraySize(now) > 0)
        rc = call(aws, "RegisterTargets",
                  cfnkit_json_item(with_arn("TargetGroupArn", arn), "Targets", now), NULL);
    else
        cJSON_Delete(now);
    cJSON_Delete(old);
    return rc;
}

static int tg_attributes(cfn_ctx *ctx, cfn_aws *aws, const char *arn)
{
    const cJSON *attrs = cJSON_GetObjectItem(cfn_request_props(ctx), "TargetGroupAttributes");
    const char *bad;
    if (!attrs)
        return 0;
    cJSON *copy = cJSON_Duplicate(attrs, 1);
    if (copy && cfnkit_json_coerce(copy, NULL, NULL, strings, &bad) < 0) {
        cJSON_Delete(copy);
        return cfn_error_set(CFN_EINVAL, "TargetGroupAttributes: a Value is not a string");
    }
    return call(aws, "ModifyTargetGroupAttributes",
                cfnkit_json_item(with_arn("TargetGroupArn", arn), "Attributes", copy), NULL);
}

static int tg_create(cfn_ctx *ctx)
{
    static const char *const skip[] = {"TargetGroupAttributes", "Targets", "Name", NULL};
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, tg_props, skip)) || name_of(ctx, &name) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    static const char *const keys[][2] = {{"Protocol", NULL},
                                          {"Port", NULL},
                                          {"VpcId", NULL},
                                          {"TargetType", "instance"},
                                          {NULL, NULL}};
    const char *names[] = {name};
    out = made_before(
        aws, "DescribeTargetGroups",
        cfnkit_json_item(cJSON_CreateObject(), "Names", cJSON_CreateStringArray(names, 1)),
        "TargetGroups", in, keys);
    /* Failing without a reason answers with the AWS error. */
    if (!out) {
        rc = call(aws, "CreateTargetGroup", cfnkit_json_strings(in, "Name", name, NULL), &out);
        in = NULL;
    }
    const cJSON *tg = cJSON_GetObjectItem(out, "TargetGroups")
                          ? cJSON_GetArrayItem(cJSON_GetObjectItem(out, "TargetGroups"), 0)
                          : out;
    const char *arn = cfn_json_string(tg, "TargetGroupArn");
    if (!arn) {
        rc = out ? cfn_fail(ctx, "CreateTargetGroup answered no ARN") : -1;
        goto done;
    }
    rc = 0;
    if (tg_attributes(ctx, aws, arn) < 0 || tg_targets(ctx, aws, arn) < 0 || tg_answer(ctx, tg) < 0)
        rc = undo(ctx, aws, "DeleteTargetGroup", "TargetGroupArn", arn);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    free(name);
    return rc;
}

static int tg_update(cfn_ctx *ctx)
{
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, tg_props, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    bool health = false;
    for (size_t i = 0; tg_health[i]; i++)
        health |= cfn_prop_changed(ctx, tg_health[i]);
    if (health && call(aws, "ModifyTargetGroup",
                       cfnkit_json_strings(only(cJSON_Duplicate(in, 1), tg_health),
                                           "TargetGroupArn", arn, NULL),
                       NULL) < 0)
        goto done;
    if ((cfn_prop_changed(ctx, "TargetGroupAttributes") && tg_attributes(ctx, aws, arn) < 0) ||
        (cfn_prop_changed(ctx, "Targets") && tg_targets(ctx, aws, arn) < 0) ||
        retag(ctx, aws, arn) < 0)
        goto done;
    if (call(aws, "DescribeTargetGroups",
             cfnkit_json_item(cJSON_CreateObject(), "TargetGroupArns",
                              cJSON_CreateStringArray(&arn, 1)),
             &out) < 0)
        goto done;
    rc = tg_answer(ctx, cJSON_GetArrayItem(cJSON_GetObjectItem(out, "TargetGroups"), 0));
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int tg_remove(cfn_ctx *ctx)
{
    return delete_arn(ctx, "DeleteTargetGroup", "TargetGroupArn", "TargetGroupNotFound");
}

static const char *const tg_replaces[] = {"IpAddressType",   "Name",       "Port",  "Protocol",
                                          "ProtocolVersion", "TargetType", "VpcId", NULL};
static const char *const tg_attributes_list[] = {"LoadBalancerArns", "TargetGroupArn",
                                                 "TargetGroupFullName", "TargetGroupName", NULL};

static const cfn_resource_type target_group = {
    .type = "AWS::ElasticLoadBalancingV2::TargetGroup",
    .create = tg_create,
    .update = tg_update,
    .remove = tg_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = tg_replaces,
    .attributes = tg_attributes_list,
};

/* ---- AWS::ElasticLoadBalancingV2::Listener ----------------------------- */

static const char *const listener_props[] = {
    "AlpnPolicy", "Certificates", "DefaultActions", "LoadBalancerArn",
    "Port",       "Protocol",     "SslPolicy",      "MutualAuthentication",
    NULL};

static int listener_answer(cfn_ctx *ctx, const char *arn)
{
    if (!arn)
        return cfn_fail(ctx, "Elastic Load Balancing answered a listener without its ARN");
    if (cfn_set_data(ctx, "ListenerArn", arn) < 0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int listener_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, listener_props, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* Failing without a reason answers with the AWS error. */
    rc = call(aws, "CreateListener", in, &out);
    in = NULL;
    if (rc == 0)
        rc = listener_answer(
            ctx, cfn_json_string(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Listeners"), 0),
                                 "ListenerArn"));
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int listener_update(cfn_ctx *ctx)
{
    static const char *const skip[] = {"LoadBalancerArn", NULL};
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, listener_props, skip)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* Failing without a reason answers with the AWS error. */
    rc = call(aws, "ModifyListener", cfnkit_json_strings(in, "ListenerArn", arn, NULL), NULL);
    in = NULL;
    if (rc == 0)
        rc = listener_answer(ctx, arn);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int listener_remove(cfn_ctx *ctx)
{
    return delete_arn(ctx, "DeleteListener", "ListenerArn", "ListenerNotFound");
}

static const char *const listener_replaces[] = {"LoadBalancerArn", NULL};
static const char *const listener_attributes[] = {"ListenerArn", NULL};
static const char *const listener_write_only[] = {"DefaultActions", NULL};

static const cfn_resource_type listener = {
    .type = "AWS::ElasticLoadBalancingV2::Listener",
    .create = listener_create,
    .update = listener_update,
    .remove = listener_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = listener_replaces,
    .attributes = listener_attributes,
    .write_only = listener_write_only,
};

/* ---- AWS::ElasticLoadBalancingV2::ListenerRule ------------------------- */

static const char *const rule_props[] = {"Actions", "Conditions", "ListenerArn", "Priority", NULL};

static int rule_answer(cfn_ctx *ctx, const cJSON *rule)
{
    const char *arn = cfn_json_string(rule, "RuleArn");
    if (!arn)
        return cfn_fail(ctx, "Elastic Load Balancing answered a rule without its ARN");
    if (cfn_set_data(ctx, "RuleArn", arn) < 0 ||
        cfn_set_data_json(ctx, "IsDefault",
                          cJSON_CreateBool(cJSON_IsTrue(cJSON_GetObjectItem(rule, "IsDefault")))) <
            0)
        return -1;
    return cfn_set_physical_id(ctx, arn);
}

static int rule_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, rule_props, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    /* Failing without a reason answers with the AWS error. */
    rc = call(aws, "CreateRule", in, &out);
    in = NULL;
    if (rc == 0)
        rc = rule_answer(ctx, cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Rules"), 0));
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int rule_update(cfn_ctx *ctx)
{
    static const char *const modified[] = {"Actions", "Conditions", NULL};
    const char *arn = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (!(in = input_of(ctx, rule_props, NULL)) || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Priority")) {
        cJSON *one = cfnkit_json_number(with_arn("RuleArn", arn), "Priority",
                                        cJSON_GetNumberValue(cJSON_GetObjectItem(in, "Priority"))),
              *list = cJSON_CreateArray();
        if (!one || !list || !cJSON_AddItemToArray(list, one)) {
            cJSON_Delete(one);
            cJSON_Delete(list);
            list = NULL;
        }
        if (call(aws, "SetRulePriorities",
                 cfnkit_json_item(cJSON_CreateObject(), "RulePriorities", list), NULL) < 0)
            goto done;
    }
    /* Failing without a reason answers with the AWS error. */
    if (call(aws, "ModifyRule",
             cfnkit_json_strings(only(cJSON_Duplicate(in, 1), modified), "RuleArn", arn, NULL),
             &out) < 0)
        goto done;
    rc = rule_answer(ctx, cJSON_GetArrayItem(cJSON_GetObjectItem(out, "Rules"), 0));
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int rule_remove(cfn_ctx *ctx)
{
    return delete_arn(ctx, "DeleteRule", "RuleArn", "RuleNotFound");
}

static const char *const rule_replaces[] = {"ListenerArn", NULL};
static const char *const rule_attributes[] = {"IsDefault", "RuleArn", NULL};
static const char *const rule_write_only[] = {"Actions", "ListenerArn", NULL};

static const cfn_resource_type listener_rule = {
    .type = "AWS::ElasticLoadBalancingV2::ListenerRule",
    .create = rule_create,
    .update = rule_update,
    .remove = rule_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = rule_replaces,
    .attributes = rule_attributes,
    .write_only = rule_write_only,
};

const cfn_resource_type *const cfnkit_native_elasticloadbalancingv2[] = {
    &load_balancer, &target_group, &listener, &listener_rule, NULL};
