/* AWS::EC2::SecurityGroup with its inline rules, and the stand-alone rules
 * AWS::EC2::SecurityGroupIngress and ::SecurityGroupEgress. */
#include "ec2.h"

#include "awsjson.h"
#include "aws/native.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The property names of a rule, inline or stand-alone. */
typedef struct rule_keys {
    const char *list; /* the SecurityGroup's property holding such rules */
    const char *group, *group_name, *owner, *prefix_list;
} rule_keys;

static const rule_keys ingress = {"SecurityGroupIngress", "SourceSecurityGroupId",
                                  "SourceSecurityGroupName", "SourceSecurityGroupOwnerId",
                                  "SourcePrefixListId"};
static const rule_keys egress = {"SecurityGroupEgress", "DestinationSecurityGroupId", NULL, NULL,
                                 "DestinationPrefixListId"};

static int port(cfn_ctx *ctx, bool old, cJSON *perm, const char *prefix, const char *name)
{
    char path[160], buf[64], *end;
    snprintf(path, sizeof(path), "%s%s", prefix, name);
    const char *s = cfnkit_ec2_scalar(ctx, old, path, buf, sizeof(buf));
    if (!s)
        return 0;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || *end || end == s || n < -1 || n > 65535)
        return cfn_fail(ctx, "property %s must be a port (or an ICMP type or code), -1 to 65535",
                        path);
    return cJSON_AddNumberToObject(perm, name, (double)n) ? 0 : cfn_fail(ctx, "out of memory");
}

/* The IpPermission of the rule whose properties start at `prefix` ("" for
 * a stand-alone rule, "SecurityGroupIngress.2." inline), of the new or old
 * properties; NULL with the reason set. Members come in a fixed order, so
 * that two equal rules print alike. */
static cJSON *permission(cfn_ctx *ctx, bool old, const char *prefix, const rule_keys *keys)
{
    char path[160], pb[64], vb[128], db[256], ob[64];
    const char *sources[] = {"CidrIp", "CidrIpv6", keys->group, keys->group_name,
                             keys->prefix_list};
    const char *members[] = {"CidrIp", "CidrIpv6", "GroupId", "GroupName", "PrefixListId"};
    const char *lists[] = {"IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "UserIdGroupPairs",
                           "PrefixListIds"};
    const char *value = NULL, *desc, *owner = NULL;
    size_t which = 0, n = 0;
    snprintf(path, sizeof(path), "%sIpProtocol", prefix);
    const char *proto = cfnkit_ec2_scalar(ctx, old, path, pb, sizeof(pb));
    if (!proto) {
        cfn_fail(ctx, "property %s is required but missing", path);
        return NULL;
    }
    for (size_t i = 0; i < 5; i++) {
        const char *v;
        if (!sources[i])
            continue;
        snprintf(path, sizeof(path), "%s%s", prefix, sources[i]);
        if ((v = cfnkit_ec2_scalar(ctx, old, path, vb, sizeof(vb)))) {
            value = v;
            which = i;
            n++;
        }
    }
    if (n != 1) {
        cfn_fail(ctx, "rule %.*s: give exactly one of CidrIp, CidrIpv6, %s%s%s and %s",
                 *prefix ? (int)strlen(prefix) - 1 : 4, *prefix ? prefix : "rule", keys->group,
                 keys->group_name ? ", " : "", keys->group_name ? keys->group_name : "",
                 keys->prefix_list);
        return NULL;
    }
    snprintf(path, sizeof(path), "%sDescription", prefix);
    desc = cfnkit_ec2_scalar(ctx, old, path, db, sizeof(db));
    if (keys->owner && which >= 2 && which <= 3) {
        snprintf(path, sizeof(path), "%s%s", prefix, keys->owner);
        owner = cfnkit_ec2_scalar(ctx, old, path, ob, sizeof(ob));
    }
    cJSON *perm = cfnkit_json_strings(cJSON_CreateObject(), "IpProtocol", proto, NULL);
    cJSON *item = cfnkit_json_strings(cJSON_CreateObject(), members[which], value, "UserId", owner,
                                      "Description", desc, NULL);
    cJSON *list = cJSON_CreateArray();
    if (!perm || !item || !list || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(perm);
        cJSON_Delete(item);
        cJSON_Delete(list);
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (port(ctx, old, perm, prefix, "FromPort") < 0 ||
        port(ctx, old, perm, prefix, "ToPort") < 0 || !cfnkit_json_item(perm, lists[which], list)) {
        if (!cfn_reason(ctx))
            cfn_fail(ctx, "out of memory");
        cJSON_Delete(list);
        cJSON_Delete(perm);
        return NULL;
    }
    return perm;
}

/* The members an inline rule may have. */
static int rule_members(cfn_ctx *ctx, const cJSON *rule, const char *path, const rule_keys *keys)
{
    const char *allowed[] = {"IpProtocol",
                             "FromPort",
                             "ToPort",
                             "Description",
                             "CidrIp",
                             "CidrIpv6",
                             keys->group,
                             keys->prefix_list,
                             keys->group_name ? keys->group_name : "",
                             keys->owner ? keys->owner : "",
                             NULL};
    const cJSON *m;
    if (!cJSON_IsObject(rule))
        return cfn_fail(ctx, "property %s must be a map", path);
    cJSON_ArrayForEach(m, rule)
    {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], m->string) != 0)
            i++;
        if (!allowed[i] || !*allowed[i])
            return cfn_fail(ctx, "%s property %s.%s is not supported by cfnkit's local engine",
                            cfn_request_resource_type(ctx), path, m->string);
    }
    return 0;
}

