/* AWS::EC2::DHCPOptions, ::VPCDHCPOptionsAssociation, ::NetworkAcl,
 * ::NetworkAclEntry, ::SubnetNetworkAclAssociation,
 * ::EgressOnlyInternetGateway, ::VPCCidrBlock and ::EIPAssociation. */
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

/* Splits a "first|second" physical id; false when it is not one. */
static bool split_id(const char *id, char *first, char *second, size_t size)
{
    const char *bar = strchr(id, '|');
    if (!bar || (size_t)(bar - id) >= size || strlen(bar + 1) >= size)
        return false;
    snprintf(first, size, "%.*s", (int)(bar - id), id);
    snprintf(second, size, "%s", bar + 1);
    return *first && *second;
}

/* ---- AWS::EC2::DHCPOptions ---- */

static const char *const dhcp_props[] = {"DomainName",
                                         "DomainNameServers",
                                         "Ipv6AddressPreferredLeaseTime",
                                         "NetbiosNameServers",
                                         "NetbiosNodeType",
                                         "NtpServers",
                                         "Tags",
                                         NULL};

/* One DhcpConfigurations entry {Key, Values} from a property. */
static int dhcp_entry(cfn_ctx *ctx, cJSON *list, const char *key, const char *name)
{
    cJSON *entry = cfnkit_json_strings(cJSON_CreateObject(), "Key", key, NULL), *values;
    if (!cfn_prop_has(ctx, name)) {
        cJSON_Delete(entry);
        return 0;
    }
    if (!entry)
        return oom(ctx);
    const cJSON *v = cfnkit_ec2_get(cfn_request_props(ctx), name);
    if (cJSON_IsArray(v)) {
        if (cfnkit_ec2_strings(ctx, entry, "Values", name) < 0) {
            cJSON_Delete(entry);
            return -1;
        }
    } else {
        char buf[64];
        const char *s = cfnkit_ec2_scalar(ctx, false, name, buf, sizeof(buf));
        if (!s) {
            cJSON_Delete(entry);
            return cfn_fail(ctx, "property %s must be a string or a list of strings", name);
        }
        if (!(values = cJSON_AddArrayToObject(entry, "Values")) ||
            !cJSON_AddItemToArray(values, cJSON_CreateString(s))) {
            cJSON_Delete(entry);
            return oom(ctx);
        }
    }
    return cJSON_AddItemToArray(list, entry) ? 0 : oom(ctx);
}

static int dhcp_create(cfn_ctx *ctx)
{
    static const char *const keys[] = {"domain-name",
                                       "DomainName",
                                       "domain-name-servers",
                                       "DomainNameServers",
                                       "ntp-servers",
                                       "NtpServers",
                                       "netbios-name-servers",
                                       "NetbiosNameServers",
                                       "netbios-node-type",
                                       "NetbiosNodeType",
                                       "ipv6-address-preferred-lease-time",
                                       "Ipv6AddressPreferredLeaseTime",
                                       NULL};
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(in, "DhcpConfigurations");
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, dhcp_props) < 0)
        goto done;
    if (!list) {
        rc = oom(ctx);
        goto done;
    }
    for (size_t i = 0; keys[i]; i += 2)
        if (dhcp_entry(ctx, list, keys[i], keys[i + 1]) < 0)
            goto done;
    if (cfnkit_ec2_tag_spec(ctx, in, "dhcp-options") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_create_once(ctx, aws, "CreateDhcpOptions", in, "DhcpOptions.DhcpOptionsId",
                                "DescribeDhcpOptions", "DhcpOptions.0.DhcpOptionsId",
                                "DhcpOptionsId", id, sizeof(id)) < 0
             ? -1
             : 0;
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int dhcp_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, dhcp_props, "DhcpOptionsId");
}

static int dhcp_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteDhcpOptions", "DhcpOptionsId", "dopt-");
}

static const char *const dhcp_replaces[] = {"NetbiosNameServers",
                                            "NetbiosNodeType",
                                            "NtpServers",
                                            "DomainName",
                                            "DomainNameServers",
                                            "Ipv6AddressPreferredLeaseTime",
                                            NULL};
