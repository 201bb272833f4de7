/* AWS::EC2::Volume, ::FlowLog, ::VPCEndpointService and
 * ::VPCEndpointServicePermissions. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <string.h>

#define ID_SIZE 256

static int oom(cfn_ctx *ctx)
{
    return cfn_fail(ctx, "out of memory");
}

/* ---- AWS::EC2::Volume ---- */

static const char *const volume_props[] = {"AutoEnableIO", "AvailabilityZone", "Encrypted",
                                           "Iops",         "KmsKeyId",         "MultiAttachEnabled",
                                           "Size",         "SnapshotId",       "Tags",
                                           "Throughput",   "VolumeType",       NULL};

static int volume_auto_io(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    cJSON *value = cJSON_CreateObject();
    if (!value || cfnkit_ec2_bool(ctx, value, "Value", "AutoEnableIO") < 0) {
        cJSON_Delete(value);
        return cfn_reason(ctx) ? -1 : oom(ctx);
    }
    return cfnkit_ec2_call(
        aws, "ModifyVolumeAttribute",
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "VolumeId", id, NULL),
                         "AutoEnableIO", value),
        NULL);
}

static int volume_wait(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    static const char *const failed[] = {"error", "deleting", "deleted", NULL};
    cJSON *ids = cfnkit_ec2_ids("VolumeIds", id);
    int rc = ids ? cfnkit_ec2_wait(ctx, aws, "the volume", "DescribeVolumes", ids,
                                   "Volumes.0.State", "available", failed, NULL, NULL)
                 : oom(ctx);
    cJSON_Delete(ids);
    return rc;
}

static int volume_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, volume_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "AvailabilityZone", "AvailabilityZone", true) < 0 ||
        cfnkit_ec2_int(ctx, in, "Size", "Size") < 0 ||
        cfnkit_ec2_str(ctx, in, "SnapshotId", "SnapshotId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "VolumeType", "VolumeType", false) < 0 ||
        cfnkit_ec2_int(ctx, in, "Iops", "Iops") < 0 ||
        cfnkit_ec2_int(ctx, in, "Throughput", "Throughput") < 0 ||
        cfnkit_ec2_bool(ctx, in, "Encrypted", "Encrypted") < 0 ||
        cfnkit_ec2_str(ctx, in, "KmsKeyId", "KmsKeyId", false) < 0 ||
        cfnkit_ec2_bool(ctx, in, "MultiAttachEnabled", "MultiAttachEnabled") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "volume") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateVolume", in, "VolumeId", "VolumeId", id, sizeof(id));
    in = NULL;
    if (rc == 0)
        rc = volume_wait(ctx, aws, id) < 0 ||
                     (cfn_prop_has(ctx, "AutoEnableIO") && volume_auto_io(ctx, aws, id) < 0)
                 ? -1
                 : 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

/* Size, type, IOPS and throughput change with ModifyVolume (an elastic
 * volume modification); the rest this engine does not change. */
