/* AWS::ElasticLoadBalancing::LoadBalancer (a Classic Load Balancer) for the
 * local engine, through the Elastic Load Balancing (2012-06-01) query API.
 * Ref is the load balancer's name; Fn::GetAtt gives its DNS names, hosted
 * zone and source security group. */
#include <cfnkit/cfnkit.h>

#include <stdlib.h>
#include <string.h>

#include "aws/native.h"
#include "awsjson.h"

#define LB       "AWS::ElasticLoadBalancing::LoadBalancer"
#define MAX_NAME 32 /* a load balancer's name */

static const char *const supported[] = {
    "LoadBalancerName",
    "Listeners",
    "AvailabilityZones",
    "Subnets",
    "SecurityGroups",
    "Scheme",
    "HealthCheck",
    "CrossZone",
    "ConnectionDrainingPolicy",
    "ConnectionSettings",
    "Instances",
    "Tags",
    NULL,
};

/* Numbers and flags a template may give as strings. */
static const char *const ints[] = {
    "LoadBalancerPort",   "InstancePort",     "Interval",    "Timeout",
    "UnhealthyThreshold", "HealthyThreshold", "IdleTimeout", NULL};
static const char *const bools[] = {"Enabled", NULL};

static int call(cfn_ctx *ctx, cfn_aws *aws, const char *op, cJSON *in, cJSON **out)
{
    return native_call(ctx, aws, "elb", op, in, out);
}

static cJSON *named(const char *name)
{
    return cfnkit_json_strings(cJSON_CreateObject(), "LoadBalancerName", name, NULL);
}

/* A copy of property `name` of `props` typed as the API wants it (NULL
 * when absent: *bad false; on failure *bad true and the reason set). */
static cJSON *typed(cfn_ctx *ctx, const cJSON *props, const char *name, bool *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    const char *which = NULL;
    *bad = false;
    if (!v)
        return NULL;
    cJSON *copy = cJSON_Duplicate(v, true);
    if (!copy || cfnkit_json_coerce(copy, ints, bools, NULL, &which) < 0) {
        cJSON_Delete(copy);
        *bad = true;
        if (copy)
            cfn_fail(ctx, LB " property %s: %s has a value of the wrong type", name,
                     which ? which : "a member");
        else
            cfn_fail(ctx, "out of memory");
        return NULL;
    }
    return copy;
}

/* The Listeners: {LoadBalancerPort, InstancePort, Protocol, InstanceProtocol,
 * SSLCertificateId}; PolicyNames (listener policies) is refused. */
static cJSON *listeners(cfn_ctx *ctx, const cJSON *props)
{
    bool bad;
    cJSON *list = typed(ctx, props, "Listeners", &bad);
    const cJSON *l;
    if (!list) {
        if (!bad)
            cfn_fail(ctx, LB " property Listeners is required");
        return NULL;
    }
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
        cJSON_Delete(list);
        cfn_fail(ctx, LB " property Listeners must be a non-empty list");
        return NULL;
    }
    cJSON_ArrayForEach(l, list)
    {
        if (cJSON_GetObjectItemCaseSensitive(l, "PolicyNames")) {
            cJSON_Delete(list);
            cfn_fail(ctx, LB " property Listeners.PolicyNames is not supported by cfnkit's "
                             "local engine");
            return NULL;
        }
    }
    return list;
}

/* The strings of `a` that `b` does not list. */
static cJSON *minus(const cJSON *a, const cJSON *b)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *x, *y;
    cJSON_ArrayForEach(x, a)
    {
        bool found = false;
        cJSON_ArrayForEach(y, b)
        {
            found |= cJSON_IsString(x) && cJSON_IsString(y) &&
                     strcmp(x->valuestring, y->valuestring) == 0;
        }
        if (!found && out && cJSON_IsString(x) &&
            !cJSON_AddItemToArray(out, cJSON_CreateString(x->valuestring))) {
            cJSON_Delete(out);
            out = NULL;
        }
    }
    return out;
}