/* EC2's own egress rule of a new VPC security group: everything out. */
static cJSON *default_egress(void)
{
    cJSON *perm = cfnkit_json_strings(cJSON_CreateObject(), "IpProtocol", "-1", NULL);
    cJSON *range = cfnkit_json_strings(cJSON_CreateObject(), "CidrIp", "0.0.0.0/0", NULL);
    cJSON *list = cJSON_CreateArray();
    if (!range || !list || !cJSON_AddItemToArray(list, range)) {
        cJSON_Delete(range);
        cJSON_Delete(list);
        cJSON_Delete(perm);
        return NULL;
    }
    return cfnkit_json_item(perm, "IpRanges", list);
}

/* The rules of the new or old properties as IpPermissions. Egress without
 * rules is EC2's default rule, which CloudFormation removes only when the
 * template gives egress rules (and puts back when they go). */
static cJSON *rules_of(cfn_ctx *ctx, bool old, const rule_keys *keys)
{
    const cJSON *props = old ? cfn_request_old_props(ctx) : cfn_request_props(ctx);
    const cJSON *list = cfnkit_ec2_get(props, keys->list), *rule;
    cJSON *out = cJSON_CreateArray();
    int i = 0;
    if (!out) {
        cfn_fail(ctx, "out of memory");
        return NULL;
    }
    if (list && !cJSON_IsArray(list)) {
        cfn_fail(ctx, "property %s must be a list of rules", keys->list);
        cJSON_Delete(out);
        return NULL;
    }
    cJSON_ArrayForEach(rule, list)
    {
        char prefix[64];
        snprintf(prefix, sizeof(prefix), "%s.%d", keys->list, i++);
        if (rule_members(ctx, rule, prefix, keys) < 0)
            goto fail;
        strcat(prefix, ".");
        cJSON *perm = permission(ctx, old, prefix, keys);
        if (!perm)
            goto fail;
        cJSON_AddItemToArray(out, perm);
    }
    if (keys == &egress && cJSON_GetArraySize(out) == 0) {
        cJSON *perm = default_egress();
        if (!perm) {
            cfn_fail(ctx, "out of memory");
            goto fail;
        }
        cJSON_AddItemToArray(out, perm);
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

static bool has_rule(const cJSON *rules, const cJSON *perm)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, rules)
    {
        if (cJSON_Compare(r, perm, true))
            return true;
    }
    return false;
}

