/* AWS::EC2::RouteTable, ::Route and ::SubnetRouteTableAssociation. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <stdio.h>
#include <string.h>

/* ---- AWS::EC2::RouteTable ---- */

static const char *const table_props[] = {"Tags", "VpcId", NULL};

static int table_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[128];
    int rc = -1;
    if (native_check_props(ctx, table_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "route-table") < 0 || cfnkit_ec2_token(ctx, in) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateRouteTable", in, "RouteTable.RouteTableId",
                           "RouteTableId", id, sizeof(id));
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int table_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, table_props, "RouteTableId");
}

static int table_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteRouteTable", "RouteTableId", "rtb-");
}

static const char *const table_replaces[] = {"VpcId", NULL};
static const char *const table_attrs[] = {"RouteTableId", NULL};

const cfn_resource_type cfnkit_ec2_route_table = {
    .type = "AWS::EC2::RouteTable",
    .create = table_create,
    .update = table_update,
    .remove = table_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = table_replaces,
    .attributes = table_attrs,
};

/* ---- AWS::EC2::Route ---- */

/* Its physical id is CloudFormation's "rtb-...|DESTINATION" (RouteTableId
 * and CidrBlock, the schema's primary identifier). */
static const char *const destinations[] = {"DestinationCidrBlock", "DestinationIpv6CidrBlock",
                                           "DestinationPrefixListId", NULL};
static const char *const targets[] = {"CarrierGatewayId",
                                      "CoreNetworkArn",
                                      "EgressOnlyInternetGatewayId",
                                      "GatewayId",
                                      "InstanceId",
                                      "LocalGatewayId",
                                      "NatGatewayId",
                                      "NetworkInterfaceId",
                                      "TransitGatewayId",
                                      "VpcEndpointId",
                                      "VpcPeeringConnectionId",
                                      NULL};
static const char *const route_props[] = {"RouteTableId",
                                          "DestinationCidrBlock",
                                          "DestinationIpv6CidrBlock",
                                          "DestinationPrefixListId",
                                          "CarrierGatewayId",
                                          "CoreNetworkArn",
                                          "EgressOnlyInternetGatewayId",
                                          "GatewayId",
                                          "InstanceId",
                                          "LocalGatewayId",
                                          "NatGatewayId",
                                          "NetworkInterfaceId",
                                          "TransitGatewayId",
                                          "VpcEndpointId",
                                          "VpcPeeringConnectionId",
                                          NULL};

/* How many of `names` the properties have; the last one found in *which. */
static size_t count(cfn_ctx *ctx, const char *const *names, const char **which)
{
    size_t n = 0;
    for (size_t i = 0; names[i]; i++)
        if (cfn_prop_has(ctx, names[i])) {
            *which = names[i];
            n++;
        }
    return n;
}

/* {RouteTableId, the destination}, with the target when `with_target`. */
static cJSON *route_input(cfn_ctx *ctx, bool with_target, const char **dest)
{
    const char *d = NULL, *t = NULL;
    if (count(ctx, destinations, &d) != 1) {
        cfn_fail(ctx, "give exactly one of DestinationCidrBlock, DestinationIpv6CidrBlock and "
                      "DestinationPrefixListId");
        return NULL;
    }
    if (with_target && count(ctx, targets, &t) != 1) {
        cfn_fail(ctx, "give exactly one target (GatewayId, NatGatewayId, InstanceId, "
                      "NetworkInterfaceId, VpcPeeringConnectionId, TransitGatewayId, "
                      "VpcEndpointId, ...)");
        return NULL;
    }
    cJSON *in = cJSON_CreateObject();
    if (!in) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (cfnkit_ec2_str(ctx, in, "RouteTableId", "RouteTableId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, d, d, true) < 0 || (t && cfnkit_ec2_str(ctx, in, t, t, true) < 0)) {
        cJSON_Delete(in);
        return NULL;
    }
    *dest = cfn_json_string(in, d);
    return in;
}

static int route_report(cfn_ctx *ctx, const cJSON *in, const char *dest)
{
    char id[512];
    snprintf(id, sizeof(id), "%s|%s", cfn_json_string(in, "RouteTableId"), dest);
    return cfn_set_physical_id(ctx, id) < 0 || cfn_set_data(ctx, "CidrBlock", dest) < 0 ? -1 : 0;
}

static int route_put(cfn_ctx *ctx, const char *op)
{
    const char *dest;
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (native_check_props(ctx, route_props) < 0 || !(in = route_input(ctx, true, &dest)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_aws_call(aws, "ec2", op, in, NULL) < 0 || route_report(ctx, in, dest) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int route_create(cfn_ctx *ctx)
{
    return route_put(ctx, "CreateRoute");
}

/* A new target replaces the route's target in place. */
static int route_update(cfn_ctx *ctx)
{
    return route_put(ctx, "ReplaceRoute");
}

static int route_remove(cfn_ctx *ctx)
{
    const char *dest;
    cfn_aws *aws;
    cJSON *in = route_input(ctx, false, &dest);
    if (!in)
        return 0; /* a Create refused for its properties made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = cfnkit_ec2_delete(ctx, aws, "DeleteRoute", in);
    cfn_aws_free(aws);
    return rc;
}

static const char *const route_replaces[] = {"RouteTableId", "DestinationCidrBlock",
                                             "DestinationIpv6CidrBlock", "DestinationPrefixListId",
                                             NULL};
static const char *const route_attrs[] = {"CidrBlock", NULL};

const cfn_resource_type cfnkit_ec2_route = {
    .type = "AWS::EC2::Route",
    .create = route_create,
    .update = route_update,
    .remove = route_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = route_replaces,
    .attributes = route_attrs,
};

/* ---- AWS::EC2::SubnetRouteTableAssociation ---- */

static const char *const assoc_props[] = {"RouteTableId", "SubnetId", NULL};

static int assoc_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, assoc_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "RouteTableId", "RouteTableId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "SubnetId", "SubnetId", true) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_call(aws, "AssociateRouteTable", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    const char *id = cfnkit_ec2_get_string(out, "AssociationId");
    if (!id)
        rc = cfn_fail(ctx, "EC2 AssociateRouteTable answered without AssociationId");
    else if (cfn_set_physical_id(ctx, id) < 0 || cfn_set_data(ctx, "Id", id) < 0)
        rc = -1;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Both properties are create-only: an Update reaching here changed nothing. */
static int assoc_update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, assoc_props) < 0)
        return -1;
    return cfn_set_data(ctx, "Id", cfn_request_physical_id(ctx));
}

static int assoc_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DisassociateRouteTable", "AssociationId", "rtbassoc-");
}

static const char *const assoc_replaces[] = {"SubnetId", "RouteTableId", NULL};
static const char *const assoc_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_subnet_route_table_association = {
    .type = "AWS::EC2::SubnetRouteTableAssociation",
    .create = assoc_create,
    .update = assoc_update,
    .remove = assoc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = assoc_replaces,
    .attributes = assoc_attrs,
};