/* Instances as the API takes them: [{"InstanceId": id}]. */
static cJSON *instance_list(const cJSON *ids)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        cJSON *one = cJSON_IsString(id) ? cfnkit_json_strings(cJSON_CreateObject(), "InstanceId",
                                                              id->valuestring, NULL)
                                        : NULL;
        if (!out || !one || !cJSON_AddItemToArray(out, one)) {
            cJSON_Delete(one);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

/* {name: [..]} on the load balancer, when the list is not empty (an empty
 * `list` is freed; NULL is out of memory). */
static int list_call(cfn_ctx *ctx, cfn_aws *aws, const char *lb, const char *op, const char *member,
                     cJSON *list)
{
    if (!list)
        return cfn_fail(ctx, "out of memory");
    if (cJSON_GetArraySize(list) == 0) {
        cJSON_Delete(list);
        return 0;
    }
    return call(ctx, aws, op, cfnkit_json_item(named(lb), member, list), NULL);
}

static const cJSON *prop(const cJSON *props, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(props, name);
}

/* The instances: those added registered, those removed deregistered. */
static int instances(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    const cJSON *now = prop(cfn_request_props(ctx), "Instances");
    const cJSON *was = prop(cfn_request_old_props(ctx), "Instances");
    cJSON *gone = minus(was, now), *added = minus(now, was);
    int rc = list_call(ctx, aws, lb, "DeregisterInstancesFromLoadBalancer", "Instances",
                       gone ? instance_list(gone) : NULL);
    if (rc == 0)
        rc = list_call(ctx, aws, lb, "RegisterInstancesWithLoadBalancer", "Instances",
                       added ? instance_list(added) : NULL);
    cJSON_Delete(gone);
    cJSON_Delete(added);
    return rc;
}

/* A list property changed in place: the items removed with `drop`, the new
 * ones with `add` (zones, subnets). */
static int relist(cfn_ctx *ctx, cfn_aws *aws, const char *lb, const char *name, const char *add,
                  const char *drop)
{
    const cJSON *now = prop(cfn_request_props(ctx), name);
    const cJSON *was = prop(cfn_request_old_props(ctx), name);
    if (list_call(ctx, aws, lb, add, name, minus(now, was)) < 0)
        return -1;
    return list_call(ctx, aws, lb, drop, name, minus(was, now));
}

static int health_check(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    bool bad;
    cJSON *hc = typed(ctx, cfn_request_props(ctx), "HealthCheck", &bad);
    if (!hc)
        return bad ? -1
                   : cfn_fail(ctx, LB " property HealthCheck cannot be removed in place (a "
                                      "Classic Load Balancer always has one)");
    return call(ctx, aws, "ConfigureHealthCheck", cfnkit_json_item(named(lb), "HealthCheck", hc),
                NULL);
}

/* CrossZone, ConnectionDrainingPolicy and ConnectionSettings as the load
 * balancer's attributes; an absent one goes back to its default (cross-zone
 * off, draining off with 300 s, idle timeout 60 s). */
static int attributes(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    const cJSON *props = cfn_request_props(ctx);
    bool cross = false, bad = false;
    if (cfn_prop_bool_or(ctx, "CrossZone", false, &cross) < 0)
        return -1;
    cJSON *draining = typed(ctx, props, "ConnectionDrainingPolicy", &bad);
    if (bad)
        return -1;
    cJSON *settings = typed(ctx, props, "ConnectionSettings", &bad);
    if (bad) {
        cJSON_Delete(draining);
        return -1;
    }
    if (!draining) {
        draining = cJSON_CreateObject();
        if (draining && (!cJSON_AddBoolToObject(draining, "Enabled", false) ||
                         !cJSON_AddNumberToObject(draining, "Timeout", 300))) {
            cJSON_Delete(draining);
            draining = NULL;
        }
    }
    if (!settings)
        settings = cfnkit_json_number(cJSON_CreateObject(), "IdleTimeout", 60);
    cJSON *zone = cJSON_CreateObject();
    if (zone && !cJSON_AddBoolToObject(zone, "Enabled", cross)) {
        cJSON_Delete(zone);
        zone = NULL;
    }
    cJSON *attrs = cfnkit_json_item(
        cfnkit_json_item(cfnkit_json_item(cJSON_CreateObject(), "CrossZoneLoadBalancing", zone),
                         "ConnectionDraining", draining),
        "ConnectionSettings", settings);
    return call(ctx, aws, "ModifyLoadBalancerAttributes",
                cfnkit_json_item(named(lb), "LoadBalancerAttributes", attrs), NULL);
}

/* Ref and every Fn::GetAtt from DescribeLoadBalancers. */
static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    cJSON *names = cJSON_CreateArray(), *out = NULL;
    if (names && !cJSON_AddItemToArray(names, cJSON_CreateString(lb))) {
        cJSON_Delete(names);
        names = NULL;
    }
    if (call(ctx, aws, "DescribeLoadBalancers",
             cfnkit_json_item(cJSON_CreateObject(), "LoadBalancerNames", names), &out) < 0)
        return -1;
    const cJSON *d =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(out, "LoadBalancerDescriptions"), 0);
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(d, "SourceSecurityGroup");
    const struct {
        const char *key;
        const char *value;
    } data[] = {
        {"Id", lb},
        {"DNSName", cfn_json_string(d, "DNSName")},
        {"CanonicalHostedZoneName", cfn_json_string(d, "CanonicalHostedZoneName")},
        {"CanonicalHostedZoneNameID", cfn_json_string(d, "CanonicalHostedZoneNameID")},
        {"SourceSecurityGroup.GroupName", cfn_json_string(sg, "GroupName")},
        {"SourceSecurityGroup.OwnerAlias", cfn_json_string(sg, "OwnerAlias")},
    };
    int rc = d ? 0 : cfn_fail(ctx, LB ": DescribeLoadBalancers does not list %s", lb);
    /* An attribute the answer lacks (moto gives no CanonicalHostedZoneNameID)
     * is left out: an Fn::GetAtt of it fails in the engine, naming it. */
    for (size_t i = 0; rc == 0 && i < sizeof(data) / sizeof(*data); i++)
        if (data[i].value)
            rc = cfn_set_data(ctx, data[i].key, data[i].value);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, lb);
    cJSON_Delete(out);
    return rc;
}