/* The rules of `from` that `other` lacks, as {GroupId, IpPermissions}. */
static cJSON *difference(const char *group_id, const cJSON *from, const cJSON *other)
{
    cJSON *perms = cJSON_CreateArray();
    const cJSON *r;
    cJSON_ArrayForEach(r, from)
    {
        if (perms && !has_rule(other, r) &&
            !cJSON_AddItemToArray(perms, cJSON_Duplicate(r, true))) {
            cJSON_Delete(perms);
            perms = NULL;
        }
    }
    return cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "GroupId", group_id, NULL),
                            "IpPermissions", perms);
}

/* Authorizes {GroupId, IpPermissions}. A rule that is there already (a
 * Create delivered again) is no error: EC2 refuses the whole call for it, so
 * then each rule goes alone. */
static int authorize(cfn_aws *aws, const char *op, const cJSON *in)
{
    const cJSON *perms = cJSON_GetObjectItem(in, "IpPermissions"), *p;
    if (cfn_aws_call(aws, "ec2", op, in, NULL) == 0)
        return 0;
    if (!cfn_aws_error_is(aws, "InvalidPermission.Duplicate"))
        return -1;
    cJSON_ArrayForEach(p, perms)
    {
        cJSON *one = cfnkit_json_item(cfnkit_json_strings(cJSON_CreateObject(), "GroupId",
                                                          cfn_json_string(in, "GroupId"), NULL),
                                      "IpPermissions", cJSON_CreateArray());
        if (!one || !cJSON_AddItemToArray(cJSON_GetObjectItem(one, "IpPermissions"),
                                          cJSON_Duplicate(p, true))) {
            cJSON_Delete(one);
            return cfn_error_set(CFN_ENOMEM, "out of memory");
        }
        int rc = cfn_aws_call(aws, "ec2", op, one, NULL);
        cJSON_Delete(one);
        if (rc < 0 && !cfn_aws_error_is(aws, "InvalidPermission.Duplicate"))
            return -1;
    }
    return 0;
}

/* Makes the group's rules of one direction go from `before` to the rules of
 * the template: revokes what went, authorizes what came. */
static int rules_sync(cfn_ctx *ctx, cfn_aws *aws, const char *group_id, const rule_keys *keys,
                      const cJSON *before)
{
    const bool in = keys == &ingress;
    cJSON *now = rules_of(ctx, false, keys), *gone = NULL, *added = NULL;
    int rc = -1;
    if (!now)
        return -1;
    gone = difference(group_id, before, now);
    added = difference(group_id, now, before);
    if (!gone || !added) {
        cfn_fail(ctx, "out of memory");
        goto done;
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItem(gone, "IpPermissions")) > 0 &&
        cfn_aws_call(aws, "ec2", in ? "RevokeSecurityGroupIngress" : "RevokeSecurityGroupEgress",
                     gone, NULL) < 0 &&
        !cfnkit_ec2_gone(aws))
        goto done;
    if (cJSON_GetArraySize(cJSON_GetObjectItem(added, "IpPermissions")) > 0 &&
        authorize(aws, in ? "AuthorizeSecurityGroupIngress" : "AuthorizeSecurityGroupEgress",
                  added) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(now);
    cJSON_Delete(gone);
    cJSON_Delete(added);
    return rc;
}

/* ---- AWS::EC2::SecurityGroup ---- */

static const char *const group_props[] = {"GroupDescription",
                                          "GroupName",
                                          "SecurityGroupEgress",
                                          "SecurityGroupIngress",
                                          "Tags",
                                          "VpcId",
                                          NULL};

/* Ref: the group's id when the template names a VPC, else its name (the
 * default VPC's groups, as CloudFormation documents). */
