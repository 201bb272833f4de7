/* AWS::EC2::VPC, ::Subnet, ::InternetGateway, ::VPCGatewayAttachment: the
 * network and its way out, with the ids and attributes CloudFormation gives. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <string.h>

/* The strings at `member` of every item of the list at `path`, as a JSON list. */
static cJSON *collect(const cJSON *item, const char *path, const char *member)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, cfnkit_ec2_get(item, path))
    {
        const char *s = cfn_json_string(e, member);
        if (out && s && !cJSON_AddItemToArray(out, cJSON_CreateString(s))) {
            cJSON_Delete(out);
            out = NULL;
        }
    }
    return out;
}

/* One attribute of ModifyVpcAttribute / ModifySubnetAttribute: {Value: bool}. */
static int set_attribute(cfn_ctx *ctx, cfn_aws *aws, const char *op, const char *id_member,
                         const char *id, const char *name)
{
    bool b;
    if (!cfn_prop_has(ctx, name) ||
        (cfn_request_action(ctx) == CFN_UPDATE && !cfn_prop_changed(ctx, name)))
        return 0;
    if (cfn_prop_bool(ctx, name, &b) < 0)
        return -1;
    cJSON *value = cJSON_CreateObject();
    if (!cJSON_AddBoolToObject(value, "Value", b)) {
        cJSON_Delete(value);
        value = NULL;
    }
    return cfnkit_ec2_call(
        aws, op,
        cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), id_member, id, NULL), name,
                         value),
        NULL);
}

/* ---- AWS::EC2::VPC ---- */

static const char *const vpc_props[] = {
    "CidrBlock", "EnableDnsHostnames", "EnableDnsSupport", "InstanceTenancy", "Tags", NULL};

static int vpc_read(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    cJSON *ans = NULL, *acl = NULL, *sg = NULL;
    int rc = -1;
    if (cfnkit_ec2_call(aws, "DescribeVpcs", cfnkit_ec2_ids("VpcIds", id), &ans) < 0 ||
        cfnkit_ec2_call(aws, "DescribeNetworkAcls",
                        cfnkit_ec2_filters("vpc-id", id, "default", "true"), &acl) < 0 ||
        cfnkit_ec2_call(aws, "DescribeSecurityGroups",
                        cfnkit_ec2_filters("vpc-id", id, "group-name", "default"), &sg) < 0)
        goto done;
    const cJSON *vpc = cfnkit_ec2_get(ans, "Vpcs.0");
    const char *acl_id = cfnkit_ec2_get_string(acl, "NetworkAcls.0.NetworkAclId");
    const char *sg_id = cfnkit_ec2_get_string(sg, "SecurityGroups.0.GroupId");
    static const char *const data[] = {"VpcId", "VpcId", "CidrBlock", "CidrBlock", NULL};
    if (!vpc) {
        rc = cfn_fail(ctx, "VPC %s is not there any more", id);
        goto done;
    }
    if (cfnkit_ec2_data(ctx, vpc, data) < 0 ||
        cfn_set_data_json(ctx, "CidrBlockAssociations",
                          collect(vpc, "CidrBlockAssociationSet", "AssociationId")) < 0 ||
        cfn_set_data_json(ctx, "Ipv6CidrBlocks",
                          collect(vpc, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock")) < 0 ||
        (acl_id && cfn_set_data(ctx, "DefaultNetworkAcl", acl_id) < 0) ||
        (sg_id && cfn_set_data(ctx, "DefaultSecurityGroup", sg_id) < 0))
        goto done;
    rc = 0;
done:
    cJSON_Delete(ans);
    cJSON_Delete(acl);
    cJSON_Delete(sg);
    return rc;
}

static int vpc_attributes_set(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    /* One attribute per call, as the API takes them; support first, since
     * hostnames need it. */
    return set_attribute(ctx, aws, "ModifyVpcAttribute", "VpcId", id, "EnableDnsSupport") < 0 ||
                   set_attribute(ctx, aws, "ModifyVpcAttribute", "VpcId", id,
                                 "EnableDnsHostnames") < 0
               ? -1
               : 0;
}

static int vpc_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, vpc_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "CidrBlock", "CidrBlock", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "InstanceTenancy", "InstanceTenancy", false) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "vpc") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    char id[128];
    rc = cfnkit_ec2_create_once(ctx, aws, "CreateVpc", in, "Vpc.VpcId", "DescribeVpcs",
                                "Vpcs.0.VpcId", NULL, id, sizeof(id));
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    cJSON *ids = cfnkit_ec2_ids("VpcIds", id);
    if (cfn_set_physical_id(ctx, id) < 0 ||
        cfnkit_ec2_wait(ctx, aws, "the VPC", "DescribeVpcs", ids, "Vpcs.0.State", "available", NULL,
                        NULL, NULL) < 0 ||
        vpc_attributes_set(ctx, aws, id) < 0 || vpc_read(ctx, aws, id) < 0) {
        cJSON_Delete(ids);
        goto done;
    }
    cJSON_Delete(ids);
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