static int create_lb(cfn_ctx *ctx)
{
    const cJSON *props = cfn_request_props(ctx);
    const char *given;
    char *name = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 ||
        cfn_prop_string_or(ctx, "LoadBalancerName", NULL, &given) < 0)
        return -1;
    if (given ? !(name = strdup(given)) : native_name(ctx, MAX_NAME, 0, &name) < 0)
        return given ? cfn_fail(ctx, "out of memory") : -1;
    cJSON *in = named(name);
    cJSON *list = listeners(ctx, props);
    if (!list) {
        cJSON_Delete(in);
        goto done;
    }
    in = cfnkit_json_item(in, "Listeners", list);
    const char *copied[] = {"AvailabilityZones", "Subnets", "SecurityGroups", "Scheme", "Tags"};
    for (size_t i = 0; i < sizeof(copied) / sizeof(*copied); i++)
        if (prop(props, copied[i]))
            in = cfnkit_json_item(in, copied[i], cJSON_Duplicate(prop(props, copied[i]), true));
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        goto done;
    }
    if (call(ctx, aws, "CreateLoadBalancer", in, NULL) < 0 || cfn_set_physical_id(ctx, name) < 0 ||
        (prop(props, "HealthCheck") && health_check(ctx, aws, name) < 0) ||
        ((prop(props, "CrossZone") || prop(props, "ConnectionDrainingPolicy") ||
          prop(props, "ConnectionSettings")) &&
         attributes(ctx, aws, name) < 0) ||
        instances(ctx, aws, name) < 0)
        goto done;
    rc = answer(ctx, aws, name);
done:
    cfn_aws_free(aws);
    free(name);
    return rc;
}

/* Listeners are replaced whole: the old ports deleted, the new listeners
 * created. */
static int relisten(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    bool bad;
    cJSON *old = typed(ctx, cfn_request_old_props(ctx), "Listeners", &bad);
    cJSON *ports = cJSON_CreateArray();
    const cJSON *l;
    if (bad) {
        cJSON_Delete(ports);
        return -1;
    }
    cJSON_ArrayForEach(l, old)
    {
        const cJSON *port = cJSON_GetObjectItemCaseSensitive(l, "LoadBalancerPort");
        if (ports && cJSON_IsNumber(port) &&
            !cJSON_AddItemToArray(ports, cJSON_CreateNumber(port->valuedouble))) {
            cJSON_Delete(ports);
            ports = NULL;
        }
    }
    cJSON_Delete(old);
    cJSON *now = listeners(ctx, cfn_request_props(ctx));
    if (!now) {
        cJSON_Delete(ports);
        return -1;
    }
    if (list_call(ctx, aws, lb, "DeleteLoadBalancerListeners", "LoadBalancerPorts", ports) < 0) {
        cJSON_Delete(now);
        return -1;
    }
    return call(ctx, aws, "CreateLoadBalancerListeners",
                cfnkit_json_item(named(lb), "Listeners", now), NULL);
}