static int volume_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"AvailabilityZone", "Encrypted",          "KmsKeyId",
                                        "SnapshotId",       "MultiAttachEnabled", NULL};
    static const char *const elastic[] = {"Size", "VolumeType", "Iops", "Throughput", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    bool modify = false;
    if (native_check_props(ctx, volume_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (!(in = cfnkit_json_strings(cJSON_CreateObject(), "VolumeId", id, NULL))) {
        rc = oom(ctx);
        goto done;
    }
    for (size_t i = 0; elastic[i]; i++)
        if (cfn_prop_changed(ctx, elastic[i])) {
            modify = true;
            if ((strcmp(elastic[i], "VolumeType") == 0
                     ? cfnkit_ec2_str(ctx, in, elastic[i], elastic[i], false)
                     : cfnkit_ec2_int(ctx, in, elastic[i], elastic[i])) < 0)
                goto done;
        }
    if (modify) {
        rc = cfnkit_ec2_call(aws, "ModifyVolume", in, NULL);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
    }
    if ((cfn_prop_changed(ctx, "AutoEnableIO") && cfn_prop_has(ctx, "AutoEnableIO") &&
         volume_auto_io(ctx, aws, id) < 0) ||
        cfnkit_ec2_retag(ctx, aws, id) < 0 || cfn_set_data(ctx, "VolumeId", id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int volume_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteVolume", "VolumeId", "vol-");
}

static const char *const volume_attrs[] = {"VolumeId", NULL};

const cfn_resource_type cfnkit_ec2_volume = {
    .type = "AWS::EC2::Volume",
    .create = volume_create,
    .update = volume_update,
    .remove = volume_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = volume_attrs,
};

/* ---- AWS::EC2::FlowLog ---- */

static const char *const flow_props[] = {"DeliverLogsPermissionArn",
                                         "LogDestination",
                                         "LogDestinationType",
                                         "LogFormat",
                                         "LogGroupName",
                                         "MaxAggregationInterval",
                                         "ResourceId",
                                         "ResourceType",
                                         "Tags",
                                         "TrafficType",
                                         NULL};

/* The first failure of a batch call's Unsuccessful list, as the reason. */
static int unsuccessful(cfn_ctx *ctx, const char *op, const cJSON *out, bool not_found_ok)
{
    const char *code = cfnkit_ec2_get_string(out, "Unsuccessful.0.Error.Code");
    const char *message = cfnkit_ec2_get_string(out, "Unsuccessful.0.Error.Message");
    if (!code && !message)
        return 0;
    if (not_found_ok && code && strstr(code, "NotFound"))
        return 0;
    return cfn_fail(ctx, "EC2 %s: %s: %s", op, code ? code : "failed", message ? message : "");
}

static int flow_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL, *ids;
    const char *resource;
    int rc = -1;
    if (native_check_props(ctx, flow_props) < 0 || !in ||
        cfn_prop_string(ctx, "ResourceId", &resource) < 0 ||
        !(ids = cJSON_AddArrayToObject(in, "ResourceIds")) ||
        !cJSON_AddItemToArray(ids, cJSON_CreateString(resource)) ||
        cfnkit_ec2_str(ctx, in, "ResourceType", "ResourceType", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "TrafficType", "TrafficType", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "LogDestinationType", "LogDestinationType", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "LogDestination", "LogDestination", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "LogGroupName", "LogGroupName", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "DeliverLogsPermissionArn", "DeliverLogsPermissionArn", false) <
            0 ||
        cfnkit_ec2_str(ctx, in, "LogFormat", "LogFormat", false) < 0 ||
        cfnkit_ec2_int(ctx, in, "MaxAggregationInterval", "MaxAggregationInterval") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "vpc-flow-log") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0) {
        if (!cfn_reason(ctx))
            oom(ctx);
        goto done;
    }
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "CreateFlowLogs", in, &out);
    in = NULL;
    if (rc < 0 || (rc = unsuccessful(ctx, "CreateFlowLogs", out, false)) < 0)
        goto done;
    const char *id = cfnkit_ec2_get_string(out, "FlowLogIds.0");
    rc = !id                                ? cfn_fail(ctx, "EC2 CreateFlowLogs made no flow log")
         : cfn_set_physical_id(ctx, id) < 0 ? -1
                                            : cfn_set_data(ctx, "Id", id);
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int flow_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, flow_props, "Id");
}