static const char *const dhcp_attrs[] = {"DhcpOptionsId", NULL};

const cfn_resource_type cfnkit_ec2_dhcp_options = {
    .type = "AWS::EC2::DHCPOptions",
    .create = dhcp_create,
    .update = dhcp_update,
    .remove = dhcp_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = dhcp_replaces,
    .attributes = dhcp_attrs,
};

/* ---- AWS::EC2::VPCDHCPOptionsAssociation ---- */

/* Its physical id is "dopt-...|vpc-..." (DhcpOptionsId|VpcId, the schema's
 * primary identifier). Deleting it gives the VPC the "default" options. */
static const char *const dhcp_assoc_props[] = {"DhcpOptionsId", "VpcId", NULL};

static int dhcp_assoc_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[2 * ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, dhcp_assoc_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "DhcpOptionsId", "DhcpOptionsId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    snprintf(id, sizeof(id), "%s|%s", cfn_json_string(in, "DhcpOptionsId"),
             cfn_json_string(in, "VpcId"));
    rc = cfnkit_ec2_call(aws, "AssociateDhcpOptions", in, NULL);
    in = NULL;
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, id);
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

/* Both properties are create-only: an Update reaching here changed nothing. */
static int dhcp_assoc_update(cfn_ctx *ctx)
{
    return native_check_props(ctx, dhcp_assoc_props);
}

static int dhcp_assoc_remove(cfn_ctx *ctx)
{
    char dopt[ID_SIZE], vpc[ID_SIZE];
    cfn_aws *aws = NULL;
    cJSON *ans = NULL;
    int rc = -1;
    if (!split_id(cfn_request_physical_id(ctx), dopt, vpc, sizeof(dopt)))
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (cfnkit_ec2_call(aws, "DescribeVpcs", cfnkit_ec2_ids("VpcIds", vpc), &ans) < 0) {
        rc = cfnkit_ec2_gone(aws) ? 0 : -1;
        goto done;
    }
    /* Another association may have replaced this one since: leave it. */
    const char *now = cfnkit_ec2_get_string(ans, "Vpcs.0.DhcpOptionsId");
    rc = now && strcmp(now, dopt) == 0
             ? cfnkit_ec2_delete(ctx, aws, "AssociateDhcpOptions",
                                 cfnkit_json_strings(cJSON_CreateObject(), "DhcpOptionsId",
                                                     "default", "VpcId", vpc, NULL))
             : 0;
done:
    cJSON_Delete(ans);
    cfn_aws_free(aws);
    return rc;
}

static const char *const dhcp_assoc_replaces[] = {"DhcpOptionsId", "VpcId", NULL};

const cfn_resource_type cfnkit_ec2_dhcp_options_association = {
    .type = "AWS::EC2::VPCDHCPOptionsAssociation",
    .create = dhcp_assoc_create,
    .update = dhcp_assoc_update,
    .remove = dhcp_assoc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = dhcp_assoc_replaces,
};

/* ---- AWS::EC2::NetworkAcl ---- */

static const char *const acl_props[] = {"Tags", "VpcId", NULL};

static int acl_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, acl_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "network-acl") < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateNetworkAcl", in, "NetworkAcl.NetworkAclId", "Id", id,
                           sizeof(id));
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int acl_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, acl_props, "Id");
}

static int acl_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteNetworkAcl", "NetworkAclId", "acl-");
}

static const char *const acl_replaces[] = {"VpcId", NULL};
static const char *const acl_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_network_acl = {
    .type = "AWS::EC2::NetworkAcl",
    .create = acl_create,
    .update = acl_update,
    .remove = acl_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = acl_replaces,
    .attributes = acl_attrs,
};

/* ---- AWS::EC2::NetworkAclEntry ---- */

/* Its physical id is "acl-...|ingress|RULE" or "acl-...|egress|RULE": the
 * entry's key (NetworkAclId, Egress, RuleNumber, all create-only). */