/* The tags: keys gone or changed removed, new values added. */
static int retag(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    cJSON *untag = NULL, *tag = NULL, *keys = cJSON_CreateArray();
    const cJSON *k;
    if (native_tag_changes(ctx, "Tags", &untag, &tag) < 0) {
        cJSON_Delete(keys);
        return -1;
    }
    cJSON_ArrayForEach(k, untag)
    {
        cJSON *one = cJSON_IsString(k)
                         ? cfnkit_json_strings(cJSON_CreateObject(), "Key", k->valuestring, NULL)
                         : NULL;
        if (!keys || !one || !cJSON_AddItemToArray(keys, one)) {
            cJSON_Delete(one);
            cJSON_Delete(keys);
            keys = NULL;
            break;
        }
    }
    cJSON_Delete(untag);
    cJSON *names = cJSON_CreateArray();
    if (names && !cJSON_AddItemToArray(names, cJSON_CreateString(lb))) {
        cJSON_Delete(names);
        names = NULL;
    }
    int rc = 0;
    if (!keys || !tag || !names)
        rc = cfn_fail(ctx, "out of memory");
    if (rc == 0 && cJSON_GetArraySize(keys) > 0)
        rc = call(ctx, aws, "RemoveTags",
                  cfnkit_json_item(cfnkit_json_item(cJSON_CreateObject(), "LoadBalancerNames",
                                                    cJSON_Duplicate(names, true)),
                                   "Tags", keys),
                  NULL);
    else
        cJSON_Delete(keys);
    if (rc == 0 && cJSON_GetArraySize(tag) > 0)
        rc = call(ctx, aws, "AddTags",
                  cfnkit_json_item(cfnkit_json_item(cJSON_CreateObject(), "LoadBalancerNames",
                                                    cJSON_Duplicate(names, true)),
                                   "Tags", tag),
                  NULL);
    else
        cJSON_Delete(tag);
    cJSON_Delete(names);
    return rc;
}

/* The security groups, replaced whole; a load balancer in a VPC always has
 * some, so the property cannot be removed in place. */
static int security_groups(cfn_ctx *ctx, cfn_aws *aws, const char *lb)
{
    const cJSON *groups = prop(cfn_request_props(ctx), "SecurityGroups");
    if (!cJSON_IsArray(groups) || cJSON_GetArraySize(groups) == 0)
        return cfn_fail(ctx, LB " property SecurityGroups cannot be removed in place");
    return list_call(ctx, aws, lb, "ApplySecurityGroupsToLoadBalancer", "SecurityGroups",
                     cJSON_Duplicate(groups, true));
}

/* LoadBalancerName and Scheme are create-only: the engine replaces. */
static int update_lb(cfn_ctx *ctx)
{
    const char *lb = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if ((!cfn_prop_changed(ctx, "Listeners") || relisten(ctx, aws, lb) == 0) &&
        (!cfn_prop_changed(ctx, "AvailabilityZones") ||
         relist(ctx, aws, lb, "AvailabilityZones", "EnableAvailabilityZonesForLoadBalancer",
                "DisableAvailabilityZonesForLoadBalancer") == 0) &&
        (!cfn_prop_changed(ctx, "Subnets") ||
         relist(ctx, aws, lb, "Subnets", "AttachLoadBalancerToSubnets",
                "DetachLoadBalancerFromSubnets") == 0) &&
        (!cfn_prop_changed(ctx, "SecurityGroups") || security_groups(ctx, aws, lb) == 0) &&
        (!cfn_prop_changed(ctx, "HealthCheck") || health_check(ctx, aws, lb) == 0) &&
        (!(cfn_prop_changed(ctx, "CrossZone") ||
           cfn_prop_changed(ctx, "ConnectionDrainingPolicy") ||
           cfn_prop_changed(ctx, "ConnectionSettings")) ||
         attributes(ctx, aws, lb) == 0) &&
        (!cfn_prop_changed(ctx, "Instances") || instances(ctx, aws, lb) == 0) &&
        (!cfn_prop_changed(ctx, "Tags") || retag(ctx, aws, lb) == 0))
        rc = answer(ctx, aws, lb);
    cfn_aws_free(aws);
    return rc;
}

static int remove_lb(cfn_ctx *ctx)
{
    return native_delete(ctx, "elb", "DeleteLoadBalancer", named(cfn_request_physical_id(ctx)),
                         "LoadBalancerNotFound");
}

static const char *const replaces[] = {"LoadBalancerName", "Scheme", NULL};
static const char *const attributes_out[] = {"Id",
                                             "CanonicalHostedZoneName",
                                             "CanonicalHostedZoneNameID",
                                             "SourceSecurityGroup.GroupName",
                                             "DNSName",
                                             "SourceSecurityGroup.OwnerAlias",
                                             NULL};

static const cfn_resource_type lb_type = {
    .type = LB,
    .create = create_lb,
    .update = update_lb,
    .remove = remove_lb,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes_out,
};

const cfn_resource_type *const cfnkit_native_elasticloadbalancing[] = {&lb_type, NULL};
