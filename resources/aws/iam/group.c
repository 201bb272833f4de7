/* AWS::IAM::Group: a group with its inline and managed policies; Ref the
 * group name, GetAtt Arn. AWS::IAM::UserToGroupAddition: users added to a
 * group; Ref and GetAtt Id, a generated id. */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdlib.h>
#include <string.h>

static const char *const group_known[] = {"GroupName", "ManagedPolicyArns", "Path", "Policies",
                                          NULL};

#define GROUP(n) ((iam_principal){"Group", "GroupName", (n)})

static int group_answer(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *out;
    if (iam_call(ctx, aws, "GetGroup",
                 cfnkit_json_strings(cJSON_CreateObject(), "GroupName", name, NULL), &out,
                 NULL) < 0)
        return -1;
    const char *arn = cfn_json_string(cJSON_GetObjectItem(out, "Group"), "Arn");
    int rc =
        arn ? cfn_set_data(ctx, "Arn", arn) : cfn_fail(ctx, "IAM GetGroup: the answer has no Arn");
    cJSON_Delete(out);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

/* Its policies first, then the group. A group already gone is deleted. */
static int delete_group(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    int rc = iam_principal_clear(ctx, aws, &GROUP(name));
    if (rc == 0 && iam_call(ctx, aws, "DeleteGroup",
                            cfnkit_json_strings(cJSON_CreateObject(), "GroupName", name, NULL),
                            NULL, "NoSuchEntity") < 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}

static int group_create(cfn_ctx *ctx)
{
    const char *given, *path;
    char *name = NULL;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, group_known) < 0 ||
        cfn_prop_string_or(ctx, "GroupName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0)
        goto done;
    if (given ? !(name = strdup(given)) : native_name(ctx, 128, 0, &name) < 0)
        goto done;
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = iam_call(ctx, aws, "CreateGroup",
                  cfnkit_json_strings(cJSON_CreateObject(), "GroupName", name, "Path", path, NULL),
                  NULL, "EntityAlreadyExists");
    if (rc == 1 && given) {
        rc = cfn_fail(
            ctx, "Resource of type 'AWS::IAM::Group' with identifier '%s' already exists.", name);
        goto done;
    }
    /* 1: a generated name is drawn from the request: the group this Create
     * made when it was delivered before. */
    rc = rc < 0 ? -1 : 0;
    if (rc == 0)
        rc = iam_sync_inline(ctx, aws, &GROUP(name), false);
    if (rc == 0)
        rc = iam_sync_managed(ctx, aws, &GROUP(name), false);
    if (rc == 0)
        rc = group_answer(ctx, aws, name);
    if (rc < 0)
        iam_undo(ctx, aws, name, delete_group);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int group_update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx), *path;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, group_known) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0 || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Path") &&
        iam_call(
            ctx, aws, "UpdateGroup",
            cfnkit_json_strings(cJSON_CreateObject(), "GroupName", name, "NewPath", path, NULL),
            NULL, NULL) < 0)
        goto done;
    if (iam_sync_inline(ctx, aws, &GROUP(name), true) == 0 &&
        iam_sync_managed(ctx, aws, &GROUP(name), true) == 0)
        rc = group_answer(ctx, aws, name);
done:
    cfn_aws_free(aws);
    return rc;
}

static int group_remove(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (!iam_valid_name(name, 128)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a group name: nothing to delete", name);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_group(ctx, aws, name);
    cfn_aws_free(aws);
    return rc;
}

static const char *const group_replaces[] = {"GroupName", NULL};
static const char *const group_attributes[] = {"Arn", NULL};

const cfn_resource_type native_iam_group = {
    .type = "AWS::IAM::Group",
    .create = group_create,
    .update = group_update,
    .remove = group_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = group_replaces,
    .attributes = group_attributes,
};

static const char *const addition_known[] = {"GroupName", "Users", NULL};

/* Removes the users of the old (or, !old, current) properties from their
 * group; with `keep_same`, not those the current properties still add to
 * the same group. */
static int remove_users(cfn_ctx *ctx, cfn_aws *aws, bool old, bool keep_same)
{
    const char *group;
    const cJSON *users, *now = NULL, *u;
    if ((old ? cfn_old_prop_string(ctx, "GroupName", &group)
             : cfn_prop_string(ctx, "GroupName", &group)) < 0 ||
        iam_names(ctx, "Users", old, &users) < 0 ||
        (keep_same && iam_names(ctx, "Users", false, &now) < 0))
        return -1;
    cJSON_ArrayForEach(u, users)
    {
        if (keep_same && iam_has(now, u->valuestring))
            continue;
        if (iam_call(ctx, aws, "RemoveUserFromGroup",
                     cfnkit_json_strings(cJSON_CreateObject(), "GroupName", group, "UserName",
                                         u->valuestring, NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

static int add_users(cfn_ctx *ctx, const char *id)
{
    const char *group;
    const cJSON *users, *u;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, addition_known) < 0 ||
        cfn_prop_string(ctx, "GroupName", &group) < 0 || iam_names(ctx, "Users", false, &users) < 0)
        return -1;
    if (!users)
        return cfn_fail(ctx, "AWS::IAM::UserToGroupAddition property Users is required");
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    if (cfn_request_action(ctx) == CFN_UPDATE) {
        const char *old_group;
        if (cfn_old_prop_string(ctx, "GroupName", &old_group) < 0 ||
            remove_users(ctx, aws, true, strcmp(old_group, group) == 0) < 0)
            goto done;
    }
    cJSON_ArrayForEach(u, users)
    {
        if (iam_call(ctx, aws, "AddUserToGroup",
                     cfnkit_json_strings(cJSON_CreateObject(), "GroupName", group, "UserName",
                                         u->valuestring, NULL),
                     NULL, NULL) < 0)
            goto done;
    }
    rc = cfn_set_data(ctx, "Id", id);
    if (rc == 0)
        rc = cfn_set_physical_id(ctx, id);
done:
    cfn_aws_free(aws);
    return rc;
}

static int addition_create(cfn_ctx *ctx)
{
    char *id = NULL;
    if (native_name(ctx, 128, 0, &id) < 0)
        return -1;
    int rc = add_users(ctx, id);
    free(id);
    return rc;
}

static int addition_update(cfn_ctx *ctx)
{
    return add_users(ctx, cfn_request_physical_id(ctx));
}

/* The users and group are read from the Delete's properties. */
static int addition_remove(cfn_ctx *ctx)
{
    cfn_aws *aws = NULL;
    if (!cfn_prop_has(ctx, "GroupName")) {
        cfn_log(CFN_LOG_INFO, "no GroupName: nothing to delete");
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = remove_users(ctx, aws, false, false);
    cfn_aws_free(aws);
    return rc;
}

static const char *const addition_attributes[] = {"Id", NULL};

const cfn_resource_type native_iam_user_to_group_addition = {
    .type = "AWS::IAM::UserToGroupAddition",
    .create = addition_create,
    .update = addition_update,
    .remove = addition_remove,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .attributes = addition_attributes,
};
