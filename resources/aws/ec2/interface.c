/* AWS::EC2::NetworkInterface and ::VPCPeeringConnection. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_SIZE 256

static int oom(cfn_ctx *ctx)
{
    return cfn_fail(ctx, "out of memory");
}

/* ---- AWS::EC2::NetworkInterface ---- */

static const char *const eni_props[] = {"Description",
                                        "GroupSet",
                                        "InterfaceType",
                                        "Ipv6AddressCount",
                                        "Ipv6Addresses",
                                        "PrivateIpAddress",
                                        "PrivateIpAddresses",
                                        "SecondaryPrivateIpAddressCount",
                                        "SourceDestCheck",
                                        "SubnetId",
                                        "Tags",
                                        NULL};

static int eni_read(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    static const char *const data[] = {"Id",
                                       "NetworkInterfaces.0.NetworkInterfaceId",
                                       "PrimaryPrivateIpAddress",
                                       "NetworkInterfaces.0.PrivateIpAddress",
                                       "VpcId",
                                       "NetworkInterfaces.0.VpcId",
                                       "PrimaryIpv6Address",
                                       "NetworkInterfaces.0.Ipv6Address",
                                       "PublicIpDnsNameOptions",
                                       "NetworkInterfaces.0.PublicIpDnsNameOptions",
                                       NULL};
    cJSON *ans = NULL, *secondary = cJSON_CreateArray();
    const cJSON *a;
    int rc = -1;
    if (!secondary)
        return oom(ctx);
    if (cfnkit_ec2_call(aws, "DescribeNetworkInterfaces", cfnkit_ec2_ids("NetworkInterfaceIds", id),
                        &ans) < 0 ||
        cfnkit_ec2_data(ctx, ans, data) < 0)
        goto done;
    cJSON_ArrayForEach(a, cfnkit_ec2_get(ans, "NetworkInterfaces.0.PrivateIpAddresses"))
    {
        const char *ip = cfn_json_string(a, "PrivateIpAddress");
        if (ip && !cJSON_IsTrue(cJSON_GetObjectItem(a, "Primary")) &&
            !cJSON_AddItemToArray(secondary, cJSON_CreateString(ip))) {
            rc = oom(ctx);
            goto done;
        }
    }
    rc = cfn_set_data_json(ctx, "SecondaryPrivateIpAddresses", secondary);
    secondary = NULL;
done:
    cJSON_Delete(secondary);
    cJSON_Delete(ans);
    return rc;
}

/* ModifyNetworkInterfaceAttribute of Description {Value} or SourceDestCheck
 * {Value}, when the property is given (Create) or changed (Update). */
static int eni_attribute(cfn_ctx *ctx, cfn_aws *aws, const char *id, const char *name, bool boolean)
{
    if (!cfn_prop_has(ctx, name) ||
        (cfn_request_action(ctx) == CFN_UPDATE && !cfn_prop_changed(ctx, name)))
        return 0;
    cJSON *value = cJSON_CreateObject();
    if (!value || (boolean ? cfnkit_ec2_bool(ctx, value, "Value", name)
                           : cfnkit_ec2_str(ctx, value, "Value", name, true)) < 0) {
        cJSON_Delete(value);
        return cfn_reason(ctx) ? -1 : oom(ctx);
    }
    return cfnkit_ec2_call(
        aws, "ModifyNetworkInterfaceAttribute",
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "NetworkInterfaceId", id, NULL),
                         name, value),
        NULL);
}

