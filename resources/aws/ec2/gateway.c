/* AWS::EC2::EIP, ::NatGateway and ::VPCEndpoint: addresses and the ways out
 * of a VPC that take time to become usable. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <string.h>

/* ---- AWS::EC2::EIP ---- */

/* Ref is the address itself, as CloudFormation documents. */
static const char *const eip_props[] = {"Domain",         "InstanceId", "NetworkBorderGroup",
                                        "PublicIpv4Pool", "Tags",       NULL};

/* The address of physical id `ip`: its AllocationId and AssociationId.
 * *address is NULL when it is gone. */
static int eip_find(cfn_aws *aws, const char *ip, cJSON **address)
{
    cJSON *ans = NULL;
    *address = NULL;
    if (cfnkit_ec2_call(aws, "DescribeAddresses", cfnkit_ec2_ids("PublicIps", ip), &ans) < 0)
        return cfnkit_ec2_gone(aws) ? 0 : -1;
    *address = cJSON_DetachItemFromArray(cJSON_GetObjectItem(ans, "Addresses"), 0);
    cJSON_Delete(ans);
    return 0;
}

static int eip_associate(cfn_ctx *ctx, cfn_aws *aws, const char *allocation)
{
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "AllocationId", allocation, NULL);
    if (!in)
        return cfn_fail(ctx, "out of memory");
    if (cfnkit_ec2_str(ctx, in, "InstanceId", "InstanceId", true) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    return cfnkit_ec2_call(aws, "AssociateAddress", in, NULL);
}