static const char *const entry_props[] = {"CidrBlock",    "Egress",    "Icmp",     "Ipv6CidrBlock",
                                          "NetworkAclId", "PortRange", "Protocol", "RuleAction",
                                          "RuleNumber",   NULL};

/* The entry's key from the properties: {NetworkAclId, RuleNumber, Egress}. */
static cJSON *entry_key(cfn_ctx *ctx)
{
    cJSON *in = cJSON_CreateObject();
    bool egress;
    if (!in) {
        oom(ctx);
        return NULL;
    }
    if (cfnkit_ec2_str(ctx, in, "NetworkAclId", "NetworkAclId", true) < 0 ||
        cfn_prop_bool_or(ctx, "Egress", false, &egress) < 0 ||
        cfnkit_ec2_int(ctx, in, "RuleNumber", "RuleNumber") < 0) {
        cJSON_Delete(in);
        return NULL;
    }
    if (!cJSON_GetObjectItem(in, "RuleNumber")) {
        cfn_fail(ctx, "property RuleNumber is required but missing");
        cJSON_Delete(in);
        return NULL;
    }
    if (!cJSON_AddBoolToObject(in, "Egress", egress)) {
        oom(ctx);
        cJSON_Delete(in);
        return NULL;
    }
    return in;
}

/* The whole entry: its key, Protocol, RuleAction, the block and ports. */
static cJSON *entry_input(cfn_ctx *ctx)
{
    cJSON *in = entry_key(ctx), *icmp = NULL, *ports = NULL;
    if (!in)
        return NULL;
    if (cfnkit_ec2_str(ctx, in, "Protocol", "Protocol", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "RuleAction", "RuleAction", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "CidrBlock", "CidrBlock", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "Ipv6CidrBlock", "Ipv6CidrBlock", false) < 0)
        goto fail;
    if (cfn_prop_has(ctx, "CidrBlock") == cfn_prop_has(ctx, "Ipv6CidrBlock")) {
        cfn_fail(ctx, "give exactly one of CidrBlock and Ipv6CidrBlock");
        goto fail;
    }
    if (cfn_prop_has(ctx, "Icmp")) {
        if (!(icmp = cJSON_AddObjectToObject(in, "IcmpTypeCode"))) {
            oom(ctx);
            goto fail;
        }
        if (cfnkit_ec2_int(ctx, icmp, "Code", "Icmp.Code") < 0 ||
            cfnkit_ec2_int(ctx, icmp, "Type", "Icmp.Type") < 0)
            goto fail;
    }
    if (cfn_prop_has(ctx, "PortRange")) {
        if (!(ports = cJSON_AddObjectToObject(in, "PortRange"))) {
            oom(ctx);
            goto fail;
        }
        if (cfnkit_ec2_int(ctx, ports, "From", "PortRange.From") < 0 ||
            cfnkit_ec2_int(ctx, ports, "To", "PortRange.To") < 0)
            goto fail;
    }
    return in;
fail:
    cJSON_Delete(in);
    return NULL;
}