static int group_read(cfn_ctx *ctx, cfn_aws *aws, const char *physical_id, cJSON **group)
{
    cJSON *ans = NULL;
    bool by_id = strncmp(physical_id, "sg-", 3) == 0;
    if (cfnkit_ec2_call(aws, "DescribeSecurityGroups",
                        cfnkit_ec2_ids(by_id ? "GroupIds" : "GroupNames", physical_id), &ans) < 0)
        return -1;
    cJSON *g = cJSON_DetachItemFromArray(cJSON_GetObjectItem(ans, "SecurityGroups"), 0);
    cJSON_Delete(ans);
    if (!g)
        return cfn_fail(ctx, "security group %s is not there any more", physical_id);
    static const char *const data[] = {"GroupId", "GroupId", "Id", "GroupId",
                                       "VpcId",   "VpcId",   NULL};
    if (cfnkit_ec2_data(ctx, g, data) < 0) {
        cJSON_Delete(g);
        return -1;
    }
    *group = g;
    return 0;
}

static int group_create(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *in = cJSON_CreateObject(), *out = NULL, *before_in = NULL, *before_out = NULL,
          *group = NULL;
    char *name = NULL;
    int rc = -1;
    if (native_check_props(ctx, group_props) < 0 || !in ||
        cfnkit_ec2_str(ctx, in, "Description", "GroupDescription", true) < 0 ||
        cfnkit_ec2_str(ctx, in, "VpcId", "VpcId", false) < 0 ||
        cfnkit_ec2_tag_spec(ctx, in, "security-group") < 0)
        goto done;
    /* Every rule checked before anything is made. */
    if (!(before_in = rules_of(ctx, false, &ingress)) ||
        !(before_out = rules_of(ctx, false, &egress)))
        goto done;
    cJSON_Delete(before_in);
    cJSON_Delete(before_out);
    before_in = cJSON_CreateArray();
    before_out = cJSON_CreateArray();
    cJSON *dflt = default_egress();
    if (!before_in || !before_out || !dflt) {
        cJSON_Delete(dflt);
        rc = cfn_fail(ctx, "out of memory");
        goto done;
    }
    cJSON_AddItemToArray(before_out, dflt);
    if (cfn_prop_has(ctx, "GroupName")) {
        if (cfnkit_ec2_str(ctx, in, "GroupName", "GroupName", true) < 0)
            goto done;
    } else if (native_name(ctx, 255, 0, &name) < 0 ||
               !cJSON_AddStringToObject(in, "GroupName", name)) {
        rc = cfn_reason(ctx) ? -1 : cfn_fail(ctx, "out of memory");
        goto done;
    }
    char group_name[256];
    snprintf(group_name, sizeof(group_name), "%s", cfn_json_string(in, "GroupName"));
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    char id[128];
    int made = cfnkit_ec2_made(ctx, aws, "DescribeSecurityGroups", "SecurityGroups.0.GroupId", id,
                               sizeof(id));
    if (made < 0)
        goto done;
    if (!made) {
        cJSON *req = in;
        in = NULL;
        if (cfnkit_ec2_call(aws, "CreateSecurityGroup", req, &out) < 0)
            goto done;
        const char *made_id = cfnkit_ec2_get_string(out, "GroupId");
        if (!made_id) {
            rc = cfn_fail(ctx, "EC2 CreateSecurityGroup answered without GroupId");
            goto done;
        }
        snprintf(id, sizeof(id), "%s", made_id);
    }
    if (cfn_set_physical_id(ctx, cfn_prop_has(ctx, "VpcId") ? id : group_name) < 0 ||
        rules_sync(ctx, aws, id, &ingress, before_in) < 0 ||
        rules_sync(ctx, aws, id, &egress, before_out) < 0 || group_read(ctx, aws, id, &group) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(before_in);
    cJSON_Delete(before_out);
    cJSON_Delete(group);
    free(name);
    cfn_aws_free(aws);
    return rc;
}

static int group_update(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    cJSON *group = NULL, *before_in = NULL, *before_out = NULL;
    int rc = -1;
    if (native_check_props(ctx, group_props) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0 ||
        group_read(ctx, aws, cfn_request_physical_id(ctx), &group) < 0)
        goto done;
    const char *id = cfn_json_string(group, "GroupId");
    if (!(before_in = rules_of(ctx, true, &ingress)) ||
        !(before_out = rules_of(ctx, true, &egress)) ||
        rules_sync(ctx, aws, id, &ingress, before_in) < 0 ||
        rules_sync(ctx, aws, id, &egress, before_out) < 0 || cfnkit_ec2_retag(ctx, aws, id) < 0)
        goto done;
    rc = 0;
done:
    cJSON_Delete(group);
    cJSON_Delete(before_in);
    cJSON_Delete(before_out);
    cfn_aws_free(aws);
    return rc;
}

static int group_remove(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx);
    cfn_aws *aws;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = cfnkit_ec2_delete(
        ctx, aws, "DeleteSecurityGroup",
        cfnkit_json_strings(cJSON_CreateObject(),
                            strncmp(id, "sg-", 3) == 0 ? "GroupId" : "GroupName", id, NULL));
    cfn_aws_free(aws);
    return rc;
}

