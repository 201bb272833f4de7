/* Inline IAM policies. AWS::IAM::RolePolicy: one policy of one role; Ref
 * "<PolicyName>|<RoleName>" (its primary identifier). AWS::IAM::Policy: one
 * policy document put on each of its Roles, Users and Groups under
 * PolicyName; Ref and GetAtt Id: a generated id, "<stack>-<logical id>-<suffix>". */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_policy_known[] = {"PolicyDocument", "PolicyName", "RoleName", NULL};

static int put_role_policy(cfn_ctx *ctx)
{
    const char *name, *role;
    char *doc = NULL, id[CFN_MAX_PHYSICAL_ID_BYTES + 1];
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, role_policy_known) < 0 ||
        cfn_prop_string(ctx, "PolicyName", &name) < 0 ||
        cfn_prop_string(ctx, "RoleName", &role) < 0 ||
        iam_document(ctx, "PolicyDocument", false, &doc) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (iam_call(ctx, aws, "PutRolePolicy",
                 cfnkit_json_strings(cJSON_CreateObject(), "RoleName", role, "PolicyName", name,
                                     "PolicyDocument", doc, NULL),
                 NULL, NULL) < 0)
        goto done;
    snprintf(id, sizeof(id), "%s|%s", name, role);
    rc = cfn_set_physical_id(ctx, id);
done:
    free(doc);
    cfn_aws_free(aws);
    return rc;
}

static int remove_role_policy(cfn_ctx *ctx)
{
    const char *id = cfn_request_physical_id(ctx), *bar = strchr(id, '|');
    char name[256];
    cfn_aws *aws = NULL;
    if (!bar || (size_t)(bar - id) >= sizeof(name) || !iam_valid_name(bar + 1, 64)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a role policy id: nothing to delete", id);
        return 0;
    }
    snprintf(name, sizeof(name), "%.*s", (int)(bar - id), id);
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = iam_call(
        ctx, aws, "DeleteRolePolicy",
        cfnkit_json_strings(cJSON_CreateObject(), "RoleName", bar + 1, "PolicyName", name, NULL),
        NULL, "NoSuchEntity");
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static const char *const role_policy_replaces[] = {"PolicyName", "RoleName", NULL};

const cfn_resource_type native_iam_role_policy = {
    .type = "AWS::IAM::RolePolicy",
    .create = put_role_policy,
    .update = put_role_policy,
    .remove = remove_role_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = role_policy_replaces,
};

/* AWS::IAM::Policy's targets: the property, the IAM operations and the
 * name member they take. */
typedef struct target_kind {
    const char *prop, *put, *delete, *member;
} target_kind;

static const target_kind kinds[] = {
    {"Roles", "PutRolePolicy", "DeleteRolePolicy", "RoleName"},
    {"Users", "PutUserPolicy", "DeleteUserPolicy", "UserName"},
    {"Groups", "PutGroupPolicy", "DeleteGroupPolicy", "GroupName"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char *const policy_known[] = {"Groups", "PolicyDocument", "PolicyName",
                                           "Roles",  "Users",          NULL};

/* Deletes policy `name` from every target of the old (or, !old, current)
 * properties; with `keep_same`, not from those the current ones still list. */
static int delete_from(cfn_ctx *ctx, cfn_aws *aws, const char *name, bool old, bool keep_same)
{
    for (size_t k = 0; k < NKINDS; k++) {
        const cJSON *targets, *now = NULL, *t;
        if (iam_names(ctx, kinds[k].prop, old, &targets) < 0 ||
            (keep_same && iam_names(ctx, kinds[k].prop, false, &now) < 0))
            return -1;
        cJSON_ArrayForEach(t, targets)
        {
            if (keep_same && iam_has(now, t->valuestring))
                continue;
            if (iam_call(ctx, aws, kinds[k].delete,
                         cfnkit_json_strings(cJSON_CreateObject(), kinds[k].member, t->valuestring,
                                             "PolicyName", name, NULL),
                         NULL, "NoSuchEntity") < 0)
                return -1;
        }
    }
    return 0;
}

static int put_policy(cfn_ctx *ctx, const char *id)
{
    const char *name;
    char *doc = NULL;
    cfn_aws *aws = NULL;
    int rc = -1, targets = 0;
    if (native_check_props(ctx, policy_known) < 0 ||
        cfn_prop_string(ctx, "PolicyName", &name) < 0 ||
        iam_document(ctx, "PolicyDocument", false, &doc) < 0)
        goto done;
    for (size_t k = 0; k < NKINDS; k++) {
        const cJSON *list;
        if (iam_names(ctx, kinds[k].prop, false, &list) < 0)
            goto done;
        targets += cJSON_GetArraySize(list);
    }
    /* CloudFormation's rule: a policy must name where it goes. */
    if (!targets) {
        rc = cfn_fail(ctx, "AWS::IAM::Policy needs at least one of Roles, Users or Groups");
        goto done;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_request_action(ctx) == CFN_UPDATE) {
        const char *old_name;
        if (cfn_old_prop_string(ctx, "PolicyName", &old_name) < 0)
            goto done;
        /* A renamed policy leaves every old target; otherwise only the
         * targets dropped lose it. */
        if (delete_from(ctx, aws, old_name, true, strcmp(old_name, name) == 0) < 0)
            goto done;
    }
    for (size_t k = 0; k < NKINDS; k++) {
        const cJSON *list, *t;
        iam_names(ctx, kinds[k].prop, false, &list);
        cJSON_ArrayForEach(t, list)
        {
            if (iam_call(ctx, aws, kinds[k].put,
                         cfnkit_json_strings(cJSON_CreateObject(), kinds[k].member, t->valuestring,
                                             "PolicyName", name, "PolicyDocument", doc, NULL),
                         NULL, NULL) < 0)
                goto done;
        }
    }
    rc = cfn_set_data(ctx, "Id", id);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, id);
done:
    free(doc);
    cfn_aws_free(aws);
    return rc;
}

static int create_policy(cfn_ctx *ctx)
{
    char *id = NULL;
    if (native_name(ctx, 128, 0, &id) < 0)
        return -1;
    int rc = put_policy(ctx, id);
    free(id);
    return rc;
}

static int update_policy(cfn_ctx *ctx)
{
    return put_policy(ctx, cfn_request_physical_id(ctx));
}

/* The targets are read from the Delete's properties, which name them. */
static int remove_policy(cfn_ctx *ctx)
{
    const char *name;
    cfn_aws *aws = NULL;
    if (cfn_prop_string_or(ctx, "PolicyName", NULL, &name) < 0)
        return -1;
    if (!name) {
        cfn_log(CFN_LOG_INFO, "no PolicyName: nothing to delete");
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_from(ctx, aws, name, false, false);
    cfn_aws_free(aws);
    return rc;
}

static const char *const policy_attributes[] = {"Id", NULL};

const cfn_resource_type native_iam_policy = {
    .type = "AWS::IAM::Policy",
    .create = create_policy,
    .update = update_policy,
    .remove = remove_policy,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = policy_attributes,
};