static int entry_put(cfn_ctx *ctx, const char *op)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    char id[ID_SIZE + 32];
    int rc = -1;
    if (native_check_props(ctx, entry_props) < 0 || !(in = entry_input(ctx)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    snprintf(id, sizeof(id), "%s|%s|%lld", cfn_json_string(in, "NetworkAclId"),
             cJSON_IsTrue(cJSON_GetObjectItem(in, "Egress")) ? "egress" : "ingress",
             (long long)cJSON_GetObjectItem(in, "RuleNumber")->valuedouble);
    if (cfn_aws_call(aws, "ec2", op, in, NULL) < 0)
        goto done;
    rc = cfn_set_physical_id(ctx, id) < 0 || cfn_set_data(ctx, "Id", id) < 0 ? -1 : 0;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int entry_create(cfn_ctx *ctx)
{
    return entry_put(ctx, "CreateNetworkAclEntry");
}

/* Everything but the key changes in place. */
static int entry_update(cfn_ctx *ctx)
{
    return entry_put(ctx, "ReplaceNetworkAclEntry");
}

/* Whether the ACL still has the entry of `key` (moto fails, with a 500,
 * the delete of an entry that is not there). */
static int entry_exists(cfn_aws *aws, const cJSON *key, bool *exists)
{
    cJSON *ans = NULL;
    const cJSON *e;
    *exists = false;
    if (cfnkit_ec2_call(aws, "DescribeNetworkAcls",
                        cfnkit_ec2_ids("NetworkAclIds", cfn_json_string(key, "NetworkAclId")),
                        &ans) < 0)
        return cfnkit_ec2_gone(aws) ? 0 : -1;
    cJSON_ArrayForEach(e, cfnkit_ec2_get(ans, "NetworkAcls.0.Entries"))
    {
        const cJSON *n = cJSON_GetObjectItem(e, "RuleNumber");
        if (cJSON_IsNumber(n) &&
            n->valuedouble == cJSON_GetObjectItem(key, "RuleNumber")->valuedouble &&
            cJSON_IsTrue(cJSON_GetObjectItem(e, "Egress")) ==
                cJSON_IsTrue(cJSON_GetObjectItem(key, "Egress")))
            *exists = true;
    }
    cJSON_Delete(ans);
    return 0;
}

static int entry_remove(cfn_ctx *ctx)
{
    cfn_aws *aws;
    bool exists;
    cJSON *in = entry_key(ctx);
    if (!in)
        return 0; /* a Create refused for its properties made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0) {
        cJSON_Delete(in);
        return -1;
    }
    int rc = entry_exists(aws, in, &exists);
    if (rc == 0 && exists) {
        rc = cfnkit_ec2_delete(ctx, aws, "DeleteNetworkAclEntry", in);
        in = NULL;
    }
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static const char *const entry_replaces[] = {"Egress", "RuleNumber", "NetworkAclId", NULL};
static const char *const entry_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_network_acl_entry = {
    .type = "AWS::EC2::NetworkAclEntry",
    .create = entry_create,
    .update = entry_update,
    .remove = entry_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = entry_replaces,
    .attributes = entry_attrs,
};

/* ---- AWS::EC2::SubnetNetworkAclAssociation ---- */

/* A subnet always has one ACL: associating replaces the subnet's current
 * association, and deleting puts the subnet back on its VPC's default ACL. */
static const char *const acl_assoc_props[] = {"NetworkAclId", "SubnetId", NULL};

/* The ACL association of the subnet, or of the association id, with the
 * ACL's VPC: DescribeNetworkAcls filtered by `filter` = `value`. */
static int acl_association(cfn_aws *aws, const char *filter, const char *value, const char *want,
                           const char *member, char *assoc, char *vpc)
{
    cJSON *in = cfnkit_ec2_filters(filter, value, NULL, NULL);
    cJSON *ans = NULL;
    const cJSON *a;
    *assoc = *vpc = '\0';
    if (cfnkit_ec2_call(aws, "DescribeNetworkAcls", in, &ans) < 0)
        return -1;
    cJSON_ArrayForEach(a, cfnkit_ec2_get(ans, "NetworkAcls.0.Associations"))
    {
        const char *m = cfn_json_string(a, member),
                   *id = cfn_json_string(a, "NetworkAclAssociationId");
        if (m && id && strcmp(m, want) == 0) {
            snprintf(assoc, ID_SIZE, "%s", id);
            snprintf(vpc, ID_SIZE, "%s",
                     cfnkit_ec2_get_string(ans, "NetworkAcls.0.VpcId")
                         ? cfnkit_ec2_get_string(ans, "NetworkAcls.0.VpcId")
                         : "");
        }
    }
    cJSON_Delete(ans);
    return 0;
}

static int acl_assoc_create(cfn_ctx *ctx)
{
    const char *subnet, *acl;
    char assoc[ID_SIZE], vpc[ID_SIZE], id[ID_SIZE];
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, acl_assoc_props) < 0 ||
        cfn_prop_string(ctx, "SubnetId", &subnet) < 0 ||
        cfn_prop_string(ctx, "NetworkAclId", &acl) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (acl_association(aws, "association.subnet-id", subnet, subnet, "SubnetId", assoc, vpc) < 0)
        goto done;
    if (!*assoc) {
        rc = cfn_fail(ctx, "subnet %s has no network ACL association to replace", subnet);
        goto done;
    }
    rc = cfnkit_ec2_create(ctx, aws, "ReplaceNetworkAclAssociation",
                           cfnkit_json_strings(cJSON_CreateObject(), "AssociationId", assoc,
                                               "NetworkAclId", acl, NULL),
                           "NewAssociationId", "AssociationId", id, sizeof(id));
done:
    cfn_aws_free(aws);
    return rc;
}

static int acl_assoc_update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, acl_assoc_props) < 0)
        return -1;
    return cfn_set_data(ctx, "AssociationId", cfn_request_physical_id(ctx));
}