static int eni_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, eni_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "SubnetId", "SubnetId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "Description", "Description", false) < 0 ||
        cfnkit_ec2_strings(ctx, in, "Groups", "GroupSet") < 0 ||
        cfnkit_ec2_str(ctx, in, "PrivateIpAddress", "PrivateIpAddress", false) < 0 ||
        cfnkit_ec2_json(ctx, in, "PrivateIpAddresses", "PrivateIpAddresses") < 0 ||
        cfnkit_ec2_int(ctx, in, "SecondaryPrivateIpAddressCount",
                       "SecondaryPrivateIpAddressCount") < 0 ||
        cfnkit_ec2_int(ctx, in, "Ipv6AddressCount", "Ipv6AddressCount") < 0 ||
        cfnkit_ec2_json(ctx, in, "Ipv6Addresses", "Ipv6Addresses") < 0 ||
        cfnkit_ec2_str(ctx, in, "InterfaceType", "InterfaceType", false) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "network-interface") < 0 || cfnkit_ec2_token(ctx, in) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateNetworkInterface", in,
                           "NetworkInterface.NetworkInterfaceId", NULL, id, sizeof(id));
    in = NULL;
    if (rc == 0)
        rc = eni_attribute(ctx, aws, id, "SourceDestCheck", true) < 0 || eni_read(ctx, aws, id) < 0
                 ? -1
                 : 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int eni_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"PrivateIpAddresses", "SecondaryPrivateIpAddressCount",
                                        "Ipv6AddressCount", "Ipv6Addresses", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, eni_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "GroupSet")) {
        cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "NetworkInterfaceId", id, NULL);
        if (!in || cfnkit_ec2_strings(ctx, in, "Groups", "GroupSet") < 0) {
            cJSON_Delete(in);
            rc = cfn_reason(ctx) ? -1 : oom(ctx);
            goto done;
        }
        if (cfnkit_ec2_call(aws, "ModifyNetworkInterfaceAttribute", in, NULL) < 0)
            goto done;
    }
    if (eni_attribute(ctx, aws, id, "Description", false) < 0 ||
        eni_attribute(ctx, aws, id, "SourceDestCheck", true) < 0 ||
        cfnkit_ec2_retag(ctx, aws, id) < 0 || eni_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cfn_aws_free(aws);
    return rc;
}

static int eni_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteNetworkInterface", "NetworkInterfaceId", "eni-");
}

static const char *const eni_replaces[] = {"PrivateIpAddress", "InterfaceType", "SubnetId", NULL};
static const char *const eni_conditional[] = {"PrivateIpAddresses", "EnablePrimaryIpv6",
                                              "ConnectionTrackingSpecification", NULL};
static const char *const eni_write_only[] = {"PublicIpDnsHostnameTypeSpecification", NULL};
static const char *const eni_attrs[] = {"Id",
                                        "SecondaryPrivateIpAddresses",
                                        "PrimaryPrivateIpAddress",
                                        "PrimaryIpv6Address",
                                        "VpcId",
                                        "PublicIpDnsNameOptions",
                                        NULL};

const cfn_resource_type cfnkit_ec2_network_interface = {
    .type = "AWS::EC2::NetworkInterface",
    .create = eni_create,
    .update = eni_update,
    .remove = eni_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = eni_replaces,
    .attributes = eni_attrs,
    .replaces_conditional = eni_conditional,
    .write_only = eni_write_only,
};

/* ---- AWS::EC2::VPCPeeringConnection ---- */

/* Peering in one account and region: CloudFormation accepts the request it
 * makes. Across accounts it assumes PeerRoleArn to accept, which this
 * engine does not: such a peering is refused. */
static const char *const peer_props[] = {"PeerOwnerId", "PeerRegion", "PeerVpcId",
                                         "Tags",        "VpcId",      NULL};

static bool peer_pending(cfn_aws *aws, const cJSON *ids)
{
    cJSON *ans = NULL;
    bool pending = cfn_aws_call(aws, "ec2", "DescribeVpcPeeringConnections", ids, &ans) == 0 &&
                   strcmp(cfnkit_ec2_get_string(ans, "VpcPeeringConnections.0.Status.Code")
                              ? cfnkit_ec2_get_string(ans, "VpcPeeringConnections.0.Status.Code")
                              : "",
                          "pending-acceptance") == 0;
    cJSON_Delete(ans);
    return pending;
}