static const char *const group_replaces[] = {"GroupDescription", "GroupName", "VpcId", NULL};
static const char *const group_write_only[] = {"SecurityGroupIngress", NULL};
static const char *const group_attrs[] = {"GroupId", "Id", "VpcId", NULL};

const cfn_resource_type cfnkit_ec2_security_group = {
    .type = "AWS::EC2::SecurityGroup",
    .create = group_create,
    .update = group_update,
    .remove = group_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = group_replaces,
    .attributes = group_attrs,
    .write_only = group_write_only,
};

/* ---- AWS::EC2::SecurityGroupIngress and ::SecurityGroupEgress ---- */

static const char *const ingress_props[] = {"CidrIp",
                                            "CidrIpv6",
                                            "Description",
                                            "FromPort",
                                            "GroupId",
                                            "GroupName",
                                            "IpProtocol",
                                            "SourcePrefixListId",
                                            "SourceSecurityGroupId",
                                            "SourceSecurityGroupName",
                                            "SourceSecurityGroupOwnerId",
                                            "ToPort",
                                            NULL};
static const char *const egress_props[] = {"CidrIp",
                                           "CidrIpv6",
                                           "Description",
                                           "DestinationPrefixListId",
                                           "DestinationSecurityGroupId",
                                           "FromPort",
                                           "GroupId",
                                           "IpProtocol",
                                           "ToPort",
                                           NULL};

/* {GroupId or GroupName, IpPermissions: [the rule]}. */
static cJSON *rule_input(cfn_ctx *ctx, const rule_keys *keys)
{
    cJSON *in = cJSON_CreateObject(), *perm, *list;
    if (!in)
        goto oom;
    if (cfn_prop_has(ctx, "GroupId") || keys == &egress) {
        if (cfnkit_ec2_str(ctx, in, "GroupId", "GroupId", true) < 0)
            goto fail;
    } else if (cfnkit_ec2_str(ctx, in, "GroupName", "GroupName", false) < 0) {
        goto fail;
    } else if (!cJSON_GetObjectItem(in, "GroupName")) {
        cfn_fail(ctx, "give GroupId or GroupName");
        goto fail;
    }
    if (!(perm = permission(ctx, false, "", keys)))
        goto fail;
    if (!(list = cJSON_AddArrayToObject(in, "IpPermissions")) ||
        !cJSON_AddItemToArray(list, perm)) {
        cJSON_Delete(perm);
        goto oom;
    }
    return in;
oom:
    cfn_fail(ctx, "out of memory");
fail:
    cJSON_Delete(in);
    return NULL;
}

static int rule_create(cfn_ctx *ctx, const rule_keys *keys, const char *const *supported)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *out = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 || !(in = rule_input(ctx, keys)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_aws_call(aws, "ec2",
                     keys == &ingress ? "AuthorizeSecurityGroupIngress"
                                      : "AuthorizeSecurityGroupEgress",
                     in, &out) < 0)
        goto done;
    const char *id = cfnkit_ec2_get_string(out, "SecurityGroupRules.0.SecurityGroupRuleId");
    if (!id)
        rc = cfn_fail(ctx, "EC2 answered without the rule's SecurityGroupRuleId");
    else
        rc = cfn_set_physical_id(ctx, id) < 0 || cfn_set_data(ctx, "Id", id) < 0 ? -1 : 0;