static int vpc_update(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *tenancy;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, vpc_props) < 0 ||
        cfn_prop_string_or(ctx, "InstanceTenancy", "default", &tenancy) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "InstanceTenancy")) {
        /* EC2 changes a VPC's tenancy only to default; CloudFormation
         * replaces the VPC for the other way (conditionalCreateOnly). */
        if (strcmp(tenancy, "default") != 0) {
            rc = cfn_fail(ctx, "InstanceTenancy can change in place only to default; a change "
                               "to another tenancy replaces the VPC");
            goto done;
        }
        if (cfnkit_ec2_call(aws, "ModifyVpcTenancy",
                            cfnkit_json_strings(cJSON_CreateObject(), "VpcId", id,
                                                "InstanceTenancy", "default", NULL),
                            NULL) < 0)
            goto done;
    }
    if (vpc_attributes_set(ctx, aws, id) < 0 || cfnkit_ec2_retag(ctx, aws, id) < 0 ||
        vpc_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cfn_aws_free(aws);
    return rc;
}

static int vpc_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteVpc", "VpcId", "vpc-");
}

static const char *const vpc_replaces[] = {"CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength",
                                           NULL};
static const char *const vpc_conditional[] = {"InstanceTenancy", NULL};
static const char *const vpc_write_only[] = {"Ipv4IpamPoolId", "Ipv4NetmaskLength", NULL};
static const char *const vpc_attrs[] = {"CidrBlock",
                                        "CidrBlockAssociations",
                                        "DefaultNetworkAcl",
                                        "DefaultSecurityGroup",
                                        "Ipv6CidrBlocks",
                                        "VpcId",
                                        NULL};

const cfn_resource_type cfnkit_ec2_vpc = {
    .type = "AWS::EC2::VPC",
    .create = vpc_create,
    .update = vpc_update,
    .remove = vpc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = vpc_replaces,
    .attributes = vpc_attrs,
    .replaces_conditional = vpc_conditional,
    .write_only = vpc_write_only,
};

/* ---- AWS::EC2::Subnet ---- */

static const char *const subnet_props[] = {"AssignIpv6AddressOnCreation",
                                           "AvailabilityZone",
                                           "AvailabilityZoneId",
                                           "CidrBlock",
                                           "EnableDns64",
                                           "Ipv6CidrBlock",
                                           "Ipv6Native",
                                           "MapPublicIpOnLaunch",
                                           "Tags",
                                           "VpcId",
                                           NULL};

