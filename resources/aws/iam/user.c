/* AWS::IAM::User: a user with its groups, login profile, inline and managed
 * policies, permissions boundary and tags. Ref: the user name; GetAtt Arn.
 * The password is write-only and never logged. */
#include "iam.h"

#include "aws/native.h"
#include "awsjson.h"

#include <stdlib.h>
#include <string.h>

static const char *const known[] = {
    "Groups",   "LoginProfile", "ManagedPolicyArns", "Path", "PermissionsBoundary",
    "Policies", "Tags",         "UserName",          NULL};

#define USER(n) ((iam_principal){"User", "UserName", (n)})

/* Groups: add the user to the new ones and, on Update, remove it from those
 * dropped. */
static int sync_groups(cfn_ctx *ctx, cfn_aws *aws, const char *user, bool update)
{
    const cJSON *now, *old = NULL, *g;
    if (iam_names(ctx, "Groups", false, &now) < 0 ||
        (update && iam_names(ctx, "Groups", true, &old) < 0))
        return -1;
    cJSON_ArrayForEach(g, now)
    {
        if (!iam_has(old, g->valuestring) &&
            iam_call(ctx, aws, "AddUserToGroup",
                     cfnkit_json_strings(cJSON_CreateObject(), "GroupName", g->valuestring,
                                         "UserName", user, NULL),
                     NULL, NULL) < 0)
            return -1;
    }
    cJSON_ArrayForEach(g, old)
    {
        if (!iam_has(now, g->valuestring) &&
            iam_call(ctx, aws, "RemoveUserFromGroup",
                     cfnkit_json_strings(cJSON_CreateObject(), "GroupName", g->valuestring,
                                         "UserName", user, NULL),
                     NULL, "NoSuchEntity") < 0)
            return -1;
    }
    return 0;
}

/* LoginProfile: created, updated, or deleted when the template drops it. */
static int sync_login(cfn_ctx *ctx, cfn_aws *aws, const char *user, bool update)
{
    const char *password;
    bool reset;
    if (!cfn_prop_has(ctx, "LoginProfile")) {
        if (update && cfn_old_prop_has(ctx, "LoginProfile") &&
            iam_call(ctx, aws, "DeleteLoginProfile",
                     cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, NULL), NULL,
                     "NoSuchEntity") < 0)
            return -1;
        return 0;
    }
    if (update && !cfn_prop_changed(ctx, "LoginProfile"))
        return 0;
    if (cfn_prop_string(ctx, "LoginProfile.Password", &password) < 0 ||
        cfn_prop_bool_or(ctx, "LoginProfile.PasswordResetRequired", false, &reset) < 0)
        return -1;
    cJSON *in =
        cfnkit_json_strings(cJSON_CreateObject(), "UserName", user, "Password", password, NULL);
    if (in && !cJSON_AddBoolToObject(in, "PasswordResetRequired", reset)) {
        cJSON_Delete(in);
        in = NULL;
    }
    bool had = update && cfn_old_prop_has(ctx, "LoginProfile");
    return iam_call(ctx, aws, had ? "UpdateLoginProfile" : "CreateLoginProfile", in, NULL, NULL) < 0
               ? -1
               : 0;
}

static int answer(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *out;
    if (iam_call(ctx, aws, "GetUser",
                 cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, NULL), &out, NULL) < 0)
        return -1;
    const char *arn = cfn_json_string(cJSON_GetObjectItem(out, "User"), "Arn");
    int rc =
        arn ? cfn_set_data(ctx, "Arn", arn) : cfn_fail(ctx, "IAM GetUser: the answer has no Arn");
    cJSON_Delete(out);
    return rc < 0 ? -1 : cfn_set_physical_id(ctx, name);
}

/* Out of its groups, its policies and login profile gone, then the user.
 * A user already gone is deleted. */
static int delete_user(cfn_ctx *ctx, cfn_aws *aws, const char *name)
{
    cJSON *out = NULL;
    const cJSON *g;
    int rc = iam_call(ctx, aws, "ListGroupsForUser",
                      cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, NULL), &out,
                      "NoSuchEntity");
    cJSON_ArrayForEach(g, (rc == 0 ? cJSON_GetObjectItem(out, "Groups") : NULL))
    {
        const char *group = cfn_json_string(g, "GroupName");
        if (group && iam_call(ctx, aws, "RemoveUserFromGroup",
                              cfnkit_json_strings(cJSON_CreateObject(), "GroupName", group,
                                                  "UserName", name, NULL),
                              NULL, "NoSuchEntity") < 0)
            rc = -1;
    }
    cJSON_Delete(out);
    if (rc == 0)
        rc = iam_principal_clear(ctx, aws, &USER(name));
    if (rc == 0 && iam_call(ctx, aws, "DeleteLoginProfile",
                            cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, NULL), NULL,
                            "NoSuchEntity") < 0)
        rc = -1;
    if (rc == 0 && iam_call(ctx, aws, "DeleteUser",
                            cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, NULL), NULL,
                            "NoSuchEntity") < 0)
        rc = -1;
    return rc < 0 ? -1 : 0;
}