done:
    cJSON_Delete(in);
    cJSON_Delete(out);
    cfn_aws_free(aws);
    return rc;
}

/* Only Description changes in place; the rest is create-only. */
static int rule_update(cfn_ctx *ctx, const rule_keys *keys, const char *const *supported)
{
    cfn_aws *aws = NULL;
    cJSON *in = NULL;
    int rc = -1;
    if (native_check_props(ctx, supported) < 0 || !(in = rule_input(ctx, keys)) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Description") &&
        cfn_aws_call(aws, "ec2",
                     keys == &ingress ? "UpdateSecurityGroupRuleDescriptionsIngress"
                                      : "UpdateSecurityGroupRuleDescriptionsEgress",
                     in, NULL) < 0)
        goto done;
    rc = cfn_set_data(ctx, "Id", cfn_request_physical_id(ctx));
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int rule_remove(cfn_ctx *ctx, const rule_keys *keys)
{
    cfn_aws *aws = NULL;
    const char *id = cfn_request_physical_id(ctx);
    cJSON *in = cJSON_CreateObject();
    int rc = -1;
    if (strncmp(id, "sgr-", 4) != 0) {
        rc = 0; /* not an id this type gives: its Create made nothing */
        goto done;
    }
    if (!in ||
        (cfn_prop_has(ctx, "GroupId")
             ? cfnkit_ec2_str(ctx, in, "GroupId", "GroupId", true)
             : cfnkit_ec2_str(ctx, in, "GroupName", "GroupName", true)) < 0 ||
        !(in = cfnkit_json_item(in, "SecurityGroupRuleIds", cJSON_CreateStringArray(&id, 1))) ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = cfnkit_ec2_delete(
        ctx, aws, keys == &ingress ? "RevokeSecurityGroupIngress" : "RevokeSecurityGroupEgress",
        in);
    in = NULL;
done:
    cJSON_Delete(in);
    cfn_aws_free(aws);
    return rc;
}

static int ingress_create(cfn_ctx *ctx)
{
    return rule_create(ctx, &ingress, ingress_props);
}

static int ingress_update(cfn_ctx *ctx)
{
    return rule_update(ctx, &ingress, ingress_props);
}

static int ingress_remove(cfn_ctx *ctx)
{
    return rule_remove(ctx, &ingress);
}

static int egress_create(cfn_ctx *ctx)
{
    return rule_create(ctx, &egress, egress_props);
}

static int egress_update(cfn_ctx *ctx)
{
    return rule_update(ctx, &egress, egress_props);
}

static int egress_remove(cfn_ctx *ctx)
{
    return rule_remove(ctx, &egress);
}

static const char *const ingress_replaces[] = {"GroupName",
                                               "IpProtocol",
                                               "SourceSecurityGroupId",
                                               "SourcePrefixListId",
                                               "ToPort",
                                               "CidrIp",
                                               "SourceSecurityGroupName",
                                               "SourceSecurityGroupOwnerId",
                                               "FromPort",
                                               "GroupId",
                                               "CidrIpv6",
                                               NULL};
static const char *const egress_replaces[] = {
    "IpProtocol", "DestinationSecurityGroupId", "ToPort", "CidrIp", "FromPort", "GroupId",
    "CidrIpv6",   "DestinationPrefixListId",    NULL};
static const char *const rule_attrs[] = {"Id", NULL};

const cfn_resource_type cfnkit_ec2_security_group_ingress = {
    .type = "AWS::EC2::SecurityGroupIngress",
    .create = ingress_create,
    .update = ingress_update,
    .remove = ingress_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = ingress_replaces,
    .attributes = rule_attrs,
};

const cfn_resource_type cfnkit_ec2_security_group_egress = {
    .type = "AWS::EC2::SecurityGroupEgress",
    .create = egress_create,
    .update = egress_update,
    .remove = egress_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = egress_replaces,
    .attributes = rule_attrs,
};