static int subnet_read(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    cJSON *ans = NULL, *acl = NULL;
    int rc = -1;
    if (cfnkit_ec2_call(aws, "DescribeSubnets", cfnkit_ec2_ids("SubnetIds", id), &ans) < 0 ||
        cfnkit_ec2_call(aws, "DescribeNetworkAcls",
                        cfnkit_ec2_filters("association.subnet-id", id, NULL, NULL), &acl) < 0)
        goto done;
    const cJSON *subnet = cfnkit_ec2_get(ans, "Subnets.0"), *assoc;
    static const char *const data[] = {"SubnetId",
                                       "SubnetId",
                                       "VpcId",
                                       "VpcId",
                                       "CidrBlock",
                                       "CidrBlock",
                                       "AvailabilityZone",
                                       "AvailabilityZone",
                                       "AvailabilityZoneId",
                                       "AvailabilityZoneId",
                                       "OutpostArn",
                                       "OutpostArn",
                                       "BlockPublicAccessStates",
                                       "BlockPublicAccessStates",
                                       NULL};
    if (!subnet) {
        rc = cfn_fail(ctx, "subnet %s is not there any more", id);
        goto done;
    }
    if (cfnkit_ec2_data(ctx, subnet, data) < 0 ||
        cfn_set_data_json(ctx, "Ipv6CidrBlocks",
                          collect(subnet, "Ipv6CidrBlockAssociationSet", "Ipv6CidrBlock")) < 0)
        goto done;
    cJSON_ArrayForEach(assoc, cfnkit_ec2_get(acl, "NetworkAcls.0.Associations"))
    {
        const char *s = cfn_json_string(assoc, "SubnetId");
        const char *a = cfn_json_string(assoc, "NetworkAclAssociationId");
        if (s && a && strcmp(s, id) == 0 && cfn_set_data(ctx, "NetworkAclAssociationId", a) < 0)
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(ans);
    cJSON_Delete(acl);
    return rc;
}

static int subnet_attributes_set(cfn_ctx *ctx, cfn_aws *aws, const char *id)
{
    static const char *const names[] = {"MapPublicIpOnLaunch", "AssignIpv6AddressOnCreation",
                                        "EnableDns64", NULL};
    for (size_t i = 0; names[i]; i++)
        if (set_attribute(ctx, aws, "ModifySubnetAttribute", "SubnetId", id, names[i]) < 0)
            return -1;
    return 0;
}

static int subnet_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL, *ids = NULL;
    int rc = -1;
    if (native_check_props(ctx, subnet_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "CidrBlock", "CidrBlock", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "AvailabilityZone", "AvailabilityZone", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "AvailabilityZoneId", "AvailabilityZoneId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "Ipv6CidrBlock", "Ipv6CidrBlock", false) < 0 ||
        cfnkit_ec2_bool(ctx, in, "Ipv6Native", "Ipv6Native") < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "subnet") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    char id[128];
    rc = cfnkit_ec2_create_once(ctx, aws, "CreateSubnet", in, "Subnet.SubnetId", "DescribeSubnets",
                                "Subnets.0.SubnetId", NULL, id, sizeof(id));
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    ids = cfnkit_ec2_ids("SubnetIds", id);
    if (cfn_set_physical_id(ctx, id) < 0 ||
        cfnkit_ec2_wait(ctx, aws, "the subnet", "DescribeSubnets", ids, "Subnets.0.State",
                        "available", NULL, NULL, NULL) < 0 ||
        subnet_attributes_set(ctx, aws, id) < 0 || subnet_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(ids);
    cfn_aws_free(aws);
    return rc;
}

static int subnet_update(cfn_ctx *ctx)
{
    static const char *const fixed[] = {"Ipv6CidrBlock", NULL};
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, subnet_props) < 0 || cfnkit_ec2_unchanged(ctx, fixed) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (subnet_attributes_set(ctx, aws, id) < 0 || cfnkit_ec2_retag(ctx, aws, id) < 0 ||
        subnet_read(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cfn_aws_free(aws);
    return rc;
}

static int subnet_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteSubnet", "SubnetId", "subnet-");
}

static const char *const subnet_replaces[] = {
    "VpcId",      "AvailabilityZone", "AvailabilityZoneId", "CidrBlock",      "OutpostArn",
    "Ipv6Native", "Ipv4IpamPoolId",   "Ipv4NetmaskLength",  "Ipv6IpamPoolId", "Ipv6NetmaskLength",
    NULL};
static const char *const subnet_conditional[] = {"Ipv6CidrBlock", NULL};
static const char *const subnet_write_only[] = {"EnableLniAtDeviceIndex", "Ipv4IpamPoolId",
                                                "Ipv4NetmaskLength",      "Ipv6IpamPoolId",
                                                "Ipv6NetmaskLength",      NULL};
static const char *const subnet_attrs[] = {"AvailabilityZone",
                                           "AvailabilityZoneId",
                                           "BlockPublicAccessStates",
                                           "CidrBlock",
                                           "Ipv6CidrBlocks",
                                           "NetworkAclAssociationId",
                                           "OutpostArn",
                                           "SubnetId",
                                           "VpcId",
                                           NULL};

const cfn_resource_type cfnkit_ec2_subnet = {
    .type = "AWS::EC2::Subnet",
    .create = subnet_create,
    .update = subnet_update,
    .remove = subnet_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = subnet_replaces,
    .attributes = subnet_attrs,
    .replaces_conditional = subnet_conditional,
    .write_only = subnet_write_only,
};

/* ---- AWS::EC2::InternetGateway ---- */

static const char *const igw_props[] = {"Tags", NULL};

static int igw_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[128];
    int rc = -1;
    if (native_check_props(ctx, igw_props) < 0 || !in ||
        cfnkit_ec2_tag_spec(ctx, in, "internet-gateway") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_create_once(ctx, aws, "CreateInternetGateway", in,
                                "InternetGateway.InternetGatewayId", "DescribeInternetGateways",
                                "InternetGateways.0.InternetGatewayId", "InternetGatewayId", id,
                                sizeof(id)) < 0
             ? -1
             : 0;
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int igw_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, igw_props, "InternetGatewayId");
}

static int igw_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteInternetGateway", "InternetGatewayId", "igw-");
}

static const char *const igw_attrs[] = {"InternetGatewayId", NULL};

const cfn_resource_type cfnkit_ec2_internet_gateway = {
    .type = "AWS::EC2::InternetGateway",
    .create = igw_create,
    .update = igw_update,
    .remove = igw_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = igw_attrs,
};

/* ---- AWS::EC2::VPCGatewayAttachment ---- */

/* Its physical id is CloudFormation's "IGW|vpc-..." or "VGW|vpc-..."
 * (AttachmentType|VpcId, the schema's primary identifier). */