static int acl_assoc_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    char assoc[ID_SIZE], vpc[ID_SIZE], dflt[ID_SIZE];
    cfn_aws *aws = NULL;
    cJSON *ans = NULL;
    int rc = -1;
    if (strncmp(id, "aclassoc-", 9) != 0)
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (acl_association(aws, "association.association-id", id, id, "NetworkAclAssociationId", assoc,
                        vpc) < 0) {
        rc = cfnkit_ec2_gone(aws) ? 0 : -1;
        goto done;
    }
    if (!*assoc) {
        rc = 0; /* replaced or gone with its subnet */
        goto done;
    }
    if (cfnkit_ec2_call(aws, "DescribeNetworkAcls",
                        cfnkit_ec2_filters("vpc-id", vpc, "default", "true"), &ans) < 0)
        goto done;
    const char *acl = cfnkit_ec2_get_string(ans, "NetworkAcls.0.NetworkAclId");
    if (!acl) {
        rc = cfn_fail(ctx, "VPC %s has no default network ACL to put the subnet back on", vpc);
        goto done;
    }
    snprintf(dflt, sizeof(dflt), "%s", acl);
    rc = cfnkit_ec2_delete(
        ctx, aws, "ReplaceNetworkAclAssociation",
        cfnkit_json_strings(cJSON_CreateObject(), "AssociationId", id, "NetworkAclId", dflt, NULL));
done:
    cJSON_Delete(ans);
    cfn_aws_free(aws);
    return rc;
}

static const char *const acl_assoc_replaces[] = {"SubnetId", "NetworkAclId", NULL};
static const char *const acl_assoc_attrs[] = {"AssociationId", NULL};

const cfn_resource_type cfnkit_ec2_subnet_network_acl_association = {
    .type = "AWS::EC2::SubnetNetworkAclAssociation",
    .create = acl_assoc_create,
    .update = acl_assoc_update,
    .remove = acl_assoc_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = acl_assoc_replaces,
    .attributes = acl_assoc_attrs,
};

/* ---- AWS::EC2::EgressOnlyInternetGateway ---- */

static const char *const eigw_props[] = {"Tags", "VpcId", NULL};

static int eigw_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, eigw_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "egress-only-internet-gateway") < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfnkit_ec2_token(ctx, in) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "CreateEgressOnlyInternetGateway", in,
                           "EgressOnlyInternetGateway.EgressOnlyInternetGatewayId", "Id", id,
                           sizeof(id));
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int eigw_update(cfn_ctx *ctx)
{
    return cfnkit_ec2_update_tags(ctx, eigw_props, "Id");
}

static int eigw_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DeleteEgressOnlyInternetGateway", "EgressOnlyInternetGatewayId",
                             "eigw-");
}

static const char *const eigw_replaces[] = {"VpcId", NULL};
static const char *const eigw_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_egress_only_internet_gateway = {
    .type = "AWS::EC2::EgressOnlyInternetGateway",
    .create = eigw_create,
    .update = eigw_update,
    .remove = eigw_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = eigw_replaces,
    .attributes = eigw_attrs,
};

/* ---- AWS::EC2::VPCCidrBlock ---- */

/* Its physical id is "vpc-cidr-assoc-...|vpc-..." (Id|VpcId, the schema's
 * primary identifier). */