static int eip_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, eip_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "Domain", "Domain", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "NetworkBorderGroup", "NetworkBorderGroup", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "PublicIpv4Pool", "PublicIpv4Pool", false) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "elastic-ip") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (!cJSON_GetObjectItem(in, "Domain") && !cJSON_AddStringToObject(in, "Domain", "vpc")) {
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    /* An address from an earlier delivery of this Create is this one. */
    char found[64];
    int made = cfnkit_ec2_made(ctx, aws, "DescribeAddresses", "Addresses.0.PublicIp", found,
                               sizeof(found));
    if (made < 0)
        goto done;
    if (made) {
        cJSON_Delete(in);
        in = NULL;
        if (eip_find(aws, found, &out) < 0)
            goto done;
    } else {
        rc = cfnkit_ec2_call(aws, "AllocateAddress", in, &out);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
    }
    const char *ip = cfn_json_string(out, "PublicIp");
    const char *allocation = cfn_json_string(out, "AllocationId");
    if (!ip || !allocation) {
        rc = cfn_fail(ctx, "EC2 AllocateAddress answered without PublicIp and AllocationId");
        goto done;
    }
    if (cfn_set_physical_id(ctx, ip) < 0 ||
        (cfn_prop_has(ctx, "InstanceId") && eip_associate(ctx, aws, allocation) < 0) ||
        cfn_set_data(ctx, "PublicIp", ip) < 0 || cfn_set_data(ctx, "AllocationId", allocation) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int eip_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"Domain", "NetworkBorderGroup", "PublicIpv4Pool", NULL};
    const char *ip = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *address = NULL;
    int rc = -1;
    if (native_check_props(ctx, eip_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0 || eip_find(aws, ip, &address) < 0)
        goto done;
    const char *allocation = cfn_json_string(address, "AllocationId");
    const char *association = cfn_json_string(address, "AssociationId");
    if (!allocation) {
        rc = cfn_fail(ctx, "Elastic IP %s is not there any more", ip);
        goto done;
    }
    if (cfn_prop_changed(ctx, "InstanceId")) {
        if (association &&
            cfnkit_ec2_delete(
                ctx, aws, "DisassociateAddress",
                cfnkit_json_strings(cJSON_CreateObject(), "AssociationId", association, NULL)) < 0)
            goto done;
        if (cfn_prop_has(ctx, "InstanceId") && eip_associate(ctx, aws, allocation) < 0)
            goto done;
    }
    if (cfnkit_ec2_retag(ctx, aws, allocation) < 0 || cfn_set_data(ctx, "PublicIp", ip) < 0 ||
        cfn_set_data(ctx, "AllocationId", allocation) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(address);
    cfn_aws_free(aws);
    return rc;
}

static int eip_remove(cfn_ctx *ctx)
{
    const char *ip = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *address = NULL;
    unsigned a, b, c, d;
    char end;
    int rc = -1;
    if (sscanf(ip, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) != 4)
        return 0; /* not an address: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0 || eip_find(aws, ip, &address) < 0)
        goto done;
    const char *allocation = cfn_json_string(address, "AllocationId");
    const char *association = cfn_json_string(address, "AssociationId");
    if (association && cfnkit_ec2_delete(ctx, aws, "DisassociateAddress",
                                         cfnkit_json_strings(cJSON_CreateObject(), "AssociationId",
                                                             association, NULL)) < 0)
        goto done;
    if (allocation && cfnkit_ec2_delete(ctx, aws, "ReleaseAddress",
                                        cfnkit_json_strings(cJSON_CreateObject(), "AllocationId",
                                                            allocation, NULL)) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(address);
    cfn_aws_free(aws);
    return rc;
}

static const char *const eip_replaces[] = {"NetworkBorderGroup", "TransferAddress", "IpamPoolId",
                                           "Address", NULL};
static const char *const eip_write_only[] = {"TransferAddress", "IpamPoolId", "Address", NULL};
static const char *const eip_attrs[] = {"AllocationId", "PublicIp", NULL};

const cfn_resource_type cfnkit_ec2_eip = {
    .type = "AWS::EC2::EIP",
    .create = eip_create,
    .update = eip_update,
    .remove = eip_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = eip_replaces,
    .attributes = eip_attrs,
    .write_only = eip_write_only,
};

/* ---- AWS::EC2::NatGateway ---- */

static const char *const nat_props[] = {"AllocationId",
                                        "ConnectivityType",
                                        "PrivateIpAddress",
                                        "SecondaryAllocationIds",
                                        "SecondaryPrivateIpAddressCount",
                                        "SecondaryPrivateIpAddresses",
                                        "SubnetId",
                                        "Tags",
                                        NULL};

static int nat_report(cfn_ctx *ctx, const cJSON *answer)
{
    static const char *const data[] = {"NatGatewayId", "NatGateways.0.NatGatewayId", "EniId",
                                       "NatGateways.0.NatGatewayAddresses.0.NetworkInterfaceId",
                                       NULL};
    return cfnkit_ec2_data(ctx, answer, data);
}

static int nat_create(cfn_ctx *ctx)
{
    static const char *const failed[] = {"failed", "deleting", "deleted", NULL};
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL, *ids = NULL, *state = NULL;
    int rc = -1;
    if (native_check_props(ctx, nat_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "SubnetId", "SubnetId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "AllocationId", "AllocationId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "ConnectivityType", "ConnectivityType", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "PrivateIpAddress", "PrivateIpAddress", false) < 0 ||
        cfnkit_ec2_strings(ctx, in, "SecondaryAllocationIds", "SecondaryAllocationIds") < 0 ||
        cfnkit_ec2_strings(ctx, in, "SecondaryPrivateIpAddresses", "SecondaryPrivateIpAddresses") <
            0 ||
        cfnkit_ec2_int(ctx, in, "SecondaryPrivateIpAddressCount",
                       "SecondaryPrivateIpAddressCount") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "natgateway") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "CreateNatGateway", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    const char *id = cfnkit_ec2_get_string(out, "NatGateway.NatGatewayId");
    if (!id) {
        rc = cfn_fail(ctx, "EC2 CreateNatGateway answered without its id");
        goto done;
    }
    ids = cfnkit_ec2_ids("NatGatewayIds", id);
    if (cfn_set_physical_id(ctx, id) < 0 ||
        cfnkit_ec2_wait(ctx, aws, "the NAT gateway", "DescribeNatGateways", ids,
                        "NatGateways.0.State", "available", failed, "NatGateways.0.FailureMessage",
                        &state) < 0 ||
        nat_report(ctx, state) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(ids);
    cJSON_Delete(state);
    cfn_aws_free(aws);
    return rc;
}

static int nat_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"SecondaryAllocationIds", "SecondaryPrivateIpAddressCount",
                                        "SecondaryPrivateIpAddresses", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *state = NULL;
    int rc = -1;
    if (native_check_props(ctx, nat_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0 || cfnkit_ec2_retag(ctx, aws, id) < 0 ||
        cfnkit_ec2_call(aws, "DescribeNatGateways", cfnkit_ec2_ids("NatGatewayIds", id), &state) <
            0 ||
        nat_report(ctx, state) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(state);
    cfn_aws_free(aws);
    return rc;
}

/* Waits until it is deleted: its address is not free before. */
static int nat_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    if (strncmp(id, "nat-", 4) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    cJSON *ids = cfnkit_ec2_ids("NatGatewayIds", id);
    int rc = cfnkit_ec2_delete(ctx, aws, "DeleteNatGateway",
                               cfnkit_json_strings(cJSON_CreateObject(), "NatGatewayId", id, NULL));
    if (rc == 0)
        rc = cfnkit_ec2_wait(ctx, aws, "the NAT gateway", "DescribeNatGateways", ids,
                             "NatGateways.0.State", "deleted", NULL, NULL, NULL);
    cJSON_Delete(ids);
    cfn_aws_free(aws);
    return rc;
}

static const char *const nat_replaces[] = {
    "VpcId", "SubnetId", "ConnectivityType", "AllocationId", "PrivateIpAddress", "AvailabilityMode",
    NULL};
static const char *const nat_write_only[] = {"MaxDrainDurationSeconds", NULL};
static const char *const nat_attrs[] = {"AutoProvisionZones", "AutoScalingIps", "EniId",
                                        "NatGatewayId",       "RouteTableId",   NULL};

const cfn_resource_type cfnkit_ec2_nat_gateway = {
    .type = "AWS::EC2::NatGateway",
    .create = nat_create,
    .update = nat_update,
    .remove = nat_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = nat_replaces,
    .attributes = nat_attrs,
    .write_only = nat_write_only,
};

/* ---- AWS::EC2::VPCEndpoint ---- */

static const char *const vpce_props[] = {"IpAddressType",
                                         "PolicyDocument",
                                         "PrivateDnsEnabled",
                                         "RouteTableIds",
                                         "SecurityGroupIds",
                                         "ServiceName",
                                         "SubnetIds",
                                         "Tags",
                                         "VpcEndpointType",
                                         "VpcId",
                                         NULL};

/* PolicyDocument: a JSON object in the template, a string for the API. */
static int vpce_policy(cfn_ctx *ctx, cJSON *in)
{
    const cJSON *doc = cfnkit_ec2_get(cfn_request_props(ctx), "PolicyDocument");
    if (!doc || cJSON_IsString(doc))
        return cfnkit_ec2_str(ctx, in, "PolicyDocument", "PolicyDocument", false);
    if (!cJSON_IsObject(doc))
        return cfn_fail(ctx, "property PolicyDocument must be a policy (a map or a string)");
    char *s = cJSON_PrintUnformatted(doc);
    int rc =
        s && cJSON_AddStringToObject(in, "PolicyDocument", s) ? 0 : cfn_fail(ctx, "out of memory");
    cJSON_free(s);
    return rc;
}

static int vpce_read(cfn_ctx *ctx, const cJSON *endpoint)
{
    static const char *const data[] = {"Id",
                                       "VpcEndpointId",
                                       "CreationTimestamp",
                                       "CreationTimestamp",
                                       "NetworkInterfaceIds",
                                       "NetworkInterfaceIds",
                                       NULL};
    cJSON *dns = cJSON_CreateArray();
    const cJSON *e;
    /* DnsEntries: "HOSTED_ZONE_ID:DNS_NAME", as CloudFormation gives them. */
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(endpoint, "DnsEntries"))
    {
        char entry[512];
        snprintf(entry, sizeof(entry), "%s:%s",
                 cfn_json_string(e, "HostedZoneId") ? cfn_json_string(e, "HostedZoneId") : "",
                 cfn_json_string(e, "DnsName") ? cfn_json_string(e, "DnsName") : "");
        if (dns && !cJSON_AddItemToArray(dns, cJSON_CreateString(entry))) {
            cJSON_Delete(dns);
            dns = NULL;
        }
    }
    if (!cJSON_GetObjectItem(endpoint, "NetworkInterfaceIds") &&
        cfn_set_data_json(ctx, "NetworkInterfaceIds", cJSON_CreateArray()) < 0)
        return -1;
    return cfnkit_ec2_data(ctx, endpoint, data) < 0 || cfn_set_data_json(ctx, "DnsEntries", dns) < 0
               ? -1
               : 0;
}

static int vpce_create(cfn_ctx *ctx)
{
    static const char *const failed[] = {"failed", "rejected", "deleted", "expired", NULL};
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL, *ids = NULL, *state = NULL;
    int rc = -1;
    if (native_check_props(ctx, vpce_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "ServiceName", "ServiceName", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "VpcEndpointType", "VpcEndpointType", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "IpAddressType", "IpAddressType", false) < 0 ||
        vpce_policy(ctx, in) < 0 ||
        cfnkit_ec2_bool(ctx, in, "PrivateDnsEnabled", "PrivateDnsEnabled") < 0 ||
        cfnkit_ec2_strings(ctx, in, "RouteTableIds", "RouteTableIds") < 0 ||
        cfnkit_ec2_strings(ctx, in, "SubnetIds", "SubnetIds") < 0 ||
        cfnkit_ec2_strings(ctx, in, "SecurityGroupIds", "SecurityGroupIds") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "vpc-endpoint") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "CreateVpcEndpoint", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    const char *id = cfnkit_ec2_get_string(out, "VpcEndpoint.VpcEndpointId");
    if (!id) {
        rc = cfn_fail(ctx, "EC2 CreateVpcEndpoint answered without its id");
        goto done;
    }
    ids = cfnkit_ec2_ids("VpcEndpointIds", id);
    if (cfn_set_physical_id(ctx, id) < 0 ||
        cfnkit_ec2_wait(ctx, aws, "the VPC endpoint", "DescribeVpcEndpoints", ids,
                        "VpcEndpoints.0.State", "available", failed,
                        "VpcEndpoints.0.LastError.Message", &state) < 0 ||
        vpce_read(ctx, cfnkit_ec2_get(state, "VpcEndpoints.0")) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(ids);
    cJSON_Delete(state);
    cfn_aws_free(aws);
    return rc;
}

static int vpce_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    cJSON *in = cfnkit_json_strings(cJSON_CreateObject(), "VpcEndpointId", id, NULL), *ans = NULL;
    int rc = -1;
    if (native_check_props(ctx, vpce_props) < 0 || !in ||
        cfnkit_ec2_list_changes(ctx, in, "RouteTableIds") < 0 ||
        cfnkit_ec2_list_changes(ctx, in, "SubnetIds") < 0 ||
        cfnkit_ec2_list_changes(ctx, in, "SecurityGroupIds") < 0 ||
        (cfn_prop_changed(ctx, "PrivateDnsEnabled") &&
         cfnkit_ec2_bool(ctx, in, "PrivateDnsEnabled", "PrivateDnsEnabled") < 0) ||
        (cfn_prop_changed(ctx, "IpAddressType") &&
         cfnkit_ec2_str(ctx, in, "IpAddressType", "IpAddressType", false) < 0))
        goto done;
    if (cfn_prop_changed(ctx, "PolicyDocument")) {
        if (cfn_prop_has(ctx, "PolicyDocument") ? vpce_policy(ctx, in) < 0
                                                : !cJSON_AddBoolToObject(in, "ResetPolicy", true))
            goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cJSON_GetArraySize(in) > 1) {
        rc = cfnkit_ec2_call(aws, "ModifyVpcEndpoint", in, NULL);
        in = NULL;
        if (rc < 0)
            goto done;
        rc = -1;
    }
    if (cfnkit_ec2_retag(ctx, aws, id) < 0 ||
        cfnkit_ec2_call(aws, "DescribeVpcEndpoints", cfnkit_ec2_ids("VpcEndpointIds", id), &ans) <
            0 ||
        vpce_read(ctx, cfnkit_ec2_get(ans, "VpcEndpoints.0")) < 0)
        goto done;
    rc = 0;
done:
    if (rc < 0 && !cfn_reason(ctx) && !*cfn_error_last())
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(ans);
    cfn_aws_free(aws);
    return rc;
}

static int vpce_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    cJSON *out = NULL, *ids = cfnkit_ec2_ids("VpcEndpointIds", id);
    int rc = -1;
    if (strncmp(id, "vpce-", 5) != 0) {
        cJSON_Delete(ids);
        return 0; /* not an id this type gives: its Create made nothing */
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(ids);
        return -1;
    }
    /* A deleted endpoint stays visible a while as "deleted"; deleting it
     * again is an error in moto (its routes are gone). */
    if (cfn_aws_call(aws, "ec2", "DescribeVpcEndpoints", ids, &out) < 0) {
        rc = cfnkit_ec2_gone(aws) ? 0 : -1;
        goto done;
    }
    const char *state = cfnkit_ec2_get_string(out, "VpcEndpoints.0.State");
    if (!state || strcmp(state, "deleted") == 0) {
        rc = 0;
        goto done;
    }
    cJSON_Delete(out);
    out = NULL;
    if (cfn_aws_call(aws, "ec2", "DeleteVpcEndpoints", ids, &out) < 0) {
        rc = cfnkit_ec2_gone(aws) && strstr(cfn_aws_error_code(aws), "VpcEndpoint") ? 0 : -1;
        goto done;
    }
    /* A failure per endpoint comes in the answer, not as an error. */
    const char *code = cfnkit_ec2_get_string(out, "Unsuccessful.0.Error.Code");
    const char *message = cfnkit_ec2_get_string(out, "Unsuccessful.0.Error.Message");
    if (code && !strstr(code, "NotFound")) {
        rc = cfn_fail(ctx, "EC2 DeleteVpcEndpoints: %s: %s", code, message ? message : "");
        goto done;
    }
    rc = cfnkit_ec2_wait(ctx, aws, "the VPC endpoint", "DescribeVpcEndpoints", ids,
                         "VpcEndpoints.0.State", "deleted", NULL, NULL, NULL);
done:
    cJSON_Delete(ids);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static const char *const vpce_replaces[] = {"ServiceName",
                                            "VpcEndpointType",
                                            "VpcId",
                                            "ServiceNetworkArn",
                                            "ResourceConfigurationArn",
                                            "ServiceRegion",
                                            NULL};
/* DnsOptions' PrivateDnsPreference and PrivateDnsSpecifiedDomains are
 * create-only: a change of DnsOptions replaces the endpoint only when it
 * changes them. */
static const char *const vpce_conditional[] = {"DnsOptions", NULL};
static const char *const vpce_attrs[] = {"CreationTimestamp", "DnsEntries", "Id",
                                         "NetworkInterfaceIds", NULL};

const cfn_resource_type cfnkit_ec2_vpc_endpoint = {
    .type = "AWS::EC2::VPCEndpoint",
    .create = vpce_create,
    .update = vpce_update,
    .remove = vpce_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = vpce_replaces,
    .attributes = vpce_attrs,
    .replaces_conditional = vpce_conditional,
};