static const char *const attach_props[] = {"InternetGatewayId", "VpcId", "VpnGatewayId", NULL};

static bool igw_attached(cfn_aws *aws, const char *igw, const char *vpc)
{
    cJSON *ans = NULL;
    const cJSON *a;
    bool attached = false;
    if (cfnkit_ec2_call(aws, "DescribeInternetGateways", cfnkit_ec2_ids("InternetGatewayIds", igw),
                        &ans) == 0)
        cJSON_ArrayForEach(a, cfnkit_ec2_get(ans, "InternetGateways.0.Attachments"))
        {
            const char *v = cfn_json_string(a, "VpcId");
            attached = attached || (v && strcmp(v, vpc) == 0);
        }
    cJSON_Delete(ans);
    return attached;
}

/* Attaches or detaches the gateway of the new (or old) properties. */
static int attach_gateway(cfn_ctx *ctx, cfn_aws *aws, bool old, bool attach)
{
    char vb[32], gb[64];
    const char *vpc = cfnkit_ec2_scalar(ctx, old, "VpcId", vb, sizeof(vb));
    const char *igw = cfnkit_ec2_scalar(ctx, old, "InternetGatewayId", gb, sizeof(gb));
    const char *vgw = igw ? NULL : cfnkit_ec2_scalar(ctx, old, "VpnGatewayId", gb, sizeof(gb));
    if (!vpc || !(igw || vgw))
        return attach ? cfn_fail(ctx, "properties VpcId and one of InternetGatewayId or "
                                      "VpnGatewayId are required")
                      : 0; /* a Create that failed before attaching anything */
    char op[32];
    snprintf(op, sizeof(op), "%s%s", attach ? "Attach" : "Detach",
             igw ? "InternetGateway" : "VpnGateway");
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "VpcId", vpc,
                            igw ? "InternetGatewayId" : "VpnGatewayId", igw ? igw : vgw, NULL);
    if (!attach)
        return cfnkit_ec2_delete(ctx, aws, op, in);
    int rc = cfnkit_ec2_call(aws, op, in, NULL);
    /* Attached to this VPC already: the Create was delivered before. */
    if (rc < 0 && igw && cfn_aws_error_is(aws, "Resource.AlreadyAssociated") &&
        igw_attached(aws, igw, vpc))
        rc = 0;
    return rc;
}

static int attach_report(cfn_ctx *ctx)
{
    char vb[32], id[64];
    const char *vpc = cfnkit_ec2_scalar(ctx, false, "VpcId", vb, sizeof(vb));
    const char *type = cfn_prop_has(ctx, "InternetGatewayId") ? "IGW" : "VGW";
    snprintf(id, sizeof(id), "%s|%s", type, vpc);
    return cfn_set_physical_id(ctx, id) < 0 || cfn_set_data(ctx, "AttachmentType", type) < 0 ? -1
                                                                                             : 0;
}

static int attach_create(cfn_ctx *ctx)
{
    cfn_aws *aws;
    if (native_check_props(ctx, attach_props) < 0)
        return -1;
    if (cfn_prop_has(ctx, "InternetGatewayId") == cfn_prop_has(ctx, "VpnGatewayId"))
        return cfn_fail(ctx, "give exactly one of InternetGatewayId and VpnGatewayId");
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = attach_gateway(ctx, aws, false, true);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : attach_report(ctx);
}

/* The gateway can change in place: detach the old, attach the new. */
static int attach_update(cfn_ctx *ctx)
{
    cfn_aws *aws;
    if (native_check_props(ctx, attach_props) < 0)
        return -1;
    if (cfn_prop_has(ctx, "InternetGatewayId") == cfn_prop_has(ctx, "VpnGatewayId"))
        return cfn_fail(ctx, "give exactly one of InternetGatewayId and VpnGatewayId");
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = 0;
    if (cfn_prop_changed(ctx, "InternetGatewayId") || cfn_prop_changed(ctx, "VpnGatewayId"))
        rc = attach_gateway(ctx, aws, true, false) < 0 || attach_gateway(ctx, aws, false, true) < 0
                 ? -1
                 : 0;
    cfn_aws_free(aws);
    return rc < 0 ? -1 : attach_report(ctx);
}

static int attach_remove(cfn_ctx *ctx)
{
    cfn_aws *aws;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = attach_gateway(ctx, aws, false, false);
    cfn_aws_free(aws);
    return rc;
}

static const char *const attach_replaces[] = {"VpcId", NULL};
static const char *const attach_attrs[] = {"AttachmentType", NULL};

const cfn_resource_type cfnkit_ec2_gateway_attachment = {
    .type = "AWS::EC2::VPCGatewayAttachment",
    .create = attach_create,
    .update = attach_update,
    .remove = attach_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = attach_replaces,
    .attributes = attach_attrs,
};