static int flow_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    cJSON *out = NULL;
    if (strncmp(id, "fl-", 3) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_call(aws, "DeleteFlowLogs", cfnkit_ec2_ids("FlowLogIds", id), &out);
    if (rc < 0 && cfnkit_ec2_gone(aws))
        rc = 0;
    else if (rc == 0)
        rc = unsuccessful(ctx, "DeleteFlowLogs", out, true);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const flow_replaces[] = {"DeliverCrossAccountRole",
                                            "DeliverLogsPermissionArn",
                                            "LogGroupName",
                                            "LogDestination",
                                            "ResourceId",
                                            "TrafficType",
                                            "LogDestinationType",
                                            "ResourceType",
                                            "LogFormat",
                                            "MaxAggregationInterval",
                                            "DestinationOptions",
                                            NULL};
static const char *const flow_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_flow_log = {
    .type = "AWS::EC2::FlowLog",
    .create = flow_create,
    .update = flow_update,
    .remove = flow_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = flow_replaces,
    .attributes = flow_attrs,
};

/* ---- AWS::EC2::VPCEndpointService ---- */

static const char *const svc_props[] = {"AcceptanceRequired",
                                        "GatewayLoadBalancerArns",
                                        "NetworkLoadBalancerArns",
                                        "SupportedIpAddressTypes",
                                        "Tags",
                                        NULL};

static int svc_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, svc_props) < 0 || !in ||
        cfnkit_ec2_bool(ctx, in, "AcceptanceRequired", "AcceptanceRequired") < 0 ||
        cfnkit_ec2_strings(ctx, in, "NetworkLoadBalancerArns", "NetworkLoadBalancerArns") < 0 ||
        cfnkit_ec2_strings(ctx, in, "GatewayLoadBalancerArns", "GatewayLoadBalancerArns") < 0 ||
        cfnkit_ec2_strings(ctx, in, "SupportedIpAddressTypes", "SupportedIpAddressTypes") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "vpc-endpoint-service") < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateVpcEndpointServiceConfiguration", in,
                           "ServiceConfiguration.ServiceId", "ServiceId", id, sizeof(id));
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int svc_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "ServiceId", id, NULL);
    int rc = -1;
    if (native_check_props(ctx, svc_props) < 0)
        goto done;
    if (!in) {
        rc = oom(ctx);
        goto done;
    }
    if ((cfn_prop_changed(ctx, "AcceptanceRequired") &&
         cfnkit_ec2_bool(ctx, in, "AcceptanceRequired", "AcceptanceRequired") < 0) ||
        cfnkit_ec2_list_changes(ctx, in, "NetworkLoadBalancerArns") < 0 ||
        cfnkit_ec2_list_changes(ctx, in, "GatewayLoadBalancerArns") < 0 ||
        cfnkit_ec2_list_changes(ctx, in, "SupportedIpAddressTypes") < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cJSON_GetArraySize(in) > 1) {
        rc = cfnkit_ec2_call(aws, "ModifyVpcEndpointServiceConfiguration", in, NULL);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
    }
    if (cfnkit_ec2_retag(ctx, aws, id) < 0 || cfn_set_data(ctx, "ServiceId", id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int svc_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    cJSON *out = NULL;
    if (strncmp(id, "vpce-svc-", 9) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_call(aws, "DeleteVpcEndpointServiceConfigurations",
                             cfnkit_ec2_ids("ServiceIds", id), &out);
    if (rc < 0 && cfnkit_ec2_gone(aws))
        rc = 0;
    else if (rc == 0)
        rc = unsuccessful(ctx, "DeleteVpcEndpointServiceConfigurations", out, true);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const svc_write_only[] = {"ContributorInsightsEnabled", NULL};
static const char *const svc_attrs[] = {"ServiceId", NULL};

const cfn_resource_type cfnkit_ec2_vpc_endpoint_service = {
    .type = "AWS::EC2::VPCEndpointService",
    .create = svc_create,
    .update = svc_update,
    .remove = svc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = svc_attrs,
    .write_only = svc_write_only,
};

/* ---- AWS::EC2::VPCEndpointServicePermissions ---- */

/* The principals allowed to connect to a service; its physical id is the
 * service's id (the schema's primary identifier). */
static const char *const perm_props[] = {"AllowedPrincipals", "ServiceId", NULL};

static int perm_put(cfn_ctx *ctx)
{
    const char *service;
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (native_check_props(ctx, perm_props) < 0 || cfn_prop_string(ctx, "ServiceId", &service) < 0)
        return -1;
    if (!(in = cfnkit_json_strings(cJSON_CreateObject(), "ServiceId", service, NULL)))
        return oom(ctx);
    if (cfn_request_action(ctx) == CFN_CREATE
            ? cfnkit_ec2_strings(ctx, in, "AddAllowedPrincipals", "AllowedPrincipals") < 0
            : cfnkit_ec2_list_changes(ctx, in, "AllowedPrincipals") < 0)
        goto done;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cJSON_GetArraySize(in) > 1) {
        rc = cfnkit_ec2_call(aws, "ModifyVpcEndpointServicePermissions", in, NULL);
        in = NULL;
        if (rc < 0)
            goto done;
    }
    rc = cfn_set_physical_id(ctx, service);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int perm_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    cJSON *in;
    if (strncmp(id, "vpce-svc-", 9) != 0 || !cfn_prop_has(ctx, "AllowedPrincipals"))
        return 0; /* nothing was allowed */
    if (!(in = cfnkit_json_strings(cJSON_CreateObject(), "ServiceId", id, NULL)))
        return oom(ctx);
    if (cfnkit_ec2_strings(ctx, in, "RemoveAllowedPrincipals", "AllowedPrincipals") < 0) {
        cJSON_Delete(in);
        return -1;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = cfnkit_ec2_delete(ctx, aws, "ModifyVpcEndpointServicePermissions", in);
    cfn_aws_free(aws);
    return rc;
}

static const char *const perm_replaces[] = {"ServiceId", NULL};

const cfn_resource_type cfnkit_ec2_vpc_endpoint_service_permissions = {
    .type = "AWS::EC2::VPCEndpointServicePermissions",
    .create = perm_put,
    .update = perm_put,
    .remove = perm_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = perm_replaces,
};