static const char *const cidr_props[] = {"AmazonProvidedIpv6CidrBlock",
                                         "CidrBlock",
                                         "Ipv6CidrBlock",
                                         "Ipv6CidrBlockNetworkBorderGroup",
                                         "Ipv6Pool",
                                         "VpcId",
                                         NULL};

/* The association `id` among the VPC's IPv4 and IPv6 blocks, with Data. */
static int cidr_read(cfn_ctx *ctx, cfn_aws *aws, const char *vpc, const char *id, bool wait)
{
    cJSON *ans = NULL;
    const char *sets[] = {"Vpcs.0.CidrBlockAssociationSet", "Vpcs.0.Ipv6CidrBlockAssociationSet"};
    for (int attempt = 0;; attempt++) {
        const cJSON *found = NULL, *a;
        if (cfnkit_ec2_call(aws, "DescribeVpcs", cfnkit_ec2_ids("VpcIds", vpc), &ans) < 0)
            return -1;
        for (int s = 0; s < 2; s++)
            cJSON_ArrayForEach(a, cfnkit_ec2_get(ans, sets[s]))
            {
                const char *aid = cfn_json_string(a, "AssociationId");
                if (aid && strcmp(aid, id) == 0)
                    found = a;
            }
        const char *state =
            cfnkit_ec2_get_string(found, found && cJSON_GetObjectItem(found, "Ipv6CidrBlockState")
                                             ? "Ipv6CidrBlockState.State"
                                             : "CidrBlockState.State");
        if (found && (!wait || !state || strcmp(state, "associated") == 0)) {
            static const char *const data[] = {"Ipv6AddressAttribute", "Ipv6AddressAttribute",
                                               "IpSource", "IpSource", NULL};
            int rc =
                cfn_set_data(ctx, "Id", id) < 0 || cfnkit_ec2_data(ctx, found, data) < 0 ? -1 : 0;
            cJSON_Delete(ans);
            return rc;
        }
        if (state && strstr(state, "fail")) {
            cfn_fail(ctx, "the CIDR block association %s is %s", id, state);
            cJSON_Delete(ans);
            return -1;
        }
        cJSON_Delete(ans);
        ans = NULL;
        if (cfn_sleep(ctx, cfn_backoff_ms(attempt, 200, 2000)) < 0)
            return cfn_fail(ctx, "the CIDR block association %s did not become associated in time",
                            id);
    }
}