static int peer_create(cfn_ctx *ctx)
{
    static const char *const failed[] = {"failed", "rejected", "expired", "deleted", NULL};
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *ids = NULL;
    char id[ID_SIZE], *account = NULL;
    const char *owner, *region;
    int rc = -1;
    if (native_check_props(ctx, peer_props) < 0 || !in ||
        cfn_prop_string_or(ctx, "PeerOwnerId", NULL, &owner) < 0 ||
        cfn_prop_string_or(ctx, "PeerRegion", NULL, &region) < 0 ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "PeerVpcId", "PeerVpcId", true) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "vpc-peering-connection") < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (region && strcmp(region, cfn_aws_region(aws)) != 0) {
        rc = cfn_fail(ctx,
                      "a peering with a VPC of another region (%s) is not supported by "
                      "cfnkit's local engine",
                      region);
        goto done;
    }
    if (owner) {
        if (cfn_sts_get_caller_identity(aws, &account, NULL) < 0)
            goto done;
        if (strcmp(owner, account) != 0) {
            rc = cfn_fail(ctx,
                          "a peering with a VPC of another account (%s) is not supported by "
                          "cfnkit's local engine (CloudFormation accepts it through PeerRoleArn)",
                          owner);
            goto done;
        }
    }
    int made = cfnkit_ec2_create_once(
        ctx, aws, "CreateVpcPeeringConnection", in, "VpcPeeringConnection.VpcPeeringConnectionId",
        "DescribeVpcPeeringConnections", "VpcPeeringConnections.0.VpcPeeringConnectionId", "Id", id,
        sizeof(id));
    in = NULL;
    if (made < 0)
        goto done;
    if (!(ids = cfnkit_ec2_ids("VpcPeeringConnectionIds", id))) {
        rc = oom(ctx);
        goto done;
    }
    /* A connection found from an earlier delivery may be accepted already. */
    if ((made == 0 || peer_pending(aws, ids)) &&
        cfnkit_ec2_call(
            aws, "AcceptVpcPeeringConnection",
            cfnkit_json_strings(cJSON_CreateObject(), "VpcPeeringConnectionId", id, NULL),
            NULL) < 0)
        goto done;
    if (cfnkit_ec2_wait(ctx, aws, "the VPC peering connection", "DescribeVpcPeeringConnections",
                        ids, "VpcPeeringConnections.0.Status.Code", "active", failed,
                        "VpcPeeringConnections.0.Status.Message", NULL) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(ids);
    free(account);
    cfn_aws_free(aws);
    return rc;
}

static int peer_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, peer_props, "Id");
}

/* A deleted peering stays visible a while as "deleted". */
static int peer_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    cJSON *ans = NULL;
    int rc = -1;
    if (strncmp(id, "pcx-", 4) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (cfnkit_ec2_call(aws, "DescribeVpcPeeringConnections",
                        cfnkit_ec2_ids("VpcPeeringConnectionIds", id), &ans) < 0) {
        rc = cfnkit_ec2_gone(aws) ? 0 : -1;
        goto done;
    }
    const char *state = cfnkit_ec2_get_string(ans, "VpcPeeringConnections.0.Status.Code");
    rc = !state || strcmp(state, "deleted") == 0
             ? 0
             : cfnkit_ec2_delete(
                   ctx, aws, "DeleteVpcPeeringConnection",
                   cfnkit_json_strings(cJSON_CreateObject(), "VpcPeeringConnectionId", id, NULL));
done:
    cJSON_Delete(ans);
    cfn_aws_free(aws);
    return rc;
}

static const char *const peer_replaces[] = {
    "PeerRegion", "PeerOwnerId", "PeerVpcId", "PeerRoleArn", "AssumeRoleRegion", "VpcId", NULL};
static const char *const peer_write_only[] = {"PeerRoleArn", "AssumeRoleRegion", NULL};
static const char *const peer_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_vpc_peering_connection = {
    .type = "AWS::EC2::VPCPeeringConnection",
    .create = peer_create,
    .update = peer_update,
    .remove = peer_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = peer_replaces,
    .attributes = peer_attrs,
    .write_only = peer_write_only,
};