static int create(cfn_ctx *ctx)
{
    const char *given, *path, *boundary;
    char *name = NULL;
    cfn_aws *aws = NULL;
    cJSON *in = NULL, *tags = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 ||
        cfn_prop_string_or(ctx, "UserName", NULL, &given) < 0 ||
        cfn_prop_string_or(ctx, "Path", "/", &path) < 0 ||
        cfn_prop_string_or(ctx, "PermissionsBoundary", NULL, &boundary) < 0 ||
        !(tags = iam_tag_list(ctx)))
        goto done;
    if (given ? !(name = strdup(given)) : native_name(ctx, 64, 0, &name) < 0)
        goto done;
    in = cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, "Path", path,
                             "PermissionsBoundary", boundary, NULL);
    if (in && cJSON_GetArraySize(tags)) {
        in = cfnkit_json_item(in, "Tags", tags);
        tags = NULL;
    }
    if (!in || cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    rc = iam_call(ctx, aws, "CreateUser", in, NULL, "EntityAlreadyExists");
    in = NULL;
    if (rc == 1 && given) {
        rc = cfn_fail(ctx, "Resource of type 'AWS::IAM::User' with identifier '%s' already exists.",
                      name);
        goto done;
    }
    /* 1: a generated name is drawn from the request: the user this Create
     * made when it was delivered before, brought up to date like a new one
     * (its login profile may exist already). */
    bool again = rc == 1;
    rc = rc < 0 ? -1 : 0;
    if (rc == 0)
        rc = sync_groups(ctx, aws, name, false);
    if (rc == 0 && !again)
        rc = sync_login(ctx, aws, name, false);
    if (rc == 0)
        rc = iam_sync_inline(ctx, aws, &USER(name), false);
    if (rc == 0)
        rc = iam_sync_managed(ctx, aws, &USER(name), false);
    if (rc == 0)
        rc = answer(ctx, aws, name);
    if (rc < 0 && !again)
        iam_undo(ctx, aws, name, delete_user);
done:
    if (rc < 0 && !cfn_reason(ctx))
        cfn_fail(ctx, "out of memory");
    cJSON_Delete(in);
    cJSON_Delete(tags);
    free(name);
    cfn_aws_free(aws);
    return rc < 0 ? -1 : 0;
}

static int update(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx), *path, *boundary;
    cfn_aws *aws = NULL;
    int rc = -1;
    if (native_check_props(ctx, known) < 0 || cfn_prop_string_or(ctx, "Path", "/", &path) < 0 ||
        cfn_prop_string_or(ctx, "PermissionsBoundary", NULL, &boundary) < 0 ||
        cfn_aws_for(ctx, NULL, &aws) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "Path") &&
        iam_call(ctx, aws, "UpdateUser",
                 cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, "NewPath", path, NULL),
                 NULL, NULL) < 0)
        goto done;
    if (cfn_prop_changed(ctx, "PermissionsBoundary") &&
        iam_call(ctx, aws,
                 boundary ? "PutUserPermissionsBoundary" : "DeleteUserPermissionsBoundary",
                 cfnkit_json_strings(cJSON_CreateObject(), "UserName", name, "PermissionsBoundary",
                                     boundary, NULL),
                 NULL, NULL) < 0)
        goto done;
    if (sync_groups(ctx, aws, name, true) < 0 || sync_login(ctx, aws, name, true) < 0 ||
        iam_sync_inline(ctx, aws, &USER(name), true) < 0 ||
        iam_sync_managed(ctx, aws, &USER(name), true) < 0 ||
        (cfn_prop_changed(ctx, "Tags") && iam_sync_tags(ctx, aws, &USER(name)) < 0))
        goto done;
    rc = answer(ctx, aws, name);
done:
    cfn_aws_free(aws);
    return rc;
}

static int remove_user(cfn_ctx *ctx)
{
    const char *name = cfn_request_physical_id(ctx);
    cfn_aws *aws = NULL;
    if (!iam_valid_name(name, 64)) {
        cfn_log(CFN_LOG_INFO, "%.100s is not a user name: nothing to delete", name);
        return 0;
    }
    if (cfn_aws_for(ctx, NULL, &aws) < 0)
        return -1;
    int rc = delete_user(ctx, aws, name);
    cfn_aws_free(aws);
    return rc;
}

static const char *const replaces[] = {"UserName", NULL};
static const char *const write_only[] = {"LoginProfile", NULL};
static const char *const attributes[] = {"Arn", NULL};

const cfn_resource_type native_iam_user = {
    .type = "AWS::IAM::User",
    .create = create,
    .update = update,
    .remove = remove_user,
    .version = CFN_RESOURCE_TYPE_VERSION,
    .replaces = replaces,
    .attributes = attributes,
    .write_only = write_only,
};