static int cidr_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL;
    char id[2 * ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, cidr_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "CidrBlock", "CidrBlock", false) < 0 ||
        cfnkit_ec2_bool(ctx, in, "AmazonProvidedIpv6CidrBlock", "AmazonProvidedIpv6CidrBlock") <
            0 ||
        cfnkit_ec2_str(ctx, in, "Ipv6CidrBlock", "Ipv6CidrBlock", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "Ipv6Pool", "Ipv6Pool", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "Ipv6CidrBlockNetworkBorderGroup",
                       "Ipv6CidrBlockNetworkBorderGroup", false) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    char vpc[ID_SIZE];
    snprintf(vpc, sizeof(vpc), "%s", cfn_json_string(in, "VpcId"));
    rc = cfnkit_ec2_call(aws, "AssociateVpcCidrBlock", in, &out);
    in = NULL;
    if (rc < 0)
        goto done;
    rc = -1;
    const char *assoc = cfnkit_ec2_get_string(out, "CidrBlockAssociation.AssociationId");
    if (!assoc)
        assoc = cfnkit_ec2_get_string(out, "Ipv6CidrBlockAssociation.AssociationId");
    if (!assoc) {
        rc = cfn_fail(ctx, "EC2 AssociateVpcCidrBlock answered without an AssociationId");
        goto done;
    }
    snprintf(id, sizeof(id), "%s|%s", assoc, vpc);
    if (cfn_set_physical_id(ctx, id) < 0 || cidr_read(ctx, aws, vpc, assoc, true) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Every property is create-only: an Update reaching here changed nothing. */
static int cidr_update(cfn_ctx *ctx)
{
    char assoc[ID_SIZE], vpc[ID_SIZE];
    cfn_aws *aws;
    if (native_check_props(ctx, cidr_props) < 0)
        return -1;
    if (!split_id(cfn_request_physical_id(ctx), assoc, vpc, sizeof(assoc)))
        return cfn_fail(ctx, "physical id %s is not ASSOCIATION|VPC", cfn_request_physical_id(ctx));
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cidr_read(ctx, aws, vpc, assoc, false);
    cfn_aws_free(aws);
    return rc;
}

static int cidr_remove(cfn_ctx *ctx)
{
    char assoc[ID_SIZE], vpc[ID_SIZE];
    cfn_aws *aws;
    if (!split_id(cfn_request_physical_id(ctx), assoc, vpc, sizeof(assoc)))
        return 0; /* not an id this type gives: its Create made nothing */
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc =
        cfnkit_ec2_delete(ctx, aws, "DisassociateVpcCidrBlock",
                          cfnkit_json_strings(cJSON_CreateObject(), "AssociationId", assoc, NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const cidr_replaces[] = {"Ipv6Pool",
                                            "VpcId",
                                            "AmazonProvidedIpv6CidrBlock",
                                            "Ipv6CidrBlock",
                                            "CidrBlock",
                                            "Ipv4IpamPoolId",
                                            "Ipv4NetmaskLength",
                                            "Ipv6IpamPoolId",
                                            "Ipv6NetmaskLength",
                                            "Ipv6CidrBlockNetworkBorderGroup",
                                            NULL};
static const char *const cidr_write_only[] = {"Ipv4IpamPoolId", "Ipv4NetmaskLength",
                                              "Ipv6IpamPoolId", "Ipv6NetmaskLength", NULL};
static const char *const cidr_attrs[] = {"Id", "Ipv6AddressAttribute", "IpSource", NULL};

const cfn_resource_type cfnkit_ec2_vpc_cidr_block = {
    .type = "AWS::EC2::VPCCidrBlock",
    .create = cidr_create,
    .update = cidr_update,
    .remove = cidr_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = cidr_replaces,
    .attributes = cidr_attrs,
    .write_only = cidr_write_only,
};

/* ---- AWS::EC2::EIPAssociation ---- */

static const char *const eipa_props[] = {
    "AllocationId", "EIP", "InstanceId", "NetworkInterfaceId", "PrivateIpAddress", NULL};

static int eipa_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject();
    char id[ID_SIZE];
    int rc = -1;
    if (native_check_props(ctx, eipa_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "AllocationId", "AllocationId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "PublicIp", "EIP", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "InstanceId", "InstanceId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "NetworkInterfaceId", "NetworkInterfaceId", false) < 0 ||
        cfnkit_ec2_str(ctx, in, "PrivateIpAddress", "PrivateIpAddress", false) < 0)
        goto done;
    if (cfn_prop_has(ctx, "AllocationId") == cfn_prop_has(ctx, "EIP")) {
        rc = cfn_fail(ctx, "give exactly one of AllocationId and EIP");
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_create(ctx, aws, "AssociateAddress", in, "AssociationId", "Id", id, sizeof(id));
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

/* Every property is create-only: an Update reaching here changed nothing. */
static int eipa_update(cfn_ctx *ctx)
{
    if (native_check_props(ctx, eipa_props) < 0)
        return -1;
    return cfn_set_data(ctx, "Id", cfn_request_physical_id(ctx));
}

static int eipa_remove(cfn_ctx *ctx)
{
    return cfnkit_ec2_remove(ctx, "DisassociateAddress", "AssociationId", "eipassoc-");
}

static const char *const eipa_replaces[] = {
    "AllocationId", "NetworkInterfaceId", "InstanceId", "PrivateIpAddress", "EIP", NULL};
static const char *const eipa_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_eip_association = {
    .type = "AWS::EC2::EIPAssociation",
    .create = eipa_create,
    .update = eipa_update,
    .remove = eipa_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = eipa_replaces,
    .attributes = eipa_attrs,
};
